/**
 * Opening a vault with one typed password, in the same work whatever the
 * password and whatever the slots hold (the examiner who watches the device
 * learns nothing from how long it took):
 *   1. one PasswordKdf run (the only slow step);
 *   2. the outer layer of EVERY slot tried with R, no early exit;
 *   3. exactly one inner open: on the slot that matched, or on a decoy of the
 *      same length when none did;
 *   4. exactly one more outer-and-inner pair: the main slot with the keys a
 *      hidden body holds, or a decoy pair for a main (or wrong) password.
 * So S + 3 AEAD opens and one KDF run, always; what differs is only whether
 * an open succeeded. Every failure is the one 'wrong-password' error.
 */
import { VaultError, wrongPassword } from './errors.ts';
import { NONCE_BYTES, TAG_BYTES, fileBytes, type VaultLayout } from './layout.ts';
import { decodeBody, type MainBody, type SlotBody } from './slot-body.ts';
import { deriveSlotKeys, openInner, openOuter, splitFile, type SlotContext, type SlotKeys } from './slot-seal.ts';
import type { VaultDeps } from './deps.ts';
import type { VaultStorage } from './vault-storage.ts';

export interface Unlocked {
  readonly ctx: SlotContext;
  readonly slots: Uint8Array[];
  readonly own: { slot: number; keys: SlotKeys; body: SlotBody };
  readonly main: { slot: number; keys: SlotKeys; body: MainBody };
}

export async function readVaultFile(storage: VaultStorage, layout: VaultLayout): Promise<Uint8Array> {
  const file = await storage.read();
  if (file === undefined) throw new VaultError('vault-missing', 'there is no vault here yet: create one first');
  const expected = fileBytes(layout);
  if (file.length !== expected) {
    const how = file.length < expected ? 'is cut short' : 'is not a vault of this layout';
    throw new VaultError('vault-damaged', `the vault file ${how}: ${file.length} bytes where ${expected} were expected`,
      { expectedBytes: expected, actualBytes: file.length });
  }
  return file;
}

/** Opens one slot (both layers) and decodes its body; undefined for anything that fails. */
export function openBody(ctx: SlotContext, slot: number, keys: SlotKeys, stored: Uint8Array): SlotBody | undefined {
  const inner = openOuter(ctx, slot, keys.outerKey, stored);
  const plain = inner && openInner(ctx, slot, keys.innerKey, inner);
  const decoded = plain && decodeBody(plain);
  return decoded && decoded.ok ? decoded.value : undefined;
}

export function validMain(layout: VaultLayout, slot: number, body: SlotBody | undefined): body is MainBody {
  if (body?.kind !== 'main') return false;
  const seen = new Set(body.locked.map((e) => e.slot));
  return seen.size === layout.slotCount - 1 && !seen.has(slot) && body.locked.every((e) =>
    e.slot < layout.slotCount && e.mailboxKeys.length === layout.mailboxesPerCompartment);
}

export async function unlock(deps: VaultDeps, layout: VaultLayout, password: Uint8Array): Promise<Unlocked> {
  const file = await readVaultFile(deps.storage, layout);
  const { salt, slots } = splitFile(layout, file);
  const ctx: SlotContext = { suite: deps.suite, random: deps.random, salt, layout };
  const keys = await deriveSlotKeys(deps.kdf, deps.suite, password, salt);

  let matched = -1;
  let matchedInner: Uint8Array | undefined;
  slots.forEach((stored, slot) => {
    const inner = openOuter(ctx, slot, keys.outerKey, stored);
    if (inner && matched < 0) {
      matched = slot;
      matchedInner = inner;
    }
  });
  const innerLength = layout.slotBytes - NONCE_BYTES - TAG_BYTES;
  const plain = openInner(ctx, Math.max(matched, 0), keys.innerKey, matchedInner ?? new Uint8Array(innerLength));
  const decoded = plain && decodeBody(plain);
  const body = decoded && decoded.ok ? decoded.value : undefined;

  if (body?.kind === 'hidden') {
    const mainKeys = { innerKey: body.mainInnerKey, outerKey: body.mainOuterKey };
    const mainSlot = body.mainSlot;
    const mainBody = mainSlot < layout.slotCount && mainSlot !== matched
      ? openBody(ctx, mainSlot, mainKeys, slots[mainSlot] as Uint8Array) : undefined;
    if (!validMain(layout, mainSlot, mainBody)) {
      throw new VaultError('vault-damaged', 'this hidden compartment opened, but the main part of the vault it depends on is damaged');
    }
    return { ctx, slots, own: { slot: matched, keys, body }, main: { slot: mainSlot, keys: mainKeys, body: mainBody } };
  }
  // The same pair of opens a hidden password costs, on a decoy, so that both kinds take the same work.
  openOuter(ctx, 0, keys.outerKey, new Uint8Array(layout.slotBytes));
  openInner(ctx, 0, keys.innerKey, new Uint8Array(innerLength));
  if (!validMain(layout, matched, body)) throw wrongPassword();
  const own = { slot: matched, keys, body };
  return { ctx, slots, own, main: own };
}
