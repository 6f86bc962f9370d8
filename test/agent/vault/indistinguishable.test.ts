/**
 * What an examiner sees: a vault with a real hidden compartment and one with
 * only fakes have the same size and the same byte structure, every write
 * changes every slot, and unlocking costs the same work whatever the
 * password and whatever the slots hold (counted through the injected KDF and
 * AEAD).
 */
import { describe, expect, it } from 'vitest';
import type { VaultLayout } from '../../../agent/vault/layout.ts';
import { SALT_BYTES } from '../../../agent/vault/layout.ts';
import { createVault, openVault } from '../../../agent/vault/vault.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { countingDeps, MemoryVaultStorage, resetCounts, text } from './helpers.ts';

const layout: VaultLayout = { slotCount: 4, slotBytes: 32 * 1024, mailboxesPerCompartment: 3 };
const options = { layout };

function slotsOf(file: Uint8Array): Uint8Array[] {
  return Array.from({ length: layout.slotCount }, (_, i) => file.subarray(SALT_BYTES + i * layout.slotBytes, SALT_BYTES + (i + 1) * layout.slotBytes));
}

/** Pearson's chi-square of the byte histogram against uniform (255 degrees of freedom: mean 255, sd about 22.6). */
function chiSquare(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b] = (counts[b] as number) + 1;
  const expected = bytes.length / 256;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

/** Fraction of positions where two equal-length arrays hold the same byte (1/256 for independent random bytes). */
function sameByteRate(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

async function vaultWithRealHidden(): Promise<MemoryVaultStorage> {
  const storage = new MemoryVaultStorage();
  const { deps } = countingDeps(storage, 'real');
  const main = await createVault(deps, text('main'), options);
  await main.compartment.save(new Uint8Array(5000).fill(0x41));
  await main.createHidden(text('hidden'));
  const hidden = await openVault(deps, text('hidden'), options);
  if (hidden.compartment.kind !== 'hidden') throw new Error('expected hidden');
  await hidden.compartment.setMailboxKeys([new Uint8Array(32).fill(1)]);
  await hidden.compartment.save(new Uint8Array(20000).fill(0x42)); // long runs of one byte: any leak would show
  return storage;
}

async function vaultWithOnlyFakes(): Promise<MemoryVaultStorage> {
  const storage = new MemoryVaultStorage();
  const { deps } = countingDeps(storage, 'fakes');
  const main = await createVault(deps, text('main'), options);
  await main.compartment.save(new Uint8Array(5000).fill(0x41));
  return storage;
}

describe('an examiner cannot tell real hidden compartments from fakes', () => {
  it('same size, and every slot and the salt look like uniform random bytes in both vaults', async () => {
    const real = (await vaultWithRealHidden()).bytes as Uint8Array;
    const fakes = (await vaultWithOnlyFakes()).bytes as Uint8Array;
    expect(real.length).toBe(fakes.length);
    for (const file of [real, fakes]) {
      for (const slot of slotsOf(file)) {
        const chi = chiSquare(slot);
        // 255 +- 6 sd: a deterministic seed makes this exact, and a zero-padded or plaintext slot scores in the thousands.
        expect(chi).toBeGreaterThan(120);
        expect(chi).toBeLessThan(390);
      }
      // No slot is a copy of another or shares its bytes beyond chance.
      const slots = slotsOf(file);
      for (let i = 0; i < slots.length; i++) {
        for (let j = i + 1; j < slots.length; j++) expect(sameByteRate(slots[i] as Uint8Array, slots[j] as Uint8Array)).toBeLessThan(0.01);
      }
    }
  });

  it('under the main password both vaults show the same number of locked compartments with the same shape', async () => {
    const realStorage = await vaultWithRealHidden();
    const fakeStorage = await vaultWithOnlyFakes();
    for (const storage of [realStorage, fakeStorage]) {
      const { deps } = countingDeps(storage, 'view');
      const view = (await openVault(deps, text('main'), options)).lockedCompartments();
      expect(view).toHaveLength(layout.slotCount - 1);
      for (const c of view) {
        expect(c.mailboxKeys).toHaveLength(layout.mailboxesPerCompartment);
        expect(c.mailboxKeys.every((k) => k.length === 32)).toBe(true);
        expect(c.dropPublicKey).toHaveLength(32);
        expect(c.pendingCount).toBe(0);
      }
    }
  });

  it('unlocking does the same work whatever the password and whatever the slots hold', async () => {
    const realStorage = await vaultWithRealHidden();
    const fakeStorage = await vaultWithOnlyFakes();
    const noise = new MemoryVaultStorage();
    noise.bytes = new SeededRandom('noise').bytes((realStorage.bytes as Uint8Array).length);
    const cases = [
      { storage: realStorage, password: 'main', opens: 'main' },
      { storage: realStorage, password: 'hidden', opens: 'hidden' },
      { storage: realStorage, password: 'wrong', opens: 'wrong-password' },
      { storage: fakeStorage, password: 'main', opens: 'main' },
      { storage: fakeStorage, password: 'hidden', opens: 'wrong-password' },
      { storage: noise, password: 'main', opens: 'wrong-password' },
    ];
    const work: string[] = [];
    for (const c of cases) {
      const { deps, counts } = countingDeps(c.storage, 'work');
      resetCounts(counts);
      const outcome = await openVault(deps, text(c.password), options).then((s) => s.compartment.kind, (e: { code: string }) => e.code);
      expect(outcome).toBe(c.opens);
      work.push(`kdf ${counts.kdf}, aead opens ${counts.aeadOpens}, aead bytes ${counts.aeadOpenBytes}`);
    }
    // One KDF run, every slot tried, then one inner open and one linked pair: S + 3 opens over the same bytes.
    // An outer open reads a slot less its nonce; an inner one, the outer plaintext (slot - 40) less its nonce.
    const outer = layout.slotBytes - 24;
    const inner = layout.slotBytes - 40 - 24;
    const expectedBytes = layout.slotCount * outer + inner + outer + inner;
    expect(new Set(work)).toEqual(new Set([`kdf 1, aead opens ${layout.slotCount + 3}, aead bytes ${expectedBytes}`]));
  });

  it('every write rewrites every slot with fresh nonces, from the main session and from a hidden one', async () => {
    const storage = await vaultWithRealHidden();
    const { deps } = countingDeps(storage, 'rewrite');
    for (const password of ['main', 'hidden']) {
      const session = await openVault(deps, text(password), options);
      const before = (storage.bytes as Uint8Array).slice();
      await session.compartment.save(session.compartment.load()); // nothing changed in the document
      const after = storage.bytes as Uint8Array;
      expect(after.subarray(0, SALT_BYTES)).toEqual(before.subarray(0, SALT_BYTES));
      const old = slotsOf(before);
      slotsOf(after).forEach((slot, i) => expect(sameByteRate(slot, old[i] as Uint8Array)).toBeLessThan(0.01));
    }
    expect((await openVault(deps, text('hidden'), options)).compartment.load()).toEqual(new Uint8Array(20000).fill(0x42));
  });
});
