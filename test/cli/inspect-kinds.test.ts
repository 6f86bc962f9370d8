/** `meow inspect` on envelopes, gateway requests and mesh frames (cards: cli.test.ts). */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { encodeGatewayRequest } from '../../protocol/gateway/request.ts';
import { encodeFrame } from '../../protocol/mesh/frame.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createSessionPair } from '../../protocol/session/pair.ts';
import { makeHarness } from './harness.ts';

const { alice } = createSessionPair(createPortableSuite(), new SeededRandom('inspect-kinds'));
const envelope = alice.sealText('hello').envelope;

describe('meow inspect', () => {
  it('shows the clear fields of a 1:1 envelope given as hex on stdin', async () => {
    const h = await makeHarness('inspect-envelope');
    const r = await h.run(['inspect', '-'], { stdin: toHex(envelope) });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { inspector: string; value: { kind: string; length: number; mailboxTag: string; maskedCounter: number } };
    expect(out.inspector).toBe('envelope');
    expect(out.value.kind).toBe('direct');
    expect(out.value.length).toBe(envelope.length);
    expect(out.value.mailboxTag).toBe(toHex(envelope.subarray(1, 7)));
    expect(typeof out.value.maskedCounter).toBe('number'); // masked: a relay cannot read the counter
  });

  it('shows a gateway relay deposit', async () => {
    const h = await makeHarness('inspect-gateway');
    const request = encodeGatewayRequest({ kind: 'relay-deposit', relayUrl: 'https://relay.example:8443', tag: new Uint8Array(16).fill(7), envelope });
    const r = await h.run(['inspect', '-'], { stdin: toHex(request) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ inspector: 'gateway-request', value: { kind: 'relay-deposit', relayUrl: 'https://relay.example:8443', tag: '07'.repeat(16), envelopeBytes: envelope.length } });
  });

  it('decodes a mesh frame with --as frame', async () => {
    const h = await makeHarness('inspect-frame');
    const frame = encodeFrame({ kind: FrameKind.data, limit: 0, routed: true, destHint: 0xbeef, payload: envelope }, 0x01020304);
    const r = await h.run(['inspect', '--as', 'frame', '-'], { stdin: toHex(frame) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ inspector: 'frame', value: { kind: 'data', routed: true, destHint: 'beef', frameId: '01020304', payloadBytes: envelope.length } });
    expect(frame.length).toBe(8 + envelope.length);
  });

  it('refuses an unknown --as and bytes nothing recognises, with exit code 2', async () => {
    const h = await makeHarness('inspect-bad');
    expect((await h.run(['inspect', '--as', 'nope', '-'], { stdin: toHex(envelope) })).code).toBe(2);
    const r = await h.run(['inspect', '-'], { stdin: 'ff' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/envelope: /);
  });
});
