/**
 * An open vault: the compartment one password opened, the main
 * compartment's table of locked compartments, and the one way to write,
 * `persist`, which rewrites every slot of the file with fresh nonces:
 *   - the open compartment, and the main one, re-encoded and sealed again;
 *   - every other slot peeled of its outer layer with the R kept in the main
 *     compartment and sealed again, its inner bytes untouched (this session
 *     cannot read them); a slot whose outer layer does not open (damaged) is
 *     written back as it was, never destroyed.
 * Nothing in memory changes unless the storage accepted the write.
 *
 * Several sessions of one vault may be open at once (the node keeps the
 * main one and a hidden one): each write starts by reading the file again
 * and re-opening the main compartment, and builds its bodies from that, so
 * one session never puts back what another wrote before it (an older hidden
 * slot, pending envelopes already taken, mailbox keys already changed).
 */
import { concatBytes, wipe } from '../../protocol/codec/bytes.ts';
import { VaultError } from './errors.ts';
import { openBody, readVaultFile, validMain } from './unlock.ts';
import { bodyBytes, type VaultLayout } from './layout.ts';
import { encodeBody, type HiddenBody, type LockedEntry, type MainBody, type SlotBody, type VersionEntry } from './slot-body.ts';
import { openOuter, padBody, sealOuter, sealSlot, splitFile, type SlotContext, type SlotKeys } from './slot-seal.ts';
import type { PasswordKdf } from './password-kdf.ts';
import type { VaultStorage } from './vault-storage.ts';

const MAX_VERSION_ENTRIES = 16;

export interface OpenSlot<B extends SlotBody> {
  readonly slot: number;
  readonly keys: SlotKeys;
  readonly body: B;
}

export interface SessionState {
  readonly ctx: SlotContext;
  readonly storage: VaultStorage;
  /** For createHidden: one more KDF run, on the new password. */
  readonly kdf: PasswordKdf;
  readonly deviceId: Uint8Array;
  slots: Uint8Array[];
  own: OpenSlot<SlotBody>;
  /** The main compartment: the same slot as `own` in a main session; opened with the keys a hidden body holds otherwise. */
  main: OpenSlot<MainBody>;
}

/** One more write by this device, in a body's version vector (the sync of a later issue merges them). */
export function bumpVersion(versions: readonly VersionEntry[], deviceId: Uint8Array): VersionEntry[] {
  const sameDevice = (v: VersionEntry): boolean => v.deviceId.every((b, i) => b === deviceId[i]);
  const mine = versions.find(sameDevice);
  if (mine) return versions.map((v) => (v === mine ? { deviceId: v.deviceId, counter: (v.counter + 1) >>> 0 } : v));
  if (versions.length >= MAX_VERSION_ENTRIES) throw new VaultError('vault-full', `a compartment records at most ${MAX_VERSION_ENTRIES} devices`);
  return [...versions, { deviceId: deviceId.slice(), counter: 1 }];
}

/** The body padded to its slot, or 'vault-full' naming the sizes. */
export function fitBody(layout: VaultLayout, body: SlotBody): Uint8Array {
  const encoded = encodeBody(body);
  const limit = bodyBytes(layout);
  if (encoded.length > limit) {
    throw new VaultError('vault-full', `the ${body.kind} compartment would need ${encoded.length} bytes; a slot holds ${limit}`,
      { neededBytes: encoded.length, slotCapacityBytes: limit, documentBytes: body.document.length });
  }
  return padBody(layout, encoded);
}

/** Largest document the body can take with everything else it holds now. */
export function documentCapacity(layout: VaultLayout, body: SlotBody): number {
  return bodyBytes(layout) - encodeBody({ ...body, document: new Uint8Array(0) }).length;
}

export interface NextBodies {
  readonly own: SlotBody;
  readonly main: MainBody;
  /** A compartment being created in this write (createHidden). */
  readonly created?: OpenSlot<HiddenBody>;
}

function refreshLocked(state: SessionState, entry: LockedEntry | undefined, slot: number): Uint8Array {
  const stored = state.slots[slot] as Uint8Array;
  if (!entry) return stored;
  const inner = openOuter(state.ctx, slot, entry.outerKey, stored);
  return inner ? sealOuter(state.ctx, slot, entry.outerKey, inner) : stored;
}

/**
 * Takes in what other open sessions wrote since this one last read or wrote
 * the file: the slots, the main body and this session's own body. A slot
 * that no longer opens keeps this session's copy (a damaged file is never
 * made worse by a write).
 */
async function refresh(state: SessionState): Promise<void> {
  const { ctx } = state;
  const { slots } = splitFile(ctx.layout, await readVaultFile(state.storage, ctx.layout));
  const main = openBody(ctx, state.main.slot, state.main.keys, slots[state.main.slot] as Uint8Array);
  if (validMain(ctx.layout, state.main.slot, main)) state.main = { ...state.main, body: main };
  if (state.own.slot === state.main.slot) state.own = state.main;
  else {
    const own = openBody(ctx, state.own.slot, state.own.keys, slots[state.own.slot] as Uint8Array);
    if (own?.kind === state.own.body.kind) state.own = { ...state.own, body: own };
  }
  state.slots = slots;
}

/** Re-reads the file (refresh), builds the next bodies from what it holds now, and writes every slot. */
export async function persist(state: SessionState, build: () => NextBodies): Promise<void> {
  await refresh(state);
  const next = build();
  const { ctx } = state;
  const ownBody = { ...next.own, versions: bumpVersion(next.own.versions, state.deviceId) } as SlotBody;
  const mainBody: MainBody = ownBody.kind === 'main' ? ownBody : { ...next.main, versions: bumpVersion(next.main.versions, state.deviceId) };
  const sealed: Uint8Array[] = [];
  for (let slot = 0; slot < ctx.layout.slotCount; slot++) {
    if (slot === state.own.slot) sealed.push(sealSlot(ctx, slot, state.own.keys, fitBody(ctx.layout, ownBody)));
    else if (slot === state.main.slot) sealed.push(sealSlot(ctx, slot, state.main.keys, fitBody(ctx.layout, mainBody)));
    else if (slot === next.created?.slot) sealed.push(sealSlot(ctx, slot, next.created.keys, fitBody(ctx.layout, next.created.body)));
    else sealed.push(refreshLocked(state, mainBody.locked.find((e) => e.slot === slot), slot));
  }
  await state.storage.write(concatBytes(ctx.salt, ...sealed));
  state.slots = sealed;
  state.own = { ...state.own, body: ownBody };
  state.main = { ...state.main, body: mainBody };
  if (ownBody.kind === 'main') state.main = state.own as OpenSlot<MainBody>;
}

export function wipeState(state: SessionState): void {
  for (const k of [state.own.keys, state.main.keys]) {
    wipe(k.innerKey);
    wipe(k.outerKey);
  }
}
