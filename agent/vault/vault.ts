/**
 * The agent's encrypted vault (whitepaper 1.2.5, issue 8): identity,
 * contacts, conversations and drafts live only here, encrypted under a
 * password that cannot be recovered. One main compartment and S - 1 hidden
 * ones; every hidden compartment starts as a fake (sealed under keys drawn
 * at random and forgotten) and a real one takes a fake's slot. layout.ts
 * has the file, unlock.ts the constant-work opening, session.ts the
 * whole-file rewrite.
 *
 *   const session = await openVault(deps, password);
 *   const doc = session.compartment.load();          // empty for a new compartment
 *   await session.compartment.save(nextDoc);         // atomic, every slot re-encrypted
 */
import { sealToDropKey } from './drop-box.ts';
import { VaultError } from './errors.ts';
import { checkLayout, DEFAULT_VAULT_LAYOUT, DEVICE_ID_BYTES, SALT_BYTES, type VaultLayout } from './layout.ts';
import { HiddenCompartment, MainCompartment, type Compartment } from './compartment.ts';
import { createFiles, newHiddenBody, pickFreeSlot, newLockedEntry } from './create.ts';
import type { VaultDeps } from './deps.ts';
import { persist, wipeState, type SessionState } from './session.ts';
import type { MainBody } from './slot-body.ts';
import { deriveSlotKeys, openOuter } from './slot-seal.ts';
import { unlock } from './unlock.ts';

export type { Compartment } from './compartment.ts';
export type { VaultDeps } from './deps.ts';


export interface VaultOptions {
  /** Slot count and size; must be the same when creating and opening. */
  readonly layout?: VaultLayout;
  /** This device's 16-byte id in the compartments' version vectors (default: drawn at creation, the first writer's afterwards). */
  readonly deviceId?: Uint8Array;
}

/** What the agent polls for a compartment whose password is not open. Real and fake ones look alike. */
export interface LockedCompartment {
  /** Opaque handle for keepForLocked (a slot number; tells nothing under the main password). */
  readonly handle: number;
  /** Ed25519 seeds of the Lkp mailbox keys to fetch; always layout.mailboxesPerCompartment of them. */
  readonly mailboxKeys: readonly Uint8Array[];
  /** X25519 key that envelopes fetched for it are sealed to. */
  readonly dropPublicKey: Uint8Array;
  readonly pendingCount: number;
}

export interface VaultSession {
  readonly compartment: Compartment;
  /** Every compartment this session polls but cannot read: all hidden ones but the open one. */
  lockedCompartments(): readonly LockedCompartment[];
  /** Keeps an envelope fetched for a locked compartment, sealed to its drop key, until its password opens it. */
  keepForLocked(handle: number, envelope: Uint8Array): Promise<void>;
  /**
   * Turns a fake hidden compartment into a real one opened by `password`.
   * From the main session any hidden slot may be taken, since the main
   * password cannot tell real from fake: create the second and later hidden
   * compartments from inside a hidden session, which knows the slots it must
   * keep (its own and those it created).
   */
  createHidden(password: Uint8Array): Promise<void>;
  /** Forgets the keys (the session is unusable afterwards). */
  close(): void;
}

function resolveLayout(options: VaultOptions | undefined): VaultLayout {
  const layout = options?.layout ?? DEFAULT_VAULT_LAYOUT;
  checkLayout(layout);
  if (options?.deviceId !== undefined && options.deviceId.length !== DEVICE_ID_BYTES) {
    throw new VaultError('bad-argument', `a device id is ${DEVICE_ID_BYTES} bytes`);
  }
  return layout;
}

class Session implements VaultSession {
  readonly compartment: Compartment;

  constructor(private readonly state: SessionState) {
    this.compartment = state.own.body.kind === 'main' ? new MainCompartment(state) : new HiddenCompartment(state);
  }

  lockedCompartments(): readonly LockedCompartment[] {
    return this.state.main.body.locked.filter((e) => e.slot !== this.state.own.slot).map((e) => ({
      handle: e.slot, mailboxKeys: e.mailboxKeys, dropPublicKey: e.dropPublicKey, pendingCount: e.pending.length,
    }));
  }

  async keepForLocked(handle: number, envelope: Uint8Array): Promise<void> {
    const { state } = this;
    const known = state.main.body.locked.find((e) => e.slot === handle);
    if (!known || handle === state.own.slot) throw new VaultError('unknown-compartment', 'no locked compartment has this handle', { handle });
    const sealed = sealToDropKey(state.ctx.suite, state.ctx.random, known.dropPublicKey, envelope);
    await persist(state, () => {
      const main: MainBody = { ...state.main.body, locked: state.main.body.locked.map((e) => (e.slot === handle ? { ...e, pending: [...e.pending, sealed] } : e)) };
      return { own: state.own.body.kind === 'main' ? main : state.own.body, main };
    });
  }

  async createHidden(password: Uint8Array): Promise<void> {
    const { state } = this;
    const { ctx } = state;
    const keys = await deriveSlotKeys(state.kdf, ctx.suite, password, ctx.salt);
    if (state.slots.some((stored, slot) => openOuter(ctx, slot, keys.outerKey, stored) !== undefined)) {
      throw new VaultError('password-in-use', 'this password already opens a part of this vault: choose another');
    }
    const own = state.own.body;
    const keep = new Set([state.main.slot, state.own.slot, ...(own.kind === 'hidden' ? own.knownSlots : [])]);
    const slot = pickFreeSlot(ctx.random, ctx.layout, keep);
    const knownSlots = [...(own.kind === 'hidden' ? own.knownSlots : []), slot];
    const { body, dropPublicKey } = newHiddenBody(ctx, state.deviceId, state.main, knownSlots);
    const entry = newLockedEntry(ctx, slot, keys.outerKey, dropPublicKey);
    await persist(state, () => {
      const main: MainBody = { ...state.main.body, locked: state.main.body.locked.map((e) => (e.slot === slot ? entry : e)) };
      const latestOwn = state.own.body;
      const nextOwn = latestOwn.kind === 'main' ? main : { ...latestOwn, knownSlots };
      return { own: nextOwn, main, created: { slot, keys, body } };
    });
  }

  close(): void {
    wipeState(this.state);
  }
}

/** Creates the vault file: the main compartment (empty document) and S - 1 fake hidden ones. Refuses to overwrite. */
export async function createVault(deps: VaultDeps, mainPassword: Uint8Array, options?: VaultOptions): Promise<VaultSession> {
  const layout = resolveLayout(options);
  if ((await deps.storage.read()) !== undefined) throw new VaultError('vault-exists', 'a vault already exists here: it was left untouched');
  const deviceId = options?.deviceId ?? deps.random.bytes(DEVICE_ID_BYTES);
  const salt = deps.random.bytes(SALT_BYTES);
  const keys = await deriveSlotKeys(deps.kdf, deps.suite, mainPassword, salt);
  const created = createFiles({ suite: deps.suite, random: deps.random, salt, layout }, keys, deviceId);
  await deps.storage.write(created.file);
  return new Session({
    ctx: { suite: deps.suite, random: deps.random, salt, layout }, storage: deps.storage, kdf: deps.kdf, deviceId,
    slots: created.slots, own: created.main, main: created.main,
  });
}

/** Opens the compartment `password` opens: 'wrong-password' (always the same error and the same work) when none does. */
export async function openVault(deps: VaultDeps, password: Uint8Array, options?: VaultOptions): Promise<VaultSession> {
  const layout = resolveLayout(options);
  const opened = await unlock(deps, layout, password);
  const deviceId = options?.deviceId ?? (opened.own.body.versions[0]?.deviceId as Uint8Array);
  return new Session({ ...opened, slots: [...opened.slots], storage: deps.storage, kdf: deps.kdf, deviceId });
}
