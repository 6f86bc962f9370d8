/**
 * The mailboxes of my Lkp rotation (docs/PROTOCOL.md, "Rotations", Lkp):
 * current, pending (proposed, polled already) and draining (the replaced
 * one, polled until lookupDrainMs has passed). Tags are computed once per
 * Lkp public key, since open() checks the tag of every envelope.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { compareBytes, mailboxTag } from './key-schedule.ts';
import type { OwnMailbox } from './session-types.ts';
import { type OwnMailboxes, deadline } from './state.ts';

export class OwnMailboxTags {
  private readonly tags = new WeakMap<Uint8Array, Uint8Array>();

  constructor(private readonly suite: CryptoSuite) {}

  tagOf(lookupPublic: Uint8Array): Uint8Array {
    let tag = this.tags.get(lookupPublic);
    if (!tag) {
      tag = mailboxTag(this.suite, lookupPublic);
      this.tags.set(lookupPublic, tag);
    }
    return tag;
  }

  /** Which of my mailboxes an envelope's tag names, if any. */
  stateOf(m: OwnMailboxes, tag: Uint8Array): OwnMailbox['state'] | undefined {
    const is = (pub: Uint8Array): boolean => compareBytes(tag, this.tagOf(pub)) === 0;
    if (is(m.current.publicKey)) return 'current';
    if (m.pending && is(m.pending.publicKey)) return 'pending';
    if (m.previous && is(m.previous.pair.publicKey)) return 'draining';
    return undefined;
  }

  list(m: OwnMailboxes): OwnMailbox[] {
    const out: OwnMailbox[] = [{ tag: this.tagOf(m.current.publicKey).slice(), lookup: m.current, state: 'current' }];
    if (m.pending) out.push({ tag: this.tagOf(m.pending.publicKey).slice(), lookup: m.pending, state: 'pending' });
    if (m.previous) out.push({ tag: this.tagOf(m.previous.pair.publicKey).slice(), lookup: m.previous.pair, state: 'draining' });
    return out;
  }
}

/** The peer wrote to my pending mailbox: it becomes current, the current one drains. */
export function commitLookup(m: OwnMailboxes, nowMs: number, lookupDrainMs: number): void {
  if (!m.pending) return;
  if (m.previous) m.previous.pair.secretKey.fill(0);
  m.previous = { pair: m.current, drainUntilMs: deadline(nowMs, lookupDrainMs) };
  m.current = m.pending;
  m.pending = undefined;
}

export function expireMailboxes(m: OwnMailboxes, nowMs: number): void {
  if (m.previous && nowMs >= m.previous.drainUntilMs) {
    m.previous.pair.secretKey.fill(0);
    m.previous = undefined;
  }
}
