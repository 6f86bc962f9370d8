/**
 * Hostile and damaged files: every truncation, extra bytes, random bytes of
 * the right size, flipped bits in one slot; the body and drop-box decoders
 * fuzzed. A damaged vault gives a typed error and never loses other data.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openFromDropBox } from '../../../agent/vault/drop-box.ts';
import { VaultError } from '../../../agent/vault/errors.ts';
import { SALT_BYTES, fileBytes } from '../../../agent/vault/layout.ts';
import { decodeBody, encodeBody, type SlotBody } from '../../../agent/vault/slot-body.ts';
import { createVault, openVault } from '../../../agent/vault/vault.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { countingDeps, MemoryVaultStorage, SMALL_LAYOUT, text } from './helpers.ts';

const layout = SMALL_LAYOUT;
const options = { layout };

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'opened', (e: unknown) => (e instanceof VaultError ? e.code : `untyped: ${String(e)}`));
}

async function mainAndHidden(): Promise<MemoryVaultStorage> {
  const storage = new MemoryVaultStorage();
  const { deps } = countingDeps(storage, 'damage');
  const main = await createVault(deps, text('m'), options);
  await main.compartment.save(text('main data'));
  await main.createHidden(text('h'));
  const hidden = await openVault(deps, text('h'), options);
  await hidden.compartment.save(text('hidden data'));
  return storage;
}

describe('a damaged vault', () => {
  it('every truncation and any extra byte give vault-damaged, before any KDF run', async () => {
    const storage = await mainAndHidden();
    const whole = storage.bytes as Uint8Array;
    const { deps, counts } = countingDeps(storage, 'cut');
    for (let length = 0; length < whole.length; length++) {
      storage.bytes = whole.subarray(0, length);
      const e = await openVault(deps, text('m'), options).then(() => undefined, (err: unknown) => err as VaultError);
      if (e?.code !== 'vault-damaged') throw new Error(`length ${length}: ${String(e?.code)}`);
      expect(e.fields).toEqual({ expectedBytes: fileBytes(layout), actualBytes: length });
    }
    storage.bytes = new Uint8Array([...whole, 0]);
    expect(await codeOf(openVault(deps, text('m'), options))).toBe('vault-damaged');
    expect(counts.kdf).toBe(0);
    storage.bytes = whole;
    expect((await openVault(deps, text('m'), options)).compartment.load()).toEqual(text('main data'));
  });

  it('random bytes of a vault\'s size open nothing: the same wrong-password error', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ minLength: fileBytes(layout), maxLength: fileBytes(layout) }), fc.string({ maxLength: 12 }),
      async (bytes, password) => {
        const storage = new MemoryVaultStorage();
        storage.bytes = bytes;
        const { deps } = countingDeps(storage, 'random');
        const e = await openVault(deps, text(password), options).then(() => undefined, (err: unknown) => err as VaultError);
        expect(e).toBeInstanceOf(VaultError);
        expect([e?.code, e?.message, e?.fields]).toEqual(['wrong-password', 'wrong password (or the part of the vault it opens is damaged)', {}]);
        expect(storage.writes).toBe(0);
      }), { numRuns: 25 });
  });

  it('a flipped byte in one slot closes that compartment only; the others open and keep it as it was', async () => {
    const storage = await mainAndHidden();
    const whole = (storage.bytes as Uint8Array).slice();
    const { deps } = countingDeps(storage, 'flip');
    // Which slot is which cannot be seen from outside: flip a byte in each slot in turn and see who still opens.
    const opened: string[] = [];
    for (let slot = 0; slot < layout.slotCount; slot++) {
      const damaged = whole.slice();
      const at = SALT_BYTES + slot * layout.slotBytes + 100;
      damaged[at] = (damaged[at] as number) ^ 0x01;
      storage.bytes = damaged;
      const main = await codeOf(openVault(deps, text('m'), options));
      const hidden = await codeOf(openVault(deps, text('h'), options));
      opened.push(`${main}/${hidden}`);
      if (main === 'opened') {
        // A main session's write keeps a slot it cannot refresh byte for byte (never destroys it).
        const session = await openVault(deps, text('m'), options);
        await session.compartment.save(text('main data 2'));
        const after = storage.bytes as Uint8Array;
        const start = SALT_BYTES + slot * layout.slotBytes;
        expect(after.subarray(start, start + layout.slotBytes)).toEqual(damaged.subarray(start, start + layout.slotBytes));
      }
    }
    // The main slot: main closed, and the hidden one (which depends on it) says damaged, not wrong password.
    // The hidden slot: hidden closed, main fine. The two fakes: both fine.
    expect(opened.sort()).toEqual(['opened/opened', 'opened/opened', 'opened/wrong-password', 'wrong-password/vault-damaged'].sort());
  });
});

describe('decoders on hostile bytes', () => {
  const sample: SlotBody = {
    kind: 'main', versions: [{ deviceId: new Uint8Array(16).fill(3), counter: 9 }], document: text('doc'),
    locked: [{ slot: 1, outerKey: new Uint8Array(32), dropPublicKey: new Uint8Array(32).fill(1), mailboxKeys: [new Uint8Array(32).fill(2)], pending: [text('p')] }],
  };

  it('the body codec round-trips and refuses every truncation with a result, never a throw', () => {
    const encoded = encodeBody(sample);
    const padded = new Uint8Array(encoded.length + 10);
    padded.set(encoded);
    const back = decodeBody(padded);
    expect(back.ok && back.value).toEqual(sample);
    for (let n = 0; n < encoded.length; n++) {
      const r = decodeBody(encoded.subarray(0, n));
      expect(r.ok).toBe(false);
    }
    const tail = padded.slice();
    tail[tail.length - 1] = 1;
    expect(decodeBody(tail)).toMatchObject({ ok: false, code: 'bad-value' });
  });

  it('random bytes never make the body decoder or the drop box throw', () => {
    const suite = createNodeSuite();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const r = decodeBody(bytes);
      if (!r.ok) expect(r.offset).toBeLessThanOrEqual(bytes.length);
      expect(openFromDropBox(suite, new Uint8Array(32).fill(5), bytes)).toBeUndefined();
    }), { numRuns: 2000 });
    // Random bytes behind a valid version and kind reach deeper into the decoder.
    fc.assert(fc.property(fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 600 }), (kind, rest) => {
      const r = decodeBody(new Uint8Array([1, kind, 1, ...rest]));
      expect(typeof r.ok).toBe('boolean');
    }), { numRuns: 2000 });
  });
});
