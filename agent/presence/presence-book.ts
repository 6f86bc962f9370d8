/**
 * Presence for the agent (whitepaper 1.2.3, "Presence protocol for direct
 * messaging"; layout in protocol/envelope/presence.ts): what I publish for
 * each contact, and where each contact says it can be reached.
 *
 *  - Publishing: for a contact whose policy allows the direct path, my
 *    node's direct address is sealed with the conversation's presence key
 *    (only that contact reads it) and handed to the node with the watched
 *    mailbox; the node publishes it on my relays in its poll passes, filed
 *    under that mailbox's tag, which is already unlinkable per contact. The
 *    blob is resealed (fresh random nonce) when half its time to live has
 *    passed, when my address or mailbox changed, or when the epoch did.
 *  - Reading: the contact's blob is looked up on its relays under the tag I
 *    deposit to, opened with the session (another session's key, an expired
 *    or another mailbox's blob is refused), and kept until it expires. A miss
 *    is remembered for `missCacheMs`, so a contact without presence costs
 *    one lookup per period, not one per message; a lookup waits at most
 *    `lookupTimeoutMs`, then the message goes by its other routes. Only
 *    when my node has a direct endpoint itself (it sends straight only then).
 *
 * Pure and portable: the suite, clock, randomness and node port are injected.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import { openPresence, sealPresence } from '../../protocol/session/presence.ts';
import type { Session } from '../../protocol/session/session.ts';
import type { NodePort } from '../../seams/node-port.ts';

export interface PresenceOptions {
  /** How long a published presence lives on the relay. */
  readonly ttlMs: number;
  /** How long "this contact has no presence" is believed. */
  readonly missCacheMs: number;
  readonly lookupTimeoutMs: number;
}

export const DEFAULT_PRESENCE_OPTIONS: PresenceOptions = { ttlMs: 10 * 60_000, missCacheMs: 30_000, lookupTimeoutMs: 2_000 };

export interface PresenceDeps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: { now(): number; setTimer?(delayMs: number, fn: () => void): { cancel(): void } };
  readonly node: NodePort;
}

/** My presence for one contact: the 6-byte tag of the mailbox it is filed under and the sealed blob. */
export interface PublishedPresence {
  readonly tag: Uint8Array;
  readonly blob: Uint8Array;
  readonly ttlSec: number;
}

interface Sealed extends PublishedPresence {
  readonly key: string;
  readonly refreshAtMs: number;
}

export class PresenceBook {
  private readonly mine = new Map<string, Sealed>();
  private readonly theirs = new Map<string, { address?: string; untilMs: number }>();
  private readonly options: PresenceOptions;

  constructor(private readonly deps: PresenceDeps, options: Partial<PresenceOptions> = {}) {
    this.options = { ...DEFAULT_PRESENCE_OPTIONS, ...options };
  }

  /** The presence to publish for this contact now, or undefined when my node has no direct endpoint. */
  publish(contactId: string, session: Session): PublishedPresence | undefined {
    const address = this.deps.node.directAddress;
    if (!address) return undefined;
    const s = session.exportState();
    const tag = mailboxTag(this.deps.suite, s.mailboxes.current.publicKey);
    const epoch = s.next?.origin === 'theirs' ? s.next.epoch : s.current;
    const key = `${toHex(tag)} ${epoch.number} ${address}`;
    const now = this.deps.clock.now();
    const kept = this.mine.get(contactId);
    if (kept && kept.key === key && now < kept.refreshAtMs) return kept;
    const ttlSec = Math.max(1, Math.floor(this.options.ttlMs / 1000));
    const blob = sealPresence(this.deps.suite, session, address, now + ttlSec * 1000, this.deps.random);
    const sealed: Sealed = { tag, blob, ttlSec, key, refreshAtMs: now + this.options.ttlMs / 2 };
    this.mine.set(contactId, sealed);
    return sealed;
  }

  /** The contact's direct address, when its presence (on `relays`, under the 16-byte `relayTag`) is there and opens. */
  async addressOf(contactId: string, session: Session, relayTag: Uint8Array, relays: readonly string[]): Promise<string | undefined> {
    const now = this.deps.clock.now();
    const known = this.theirs.get(contactId);
    if (known && now < known.untilMs) return known.address;
    // A node without a direct endpoint never sends straight (node-port.ts): no lookup to tell the relay about.
    if (!this.deps.node.lookupPresence || !this.deps.node.directAddress || relays.length === 0) return undefined;
    const blob = await this.withTimeout(this.deps.node.lookupPresence(relayTag, relays).catch(() => undefined));
    const opened = blob ? openPresence(this.deps.suite, session, blob, this.deps.clock.now()) : undefined;
    if (opened?.ok) {
      this.theirs.set(contactId, { address: opened.value.address, untilMs: opened.value.expiresAtSeconds * 1000 });
      return opened.value.address;
    }
    // None, expired, or not sealed for me (a relay's substitution): believed absent for a while.
    this.theirs.set(contactId, { untilMs: now + this.options.missCacheMs });
    return undefined;
  }

  /**
   * Behind a NAT (the node has `punch`): opens my NAT towards the contact's
   * address, so that its datagrams get in. Called every tick for each direct
   * contact, by both sides, which makes the punches simultaneous enough and
   * keeps the mappings alive (docs/PROTOCOL.md, "Hole punching").
   */
  async punch(contactId: string, session: Session, relayTag: Uint8Array, relays: readonly string[]): Promise<void> {
    if (!this.deps.node.punch) return;
    const address = await this.addressOf(contactId, session, relayTag, relays);
    if (address) this.deps.node.punch(address);
  }

  /** Forgets what I know of a contact's presence (its direct path failed: look again next time). */
  forget(contactId: string): void {
    this.theirs.delete(contactId);
  }

  private async withTimeout<T>(p: Promise<T | undefined>): Promise<T | undefined> {
    const setTimer = this.deps.clock.setTimer;
    if (!setTimer) return p;
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimer.call(this.deps.clock, this.options.lookupTimeoutMs, () => resolve(undefined));
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      timer?.cancel();
    }
  }
}
