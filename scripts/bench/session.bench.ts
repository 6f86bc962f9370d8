/**
 * Envelope overhead and session throughput (DESIGN.md section 4; issue 2 budgets).
 *
 * Overhead rows: bytes of a 1:1 envelope for a 5-byte and a 200-byte text,
 * alone and with the 8-byte mesh frame header reserved by the budget.
 * Throughput: seal + open through a Session (portable suite: @stablelib
 * ChaCha20-Poly1305) beside node:crypto's native ChaCha20-Poly1305 sealing and
 * opening the same text sizes with the same associated data, in the same run;
 * then the same through the node:crypto suite the daemon uses (`.node` rows).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { DIRECT_OVERHEAD_BYTES } from '../../protocol/envelope/direct.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { type Benchmark, opsPerSecond, withBaseline } from './harness.ts';

/** Mesh frame header budget (DESIGN.md section 4: at most 8 of the 40 bytes). */
const MESH_HEADER_BYTES = 8;
const FRAME_BYTES = 240;

function nativeSealOpen(textBytes: number): () => void {
  const key = randomBytes(32);
  const aad = randomBytes(10);
  const plaintext = randomBytes(textBytes);
  const nonce = Buffer.alloc(12);
  let counter = 0;
  return () => {
    nonce.writeUInt32BE(counter++ >>> 0, 8);
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const sealed = Buffer.concat([c.update(plaintext), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: sealed.length });
    d.setAuthTag(tag);
    const opened = Buffer.concat([d.update(sealed), d.final()]);
    if (opened.length !== plaintext.length) throw new Error('native open failed');
  };
}

const bench: Benchmark = (ctx) => {
  const suite = createPortableSuite();
  const random = new SeededRandom('session-bench');
  const sizing = createSessionPair(suite, random).alice;
  const bytesFor = (n: number): number => sizing.sealText('x'.repeat(n)).envelope.length;

  const text5 = bytesFor(5);
  const text200 = bytesFor(200);
  ctx.report({ name: 'overhead.per-message', value: DIRECT_OVERHEAD_BYTES, unit: 'bytes' });
  ctx.report({ name: 'overhead.text5.envelope', value: text5, unit: 'bytes' });
  ctx.report({ name: 'overhead.text5', value: text5 + MESH_HEADER_BYTES, unit: 'bytes' });
  ctx.report({ name: 'overhead.text200.envelope', value: text200, unit: 'bytes' });
  ctx.report({ name: 'overhead.text200', value: text200 + MESH_HEADER_BYTES, unit: 'bytes' });
  let capacity = 0;
  while (bytesFor(capacity + 1) + MESH_HEADER_BYTES <= FRAME_BYTES) capacity++;
  ctx.report({ name: 'capacity.frame240', value: capacity, unit: 'text bytes' });

  const durationMs = ctx.quick ? 200 : 1500;
  const suites: [string, CryptoSuite][] = [['', suite], ['.node', createNodeSuite()]];
  for (const [suffix, runSuite] of suites) {
    for (const size of [5, 200]) {
      const { alice, bob } = createSessionPair(runSuite, random);
      const text = 'x'.repeat(size);
      const viaSession = (): void => {
        const r = bob.open(alice.sealText(text).envelope, 0);
        if (!r.ok) throw new Error(`open failed: ${r.code}`);
      };
      const native = nativeSealOpen(size);
      // Interleave short slices of both so a busy machine slows them alike and the ratio holds.
      const slices = 6;
      let sessionOps = 0;
      let nativeOps = 0;
      for (let i = 0; i < slices; i++) {
        sessionOps += opsPerSecond(viaSession, durationMs / slices) / slices;
        nativeOps += opsPerSecond(native, durationMs / slices) / slices;
      }
      ctx.report(withBaseline(`session.sealopen.text${size}${suffix}`, sessionOps, 'ops/s', nativeOps, 'node:crypto chacha20-poly1305 seal+open'));
    }
  }
};

export default bench;
