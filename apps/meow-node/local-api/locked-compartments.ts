/**
 * Mail for hidden compartments whose password is not typed (issue 8,
 * "Fake hidden contacts ... polled like real ones"). While the main
 * compartment is unlocked, the node watches the mailboxes the vault lists
 * for every locked compartment, real and fake alike (always
 * mailboxesPerCompartment of them, the same for both), on the relays the
 * user's cards name and on this node's mesh mailboxes; an envelope that
 * arrives for one is sealed to that compartment's drop key and kept in the
 * vault (session.keepForLocked) before the node lets go of it. When the
 * compartment's password opens it, what was kept goes back into the node's
 * mailboxes and reaches the agent like any arrival; the compartment's next
 * save drops it from the vault.
 *
 * Every vault write of the host goes through serial(): the agent's saves
 * and keepForLocked rewrite the same file and must not overlap.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { mailboxTag } from '../../../protocol/session/key-schedule.ts';
import type { ArrivedEnvelope, NodePort, WatchedMailbox } from '../../../seams/node-port.ts';
import type { DocumentCompartment } from '../../../agent/compartment.ts';
import type { VaultSession } from '../../../agent/vault/vault.ts';

export type KeeperNode = NodePort & {
  watchFor?(source: string, mailboxes: readonly WatchedMailbox[]): void;
  inject?(envelope: Uint8Array): void;
};

export class LockedCompartmentKeeper {
  private queue: Promise<unknown> = Promise.resolve();
  private tags = new Map<string, number>();
  private main: VaultSession | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly suite: CryptoSuite, private readonly node: KeeperNode) {
    this.unsubscribe = node.onEnvelope((a) => this.arrived(a));
  }

  /** Runs vault writes one after the other. */
  serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The compartment as the agent sees it, its saves in the host's one queue. */
  wrap(compartment: DocumentCompartment): DocumentCompartment {
    return { load: () => compartment.load(), save: (document) => this.serial(async () => compartment.save(document)) };
  }

  /**
   * Watches every compartment no open session can read (a hidden session's
   * own slot is missing from its own list) on `relays`. sessions[0] is the main one.
   */
  watch(sessions: readonly VaultSession[], relays: readonly string[]): void {
    this.main = sessions[0];
    const lists = sessions.map((s) => new Set(s.lockedCompartments().map((c) => c.handle)));
    const locked = (this.main?.lockedCompartments() ?? []).filter((c) => lists.every((l) => l.has(c.handle)));
    this.tags = new Map();
    const boxes: WatchedMailbox[] = [];
    for (const c of locked) {
      for (const seed of c.mailboxKeys) {
        const tag = mailboxTag(this.suite, this.suite.ed25519PublicKey(seed));
        this.tags.set(toHex(tag), c.handle);
        boxes.push({ tag, lookupSecret: seed, relays });
      }
    }
    this.node.watchFor?.('locked', boxes);
  }

  /** A hidden compartment just opened: what was kept for it goes back through the node to the agent. */
  reinject(session: VaultSession): void {
    if (session.compartment.kind !== 'hidden' || !this.node.inject) return;
    for (const envelope of session.compartment.pendingEnvelopes()) this.node.inject(envelope);
  }

  /** Writes the Lkp seeds of an open hidden compartment's mailboxes into the vault, so they are polled once it is locked. */
  async publishSeeds(session: VaultSession, seeds: readonly Uint8Array[], limit: number): Promise<void> {
    const compartment = session.compartment;
    if (compartment.kind !== 'hidden') return;
    // Newest mailboxes first when there are more than a slot lists (the oldest are drained already).
    await this.serial(() => compartment.setMailboxKeys(seeds.slice(-limit)));
  }

  stop(): void {
    this.main = undefined;
    this.tags = new Map();
    this.node.watchFor?.('locked', []);
  }

  close(): void {
    this.stop();
    this.unsubscribe();
  }

  private async arrived(a: ArrivedEnvelope): Promise<void> {
    const handle = this.tags.get(toHex(a.tag));
    const main = this.main;
    if (handle === undefined || !main) return;
    await this.serial(() => main.keepForLocked(handle, a.envelope));
    // Kept in the vault (on disk): the node may delete its copy.
    this.node.release(a.tag, a.id);
  }
}
