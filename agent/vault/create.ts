/**
 * New compartments. A fake hidden compartment is made by exactly the code
 * that makes a real one (newHiddenBody, newLockedEntry, sealSlot); the only
 * difference is that its keys come from the random source and are then
 * forgotten instead of from a password. Its slot is therefore AEAD output
 * under keys nobody holds (indistinguishable from random bytes), and its
 * entry in the main compartment (outer key, drop key, mailbox keys) is drawn
 * from the same distributions as a real one's. What a fake "contains" can
 * never be read by anyone, so it holds an empty document.
 */
import { wipe } from '../../protocol/codec/bytes.ts';
import { VaultError } from './errors.ts';
import { MAILBOX_KEY_BYTES, type VaultLayout } from './layout.ts';
import { fitBody } from './session.ts';
import type { HiddenBody, LockedEntry, MainBody } from './slot-body.ts';
import { randomSlotKeys, sealSlot, type SlotContext, type SlotKeys } from './slot-seal.ts';
import type { RandomSource } from '../../protocol/random.ts';

/** A uniform integer in [0, n) by rejection sampling on 16-bit draws (n <= 64 here). */
export function uniformIndex(random: RandomSource, n: number): number {
  const limit = 65536 - (65536 % n);
  for (;;) {
    const b = random.bytes(2);
    const v = ((b[0] as number) << 8) | (b[1] as number);
    if (v < limit) return v % n;
  }
}

/** A slot for a new hidden compartment, uniformly among those not in `keep`. */
export function pickFreeSlot(random: RandomSource, layout: VaultLayout, keep: ReadonlySet<number>): number {
  const free: number[] = [];
  for (let s = 0; s < layout.slotCount; s++) if (!keep.has(s)) free.push(s);
  if (free.length === 0) throw new VaultError('no-free-slot', 'every hidden slot holds a compartment this session must keep', { slotCount: layout.slotCount });
  return free[uniformIndex(random, free.length)] as number;
}

export function newHiddenBody(
  ctx: SlotContext, deviceId: Uint8Array, main: { slot: number; keys: SlotKeys }, knownSlots: readonly number[],
): { body: HiddenBody; dropPublicKey: Uint8Array } {
  const dropSecretKey = ctx.random.bytes(32);
  const body: HiddenBody = {
    kind: 'hidden', versions: [{ deviceId: deviceId.slice(), counter: 1 }], mainSlot: main.slot,
    mainInnerKey: main.keys.innerKey.slice(), mainOuterKey: main.keys.outerKey.slice(), dropSecretKey, knownSlots: [...knownSlots],
    document: new Uint8Array(0),
  };
  return { body, dropPublicKey: ctx.suite.x25519PublicKey(dropSecretKey) };
}

/** Fresh random mailbox seeds: decoys until the compartment's own contacts replace them. */
export function randomMailboxKeys(random: RandomSource, count: number): Uint8Array[] {
  return Array.from({ length: count }, () => random.bytes(MAILBOX_KEY_BYTES));
}

export function newLockedEntry(ctx: SlotContext, slot: number, outerKey: Uint8Array, dropPublicKey: Uint8Array): LockedEntry {
  return { slot, outerKey: outerKey.slice(), dropPublicKey, mailboxKeys: randomMailboxKeys(ctx.random, ctx.layout.mailboxesPerCompartment), pending: [] };
}

export interface CreatedFile {
  readonly file: Uint8Array;
  readonly slots: Uint8Array[];
  readonly main: { slot: number; keys: SlotKeys; body: MainBody };
}

/** The whole first file: the main compartment in a random slot, a fake in every other. */
export function createFiles(ctx: SlotContext, mainKeys: SlotKeys, deviceId: Uint8Array): CreatedFile {
  const { layout } = ctx;
  const mainSlot = uniformIndex(ctx.random, layout.slotCount);
  const slots: Uint8Array[] = [];
  const locked: LockedEntry[] = [];
  for (let slot = 0; slot < layout.slotCount; slot++) {
    if (slot === mainSlot) {
      slots.push(new Uint8Array(0)); // sealed below, once the table is complete
      continue;
    }
    const fakeKeys = randomSlotKeys(ctx.random);
    // A fake names a main compartment too, with keys as random as its own: nobody will ever read them.
    const { body, dropPublicKey } = newHiddenBody(ctx, deviceId, { slot: mainSlot, keys: randomSlotKeys(ctx.random) }, [slot]);
    slots.push(sealSlot(ctx, slot, fakeKeys, fitBody(layout, body)));
    locked.push(newLockedEntry(ctx, slot, fakeKeys.outerKey, dropPublicKey));
    wipe(fakeKeys.innerKey);
    wipe(body.dropSecretKey);
  }
  const main: MainBody = { kind: 'main', versions: [{ deviceId: deviceId.slice(), counter: 1 }], locked, document: new Uint8Array(0) };
  slots[mainSlot] = sealSlot(ctx, mainSlot, mainKeys, fitBody(layout, main));
  const file = new Uint8Array(ctx.salt.length + layout.slotCount * layout.slotBytes);
  file.set(ctx.salt);
  slots.forEach((s, i) => file.set(s, ctx.salt.length + i * layout.slotBytes));
  return { file, slots, main: { slot: mainSlot, keys: mainKeys, body: main } };
}
