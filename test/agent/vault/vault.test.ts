/** Round trips, hidden compartments, locked compartments' mailboxes and pending envelopes, capacity, refusals. */
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../agent/vault/errors.ts';
import { fileBytes } from '../../../agent/vault/layout.ts';
import { createVault, openVault } from '../../../agent/vault/vault.ts';
import { decodeBody } from '../../../agent/vault/slot-body.ts';
import { deriveSlotKeys, openInner, openOuter, splitFile } from '../../../agent/vault/slot-seal.ts';
import { CHEAP_KDF, countingDeps, MemoryVaultStorage, SMALL_LAYOUT, text } from './helpers.ts';

const layout = SMALL_LAYOUT;
const options = { layout };

async function expectVaultError(p: Promise<unknown>, code: string): Promise<VaultError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(VaultError);
  expect((e as VaultError).code).toBe(code);
  return e as VaultError;
}

describe('vault', () => {
  it('creates a main compartment with an empty document and reopens what was saved', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'round-trip');
    const session = await createVault(deps, text('main pw'), options);
    expect(session.compartment.kind).toBe('main');
    expect(session.compartment.load()).toEqual(new Uint8Array(0));
    expect(storage.bytes?.length).toBe(fileBytes(layout));
    await session.compartment.save(text('alice: identity, contacts, drafts'));
    const again = await openVault(deps, text('main pw'), options);
    expect(again.compartment.kind).toBe('main');
    expect(again.compartment.load()).toEqual(text('alice: identity, contacts, drafts'));
  });

  it('refuses to create over an existing vault and leaves it untouched', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'exists');
    await createVault(deps, text('a'), options);
    const before = storage.bytes?.slice();
    await expectVaultError(createVault(deps, text('b'), options), 'vault-exists');
    expect(storage.bytes).toEqual(before);
  });

  it('says there is no vault yet when storage is empty', async () => {
    const { deps } = countingDeps(new MemoryVaultStorage(), 'missing');
    await expectVaultError(openVault(deps, text('x'), options), 'vault-missing');
  });

  it('opens a hidden compartment only with its password; the main password never shows it', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'hidden');
    const main = await createVault(deps, text('main pw'), options);
    await main.compartment.save(text('main doc'));
    await main.createHidden(text('hidden pw'));
    const hidden = await openVault(deps, text('hidden pw'), options);
    expect(hidden.compartment.kind).toBe('hidden');
    expect(hidden.compartment.load()).toEqual(new Uint8Array(0));
    await hidden.compartment.save(text('hidden contacts: bob'));
    const mainAgain = await openVault(deps, text('main pw'), options);
    expect(mainAgain.compartment.load()).toEqual(text('main doc'));
    // Under the main password the vault shows S - 1 locked compartments, real or fake alike.
    expect(mainAgain.lockedCompartments()).toHaveLength(layout.slotCount - 1);
    expect((await openVault(deps, text('hidden pw'), options)).compartment.load()).toEqual(text('hidden contacts: bob'));
  });

  it('refuses a hidden password that already opens a compartment', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'in-use');
    const main = await createVault(deps, text('same'), options);
    await expectVaultError(main.createHidden(text('same')), 'password-in-use');
  });

  it('a hidden session creates further hidden compartments without ever taking a slot it knows', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'chain');
    const main = await createVault(deps, text('m'), options);
    await main.createHidden(text('h1'));
    const h1 = await openVault(deps, text('h1'), options);
    await h1.compartment.save(text('one'));
    await h1.createHidden(text('h2'));
    const h1b = await openVault(deps, text('h1'), options);
    await h1b.compartment.save(text('one, still'));
    await h1b.createHidden(text('h3'));
    await expectVaultError(h1b.createHidden(text('h4')), 'no-free-slot');
    expect((await openVault(deps, text('h1'), options)).compartment.load()).toEqual(text('one, still'));
    expect((await openVault(deps, text('h2'), options)).compartment.kind).toBe('hidden');
    expect((await openVault(deps, text('h3'), options)).compartment.kind).toBe('hidden');
    expect((await openVault(deps, text('m'), options)).compartment.kind).toBe('main');
  });

  it('polls a locked compartment and keeps what arrives for it until its password opens it', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'pending');
    const main = await createVault(deps, text('m'), options);
    await main.createHidden(text('h'));
    const hidden = await openVault(deps, text('h'), options);
    if (hidden.compartment.kind !== 'hidden') throw new Error('expected hidden');
    const lkp = [new Uint8Array(32).fill(7), new Uint8Array(32).fill(8)];
    await hidden.compartment.setMailboxKeys(lkp);

    const m = await openVault(deps, text('m'), options);
    const locked = m.lockedCompartments();
    expect(locked.every((c) => c.mailboxKeys.length === layout.mailboxesPerCompartment)).toBe(true);
    const mine = locked.find((c) => c.mailboxKeys.some((k) => k.every((b) => b === 7)));
    expect(mine).toBeDefined();
    expect(mine?.mailboxKeys[1]).toEqual(lkp[1]);
    await m.keepForLocked(mine!.handle, text('envelope 1'));
    await m.keepForLocked(mine!.handle, text('envelope 2'));
    expect(m.lockedCompartments().find((c) => c.handle === mine!.handle)?.pendingCount).toBe(2);

    const h = await openVault(deps, text('h'), options);
    if (h.compartment.kind !== 'hidden') throw new Error('expected hidden');
    expect(h.compartment.pendingEnvelopes()).toEqual([text('envelope 1'), text('envelope 2')]);
    await h.compartment.save(text('merged 2 envelopes'));
    const m2 = await openVault(deps, text('m'), options);
    expect(m2.lockedCompartments().find((c) => c.handle === mine!.handle)?.pendingCount).toBe(0);
    expect((await openVault(deps, text('h'), options)).compartment.load()).toEqual(text('merged 2 envelopes'));
  });

  it('refuses keepForLocked for the open compartment and unknown handles, and too many mailboxes', async () => {
    const { deps } = countingDeps(new MemoryVaultStorage(), 'refusals');
    const main = await createVault(deps, text('m'), options);
    await expectVaultError(main.keepForLocked(99, text('x')), 'unknown-compartment');
    await main.createHidden(text('h'));
    const h = await openVault(deps, text('h'), options);
    if (h.compartment.kind !== 'hidden') throw new Error('expected hidden');
    const ownSlotHidden = h.lockedCompartments().map((c) => c.handle);
    expect(ownSlotHidden).toHaveLength(layout.slotCount - 2);
    const tooMany = Array.from({ length: layout.mailboxesPerCompartment + 1 }, () => new Uint8Array(32));
    await expectVaultError(h.compartment.setMailboxKeys(tooMany), 'too-many-mailboxes');
  });

  it('refuses a document over capacity with a typed error and writes nothing', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'capacity');
    const session = await createVault(deps, text('m'), options);
    const capacity = session.compartment.capacityBytes;
    expect(capacity).toBeGreaterThan(3000);
    await session.compartment.save(new Uint8Array(capacity).fill(1));
    const before = storage.bytes?.slice();
    const e = await expectVaultError(session.compartment.save(new Uint8Array(capacity + 1)), 'vault-full');
    expect(e.fields.documentBytes).toBe(capacity + 1);
    expect(storage.bytes).toEqual(before);
    expect(session.compartment.load()).toEqual(new Uint8Array(capacity).fill(1));
  });

  it('a failed write changes neither the stored file nor the session', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'failed-write');
    const session = await createVault(deps, text('m'), options);
    await session.compartment.save(text('v1'));
    const before = storage.bytes?.slice();
    storage.failNextWrite = true;
    await expectVaultError(session.compartment.save(text('v2')), 'vault-unwritable');
    expect(storage.bytes).toEqual(before);
    expect(session.compartment.load()).toEqual(text('v1'));
    expect((await openVault(deps, text('m'), options)).compartment.load()).toEqual(text('v1'));
  });

  it('records the writing device and a write counter (the version vector for multi-device sync)', async () => {
    const storage = new MemoryVaultStorage();
    const { deps } = countingDeps(storage, 'versions');
    const deviceA = new Uint8Array(16).fill(0xa);
    const deviceB = new Uint8Array(16).fill(0xb);
    const a = await createVault(deps, text('m'), { layout, deviceId: deviceA });
    await a.compartment.save(text('1'));
    const b = await openVault(deps, text('m'), { layout, deviceId: deviceB });
    await b.compartment.save(text('2'));
    expect((await openVault(deps, text('m'), options)).compartment.load()).toEqual(text('2'));
    // Read the main body as the format defines it: device A wrote twice (create, save), device B once.
    const { salt, slots } = splitFile(layout, storage.bytes as Uint8Array);
    const ctx = { suite: deps.suite, random: deps.random, salt, layout };
    const keys = await deriveSlotKeys(CHEAP_KDF, deps.suite, text('m'), salt);
    const bodies = slots.map((stored, i) => {
      const inner = openOuter(ctx, i, keys.outerKey, stored);
      const plain = inner && openInner(ctx, i, keys.innerKey, inner);
      return plain && decodeBody(plain);
    }).filter((b) => b?.ok);
    expect(bodies).toHaveLength(1);
    const body = bodies[0];
    expect(body?.ok && body.value.versions).toEqual([{ deviceId: deviceA, counter: 2 }, { deviceId: deviceB, counter: 1 }]);
    await expect(openVault(deps, text('m'), { layout, deviceId: new Uint8Array(3) })).rejects.toMatchObject({ code: 'bad-argument' });
  });
});
