/**
 * The compartment a password opened: the agent's document (identity,
 * contacts, conversations, drafts, in whatever encoding the agent chooses)
 * and, for a hidden one, what the main compartment polls and keeps for it
 * while it is locked.
 */
import { openFromDropBox } from './drop-box.ts';
import { VaultError } from './errors.ts';
import { MAILBOX_KEY_BYTES } from './layout.ts';
import { randomMailboxKeys } from './create.ts';
import { documentCapacity, persist, type SessionState } from './session.ts';
import type { HiddenBody, MainBody } from './slot-body.ts';

interface CompartmentBase {
  /** Largest document save() accepts now (the main one shrinks as pending envelopes arrive). */
  readonly capacityBytes: number;
  /** A copy of the document; empty for a new compartment. */
  load(): Uint8Array;
  /** Replaces the document: one atomic write of the whole file. Over capacity: VaultError 'vault-full', nothing written. */
  save(document: Uint8Array): Promise<void>;
}

export interface MainCompartmentView extends CompartmentBase {
  readonly kind: 'main';
}

export interface HiddenCompartmentView extends CompartmentBase {
  readonly kind: 'hidden';
  /**
   * The Lkp seeds of this compartment's contacts' mailboxes, polled while it
   * is locked; padded with fresh random decoys to the fixed count, so the
   * main compartment sees as many as it sees for a fake.
   */
  setMailboxKeys(seeds: readonly Uint8Array[]): Promise<void>;
  /**
   * Envelopes kept for this compartment while it was locked. The next save()
   * removes them from the main compartment in the same atomic write that
   * stores the document they were merged into, so none is lost or kept twice.
   */
  pendingEnvelopes(): Uint8Array[];
}

export type Compartment = MainCompartmentView | HiddenCompartmentView;

export class MainCompartment implements MainCompartmentView {
  readonly kind = 'main';

  constructor(private readonly state: SessionState) {}

  get capacityBytes(): number {
    return documentCapacity(this.state.ctx.layout, this.state.main.body);
  }

  load(): Uint8Array {
    return this.state.main.body.document.slice();
  }

  async save(document: Uint8Array): Promise<void> {
    const copy = document.slice();
    await persist(this.state, () => {
      const main: MainBody = { ...this.state.main.body, document: copy };
      return { own: main, main };
    });
  }
}

export class HiddenCompartment implements HiddenCompartmentView {
  readonly kind = 'hidden';
  /** How many pending envelopes pendingEnvelopes() handed out: the next save drops them. */
  private taken = 0;

  constructor(private readonly state: SessionState) {}

  private get body(): HiddenBody {
    return this.state.own.body as HiddenBody;
  }

  private pendingList(): readonly Uint8Array[] {
    return this.state.main.body.locked.find((e) => e.slot === this.state.own.slot)?.pending ?? [];
  }

  get capacityBytes(): number {
    return documentCapacity(this.state.ctx.layout, this.body);
  }

  load(): Uint8Array {
    return this.body.document.slice();
  }

  pendingEnvelopes(): Uint8Array[] {
    const pending = this.pendingList();
    this.taken = pending.length;
    // One that does not open was not sealed by this vault's code; it is dropped with the others on save.
    return pending.map((p) => openFromDropBox(this.state.ctx.suite, this.body.dropSecretKey, p))
      .filter((e): e is Uint8Array => e !== undefined);
  }

  async save(document: Uint8Array): Promise<void> {
    const taken = this.taken;
    const copy = document.slice();
    await this.write(() => ({ ...this.body, document: copy }), (e) => ({ ...e, pending: e.pending.slice(taken) }));
    this.taken = 0;
  }

  async setMailboxKeys(seeds: readonly Uint8Array[]): Promise<void> {
    const { layout, random } = this.state.ctx;
    if (seeds.length > layout.mailboxesPerCompartment) {
      throw new VaultError('too-many-mailboxes', `a hidden compartment polls at most ${layout.mailboxesPerCompartment} mailboxes`,
        { given: seeds.length, limit: layout.mailboxesPerCompartment });
    }
    if (seeds.some((s) => s.length !== MAILBOX_KEY_BYTES)) throw new VaultError('bad-argument', `a mailbox key seed is ${MAILBOX_KEY_BYTES} bytes`);
    const mailboxKeys = [...seeds.map((s) => s.slice()), ...randomMailboxKeys(random, layout.mailboxesPerCompartment - seeds.length)];
    await this.write(() => this.body, (e) => ({ ...e, mailboxKeys }));
  }

  private async write(own: () => HiddenBody, change: (e: MainBody['locked'][number]) => MainBody['locked'][number]): Promise<void> {
    await persist(this.state, () => {
      const main = this.state.main.body;
      const locked = main.locked.map((e) => (e.slot === this.state.own.slot ? change(e) : e));
      return { own: own(), main: { ...main, locked } };
    });
  }
}
