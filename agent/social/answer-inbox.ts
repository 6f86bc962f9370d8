/**
 * Answers dropped into the mailbox of an invitation not yet answered
 * (answer-drop.ts). The agent puts this between the node and its
 * conversations: an envelope for the mailbox of one of my pending
 * invitations is tried as a drop first; one that opens is handed to the
 * answer handler (the social features accept drops for directory entries
 * only, agent/social-bridge.ts) and released. Anything else sent there
 * before the invitation completed (the new contact's first message may
 * overtake its answer on the mesh) is held in memory, a few per mailbox,
 * and given to the conversations once the answer made the contact; the
 * node keeps its copy until then, so a restart gives it again.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { lookupKeyPairFromSecret } from '../../protocol/keys/keys.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import type { ArrivedEnvelope, NodePort } from '../../seams/node-port.ts';
import type { ContactRecord } from '../document.ts';
import { openAnswerDrop } from './answer-drop.ts';

/** Envelopes held per pending mailbox: more is noise (anyone holding the invitation can write there). */
export const MAX_HELD_PER_MAILBOX = 8;

export interface PendingInvitation {
  readonly contactId: string;
  readonly encryptionSecret: Uint8Array;
}

/** The invitation among `records` still waiting for its answer whose mailbox has this 6-byte tag (hex). */
export function pendingInvitationIn(suite: CryptoSuite, records: readonly ContactRecord[], tagHex: string): PendingInvitation | undefined {
  for (const r of records) {
    if (r.status !== 'invited' || !r.pendingKeys) continue;
    const lookup = lookupKeyPairFromSecret(suite, r.pendingKeys.lookupSecret);
    if (toHex(mailboxTag(suite, lookup.publicKey)) === tagHex) return { contactId: r.id, encryptionSecret: r.pendingKeys.encryptionSecret };
  }
  return undefined;
}

export interface AnswerInboxHost {
  /** My pending invitation whose mailbox has this 6-byte tag (hex), if any. */
  pending(tagHex: string): PendingInvitation | undefined;
  /** A drop opened: true when it completed the invitation (the contact is active), false when refused. */
  answered(contactId: string, answer: Uint8Array): Promise<boolean>;
}

export class AnswerInbox {
  private conversations: ((a: ArrivedEnvelope) => void | Promise<void>) | undefined;
  private readonly held = new Map<string, ArrivedEnvelope[]>();

  constructor(private readonly suite: CryptoSuite, private readonly node: NodePort, private readonly host: AnswerInboxHost) {}

  /**
   * The node port the conversations use: the same node (every member, present and future, bound to it), with
   * arriving envelopes passing through here first.
   */
  port(): NodePort {
    const node = this.node;
    const onEnvelope = (handler: (a: ArrivedEnvelope) => void | Promise<void>): (() => void) => {
      this.conversations = handler;
      const off = node.onEnvelope((a) => this.arrived(a));
      return () => {
        off();
        this.conversations = undefined;
        this.held.clear();
      };
    };
    return new Proxy(node, {
      get(target, prop) {
        if (prop === 'onEnvelope') return onEnvelope;
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async arrived(a: ArrivedEnvelope): Promise<void> {
    const tagHex = toHex(a.tag);
    const invitation = this.host.pending(tagHex);
    if (!invitation) {
      await this.conversations?.(a);
      return;
    }
    const answer = openAnswerDrop(this.suite, invitation.encryptionSecret, a.envelope);
    if (!answer) {
      const list = this.held.get(tagHex) ?? [];
      if (list.length < MAX_HELD_PER_MAILBOX && !list.some((h) => toHex(h.id) === toHex(a.id))) list.push(a);
      this.held.set(tagHex, list);
      return;
    }
    const made = await this.host.answered(invitation.contactId, answer);
    this.node.release(a.tag, a.id);
    if (!made) return;
    const early = this.held.get(tagHex) ?? [];
    this.held.delete(tagHex);
    for (const e of early) await this.conversations?.(e);
  }
}
