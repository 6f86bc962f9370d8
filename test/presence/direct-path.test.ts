/**
 * The direct path's datagrams (exact bytes, hostile input) and the endpoint
 * and sender over real UDP sockets on loopback: stored, duplicate (a
 * replay), a mailbox nobody watches, nothing listening, no answer, no answer
 * to a datagram shorter than the answer, and the per-source budget.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { parseDirectAddress } from '../../node-runtime/direct/address.ts';
import { decodeDirectDatagram, encodeDirectAnswer, encodeDirectEnvelope } from '../../node-runtime/direct/datagram.ts';
import { type DirectAcceptOutcome, type DirectEndpoint, startDirectEndpoint } from '../../node-runtime/direct/endpoint.ts';
import { DirectPathError } from '../../node-runtime/direct/errors.ts';
import { sendDirectEnvelope } from '../../node-runtime/direct/sender.ts';

const suite = createNodeSuite();
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

const envelope = Uint8Array.from({ length: 60 }, (_, i) => (i * 7) & 0xff);

async function endpoint(accept: (e: Uint8Array) => DirectAcceptOutcome, budget = { perSourcePerSecond: 1000, burst: 1000 }): Promise<DirectEndpoint> {
  const ep = await startDirectEndpoint({ suite, clock: systemClock, log, accept }, { host: '127.0.0.1', port: 0, maxSources: 16, ...budget });
  open.push(ep);
  return ep;
}

/** Sends raw bytes and collects what comes back within `waitMs`. */
async function raw(port: number, datagrams: Uint8Array[], waitMs = 300): Promise<Buffer[]> {
  const s: Socket = createSocket('udp4');
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  for (const d of datagrams) s.send(d, port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, waitMs));
  s.close();
  return got;
}

describe('direct datagrams', () => {
  it('encode and decode to exact bytes, and refuse what is not one', () => {
    expect(toHex(encodeDirectEnvelope(Uint8Array.of(0xaa, 0xbb)))).toBe('01aabb');
    const id = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(toHex(encodeDirectAnswer('duplicate', id))).toBe('0201000102030405060708090a0b0c0d0e0f');
    expect(decodeDirectDatagram(encodeDirectAnswer('busy', id))).toEqual({ ok: true, value: { type: 'answer', status: 'busy', envelopeId: id } });
    expect(decodeDirectDatagram(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated', offset: 0 });
    expect(decodeDirectDatagram(Uint8Array.of(1))).toMatchObject({ ok: false, code: 'truncated', offset: 1 });
    expect(decodeDirectDatagram(new Uint8Array(4098).fill(1))).toMatchObject({ ok: false, code: 'too-long', offset: 4097 });
    expect(decodeDirectDatagram(Uint8Array.of(2, 0, 1))).toMatchObject({ ok: false, code: 'truncated', offset: 3 });
    expect(decodeDirectDatagram(Uint8Array.of(2, 9, ...id))).toMatchObject({ ok: false, code: 'bad-value', offset: 1 });
    expect(decodeDirectDatagram(Uint8Array.of(2, 0, ...id, 0))).toMatchObject({ ok: false, code: 'trailing-bytes', offset: 18 });
    expect(decodeDirectDatagram(Uint8Array.of(7, 0))).toMatchObject({ ok: false, code: 'bad-kind', offset: 0 });
  });

  it('takes only literal udp addresses', () => {
    expect(parseDirectAddress('udp://[::1]:6371')).toEqual({ host: '::1', port: 6371 });
    for (const bad of ['http://1.2.3.4:5', 'udp://1.2.3.4', 'udp://1.2.3.4:0', 'udp://u:p@1.2.3.4:5', 'udp://1.2.3.4:5/x', 'nonsense']) {
      expect(() => parseDirectAddress(bad), bad).toThrow(DirectPathError);
    }
  });
});

describe('direct endpoint and sender over loopback UDP', () => {
  it('stores once, answers a replay "duplicate", refuses a mailbox nobody watches', async () => {
    const held = new Set<string>();
    const ep = await endpoint((e) => {
      if (e[0] === 0xff) return 'unknown-mailbox';
      const key = toHex(e);
      if (held.has(key)) return 'duplicate';
      held.add(key);
      return 'stored';
    });
    const deps = { suite, clock: systemClock };
    expect(await sendDirectEnvelope(deps, `udp://127.0.0.1:${ep.port}`, envelope)).toBe('stored');
    expect(await sendDirectEnvelope(deps, `udp://127.0.0.1:${ep.port}`, envelope)).toBe('duplicate');
    const replay = await raw(ep.port, [encodeDirectEnvelope(envelope)]);
    expect(replay.map((b) => toHex(b))).toEqual([toHex(encodeDirectAnswer('duplicate', envelopeId(suite, envelope)))]);
    const refused = await sendDirectEnvelope(deps, `udp://127.0.0.1:${ep.port}`, Uint8Array.of(0xff, ...envelope)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DirectPathError);
    expect(refused).toMatchObject({ code: 'refused' });
    expect(ep.stats()).toEqual({ received: 4, stored: 1, duplicates: 2, refused: 1, overBudget: 0, punches: 0 });
  });

  it('says refused when nothing listens and unreachable when nobody answers', async () => {
    const deps = { suite, clock: systemClock };
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
    const silentPort = probe.address().port; // bound, never answers
    const closed = createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', () => resolve()));
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(sendDirectEnvelope(deps, `udp://127.0.0.1:${closedPort}`, envelope)).rejects.toMatchObject({ name: 'DirectPathError', code: 'refused' });
    await expect(sendDirectEnvelope(deps, `udp://127.0.0.1:${silentPort}`, envelope, { attemptTimeoutMs: 100, attempts: 2 }))
      .rejects.toMatchObject({ name: 'DirectPathError', code: 'unreachable' });
    await expect(sendDirectEnvelope(deps, 'udp://meow.example:6371', envelope)).rejects.toMatchObject({ code: 'bad-address' });
    probe.close();
  });

  it('never answers a datagram shorter than its answer, and drops a source past its budget', async () => {
    let accepted = 0;
    const ep = await endpoint(() => {
      accepted++;
      return 'malformed';
    }, { perSourcePerSecond: 0.001, burst: 3 });
    const short = Uint8Array.of(1, 1, 2, 3);
    expect(await raw(ep.port, [short])).toEqual([]);
    expect(accepted).toBe(1);
    const answers = await raw(ep.port, [encodeDirectEnvelope(envelope), encodeDirectEnvelope(envelope), encodeDirectEnvelope(envelope)]);
    expect(answers).toHaveLength(2);
    expect(ep.stats()).toMatchObject({ received: 4, overBudget: 1 });
  });
});
