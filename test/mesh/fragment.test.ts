import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { MeshError } from '../../protocol/mesh/errors.ts';
import { decodeFragment, encodeFragment, type Fragment, MAX_FRAGMENTS, splitEnvelope } from '../../protocol/mesh/fragment.ts';
import { DEFAULT_REASSEMBLY, Reassembler, type ReassemblyLimits } from '../../protocol/mesh/reassembly.ts';
import { FuzzBytes } from './fuzz-helpers.ts';

function fragmentsOf(envelope: Uint8Array, chunk: number, sourceHint = 0x0102, messageId = 0xcafebabe): Fragment[] {
  const chunks = splitEnvelope(envelope, chunk);
  return chunks.map((c, index) => ({ sourceHint, messageId, index, count: chunks.length, chunk: c }));
}

describe('fragment codec', () => {
  it('lays out source hint, message id, index, count, chunk (annotated fixture)', () => {
    const bytes = encodeFragment({ sourceHint: 0xa1b2, messageId: 0x01020304, index: 2, count: 5, chunk: new Uint8Array([0xee]) });
    expect(toHex(bytes)).toBe(['a1b2', '01020304', '02', '05', 'ee'].join(''));
  });

  it('round-trips and refuses every truncation of the header', () => {
    const f: Fragment = { sourceHint: 1, messageId: 2, index: 0, count: 2, chunk: new Uint8Array([1, 2, 3]) };
    const bytes = encodeFragment(f);
    expect(decodeFragment(bytes)).toEqual({ ok: true, value: f });
    for (let n = 0; n <= 8; n++) expect(decodeFragment(bytes.subarray(0, n)).ok, `length ${n}`).toBe(false);
  });

  it('refuses counts outside 2..32, an index past the count, an empty chunk', () => {
    const base = encodeFragment({ sourceHint: 1, messageId: 2, index: 0, count: 2, chunk: new Uint8Array([1]) });
    for (const [at, v] of [[7, 1], [7, 33], [6, 2], [6, 9]] as const) {
      const b = base.slice();
      b[at] = v;
      expect(decodeFragment(b)).toMatchObject({ ok: false, code: 'bad-value' });
    }
    expect(() => encodeFragment({ sourceHint: 1, messageId: 2, index: 3, count: 3, chunk: new Uint8Array(1) })).toThrow(MeshError);
  });

  it('survives 100,000 random and mutated inputs', () => {
    const fuzz = new FuzzBytes(2);
    const valid = encodeFragment({ sourceHint: 1, messageId: 2, index: 1, count: 4, chunk: new Uint8Array(40) });
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const input = i % 2 === 0 ? fuzz.bytes(fuzz.int(24)) : fuzz.mutate(valid);
      const d = decodeFragment(input);
      if (d.ok && toHex(encodeFragment(d.value)) !== toHex(input)) bad.push(toHex(input));
    }
    expect(bad).toEqual([]);
  });

  it('splits at most 32 chunks under the 4 KiB cap', () => {
    expect(splitEnvelope(new Uint8Array(4096), 193).length).toBe(22);
    expect(() => splitEnvelope(new Uint8Array(4097), 193)).toThrow(MeshError);
    expect(() => splitEnvelope(new Uint8Array(4000), 100)).toThrow(/fragments/);
    expect(MAX_FRAGMENTS).toBe(32);
  });
});

describe('reassembly', () => {
  const envelope = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);

  it('reassembles in any order, ignoring duplicates', () => {
    const r = new Reassembler();
    const frags = fragmentsOf(envelope, 190).reverse();
    const outcomes = frags.map((f) => r.accept(f, 0, undefined));
    expect(r.accept(frags[0] as Fragment, 0, undefined).status).toBe('duplicate');
    const done = outcomes.at(-1);
    expect(done).toMatchObject({ status: 'complete', sourceHint: 0x0102, messageId: 0xcafebabe });
    expect(done?.status === 'complete' && done.envelope).toEqual(envelope);
    expect(r.stats()).toMatchObject({ partials: 0, bytes: 0, completed: 1 });
  });

  it('asks for exactly the missing fragments after a quiet period, at most maxRequests times (selective repeat)', () => {
    const r = new Reassembler<string>({ ...DEFAULT_REASSEMBLY, requestAfterMs: 1000, maxRequests: 2 });
    const frags = fragmentsOf(envelope, 190); // 6 fragments
    for (const i of [0, 2, 3, 5]) r.accept(frags[i] as Fragment, 0, 'path-back');
    expect(r.requestsDue(500)).toEqual([]);
    expect(r.requestsDue(1000)).toEqual([{ sourceHint: 0x0102, messageId: 0xcafebabe, missing: 0b010010, context: 'path-back' }]);
    expect(r.requestsDue(1500)).toEqual([]);
    r.accept(frags[1] as Fragment, 1600, 'path-back');
    expect(r.requestsDue(3600)).toEqual([{ sourceHint: 0x0102, messageId: 0xcafebabe, missing: 0b010000, context: 'path-back' }]);
    expect(r.requestsDue(9000)).toEqual([]);
    const done = r.accept(frags[4] as Fragment, 9100, 'path-back');
    expect(done.status === 'complete' && done.envelope).toEqual(envelope);
  });

  it('expires idle partials', () => {
    const r = new Reassembler({ ...DEFAULT_REASSEMBLY, timeoutMs: 1000 });
    r.accept(fragmentsOf(envelope, 190)[0] as Fragment, 0, undefined);
    r.expire(1001);
    expect(r.stats()).toMatchObject({ partials: 0, bytes: 0, expired: 1 });
  });

  it('refuses fragments that would exceed the envelope cap or change shape', () => {
    const r = new Reassembler({ ...DEFAULT_REASSEMBLY, maxEnvelopeBytes: 500 });
    expect(r.accept({ sourceHint: 1, messageId: 1, index: 0, count: 4, chunk: new Uint8Array(200) }, 0, undefined).status).toBe('rejected');
    r.accept({ sourceHint: 1, messageId: 2, index: 0, count: 3, chunk: new Uint8Array(100) }, 0, undefined);
    expect(r.accept({ sourceHint: 1, messageId: 2, index: 1, count: 3, chunk: new Uint8Array(99) }, 0, undefined).status).toBe('rejected');
    expect(r.accept({ sourceHint: 1, messageId: 2, index: 1, count: 4, chunk: new Uint8Array(100) }, 0, undefined).status).toBe('rejected');
    expect(r.accept({ sourceHint: 1, messageId: 2, index: 2, count: 3, chunk: new Uint8Array(101) }, 0, undefined).status).toBe('rejected');
  });

  it('bounds memory under a flood of half-messages from one source and from many', () => {
    const limits: ReassemblyLimits = {
      ...DEFAULT_REASSEMBLY, maxPartialsPerSource: 4, maxBytesPerSource: 8000, maxPartialsTotal: 32, maxBytesTotal: 20_000,
    };
    const r = new Reassembler(limits);
    // A legitimate partial from source 7.
    const good = fragmentsOf(envelope, 190, 7, 77);
    r.accept(good[0] as Fragment, 0, undefined);
    // One attacker, 10,000 first halves of 4 KiB messages.
    for (let m = 0; m < 10_000; m++) {
      r.accept({ sourceHint: 0x6666, messageId: m, index: 0, count: 21, chunk: new Uint8Array(195) }, 1, undefined);
      const s = r.stats();
      if (s.bytes > limits.maxBytesTotal || s.partials > limits.maxPartialsTotal) throw new Error(`over cap: ${JSON.stringify(s)}`);
    }
    expect(r.stats().partials).toBeLessThanOrEqual(5); // 4 attacker partials + the legitimate one
    // The legitimate message still completes: one sender cannot evict another's partials.
    let last;
    for (const f of good.slice(1)) last = r.accept(f, 2, undefined);
    expect(last?.status).toBe('complete');
    // Many attackers (every source hint): the totals hold.
    for (let m = 0; m < 20_000; m++) {
      r.accept({ sourceHint: m & 0xffff, messageId: m, index: 0, count: 21, chunk: new Uint8Array(195) }, 3, undefined);
      const s = r.stats();
      if (s.bytes > limits.maxBytesTotal || s.partials > limits.maxPartialsTotal) throw new Error(`over cap: ${JSON.stringify(s)}`);
    }
    expect(r.stats().evicted).toBeGreaterThan(20_000);
  });
});
