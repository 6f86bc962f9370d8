/**
 * Crypto suite throughput: each primitive through the portable suite and
 * the Node suite, with node:crypto's native call as the baseline measured
 * in the same run (DESIGN.md section 6 has the figures that chose the mix).
 */
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { type Benchmark, opsPerSecond, withBaseline } from './harness.ts';

const bench: Benchmark = (ctx) => {
  const ms = ctx.quick ? 150 : 800;
  const random = new SeededRandom('bench-crypto');
  const portable = createPortableSuite();
  const node = createNodeSuite();
  const native = createNodeSuite({ nativeAeadMinBytes: 0 });

  const a = random.bytes(32);
  const bPub = portable.x25519PublicKey(random.bytes(32));
  const nodeX = opsPerSecond(() => node.x25519(a, bPub), ms);
  ctx.report(withBaseline('crypto.x25519.portable', opsPerSecond(() => portable.x25519(a, bPub), ms), 'ops/s', nodeX, 'node:crypto X25519'));
  ctx.report({ name: 'crypto.x25519.node', value: nodeX, unit: 'ops/s' });
  // A relay sees a fresh ephemeral key in every sealed request: no KeyObject cache hit.
  const freshPeers = Array.from({ length: 512 }, () => portable.x25519PublicKey(random.bytes(32)));
  let peer = 0;
  ctx.report({ name: 'crypto.x25519.fresh-peer.node', value: opsPerSecond(() => node.x25519(a, freshPeers[peer++ % freshPeers.length]!.slice()), ms), unit: 'ops/s' });

  const seed = random.bytes(32);
  const pub = portable.ed25519PublicKey(seed);
  const message = random.bytes(100);
  const sig = portable.ed25519Sign(seed, message);
  const nodeSign = opsPerSecond(() => node.ed25519Sign(seed, message), ms);
  const nodeVerify = opsPerSecond(() => node.ed25519Verify(pub, message, sig), ms);
  ctx.report(withBaseline('crypto.ed25519.sign.portable', opsPerSecond(() => portable.ed25519Sign(seed, message), ms), 'ops/s', nodeSign, 'node:crypto Ed25519'));
  ctx.report(withBaseline('crypto.ed25519.verify.portable', opsPerSecond(() => portable.ed25519Verify(pub, message, sig), ms), 'ops/s', nodeVerify, 'node:crypto Ed25519'));
  ctx.report({ name: 'crypto.ed25519.sign.node', value: nodeSign, unit: 'ops/s' });
  ctx.report({ name: 'crypto.ed25519.verify.node', value: nodeVerify, unit: 'ops/s' });

  for (const size of [200, 65536]) {
    const key = random.bytes(32);
    const nonce = random.bytes(12);
    const aad = new Uint8Array(0);
    const plaintext = random.bytes(size);
    const sealed = portable.aeadSeal(key, nonce, plaintext, aad);
    const roundTrip = (s: typeof portable) => () => {
      s.aeadSeal(key, nonce, plaintext, aad);
      s.aeadOpen(key, nonce, sealed, aad);
    };
    const baseline = opsPerSecond(roundTrip(native), ms);
    ctx.report(withBaseline(`crypto.aead.sealopen.${size}.portable`, opsPerSecond(roundTrip(portable), ms), 'ops/s', baseline, 'node:crypto chacha20-poly1305'));
    ctx.report(withBaseline(`crypto.aead.sealopen.${size}.node-suite`, opsPerSecond(roundTrip(node), ms), 'ops/s', baseline, 'node:crypto chacha20-poly1305'));
  }
};

export default bench;
