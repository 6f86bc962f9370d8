/**
 * What happens to messages once contacts exist: sealing and handing over
 * to the node, what an arriving envelope means, delivery receipts, message
 * states, and Ekp/Lkp rotation in use.
 *
 * Receipts: every text received is answered by a control message whose
 * ack block names it (protocol/envelope/inner.ts). That ack is
 * authenticated by the session like any message, so "delivered" means the
 * contact's device opened it. A receipt is not itself acknowledged.
 *
 * Rotation: after `rotateAfterMessages` sent or `rotateEveryMs`, both the
 * Ekp and the Lkp rotate (protocol/session/session.ts); a control message
 * carries the new keys at once. The old mailbox stays watched while the
 * session drains it, then it drops out of the watch list and the node
 * forgets it.
 *
 * Presence and the direct path (agent/presence/presence-book.ts): for a
 * contact whose policy is 'direct', my presence rides on the watched current
 * mailbox, and a message goes first to the contact's direct address when its
 * presence gives one; the node falls back to the mesh and relays. The
 * message remembers which path took it (`via`).
 */
import { toHex } from '../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../protocol/crypto/suite.ts';
import { decodeCard } from '../protocol/card/decode.ts';
import { decodeDirectEnvelope } from '../protocol/envelope/direct.ts';
import { lookupKeyPairFromSecret } from '../protocol/keys/keys.ts';
import type { RandomSource } from '../protocol/random.ts';
import { SessionError } from '../protocol/session/errors.ts';
import { mailboxTag } from '../protocol/session/key-schedule.ts';
import { mailboxTagOf } from '../protocol/server/mailbox.ts';
import type { Session } from '../protocol/session/session.ts';
import type { MessageId } from '../protocol/session/state.ts';
import type { AgentEvent, ContactView, MessageState, MessageView } from '../seams/local-api.ts';
import type { ArrivedEnvelope, NodePort, SubmissionUpdate, WatchedMailbox } from '../seams/node-port.ts';
import type { ContactRecord, MessageRecord } from './document.ts';
import { AgentCoreError } from './errors.ts';
import { routeFor } from './policy.ts';
import { peerServers } from './cards.ts';
import { PresenceBook } from './presence/presence-book.ts';
import { onionRouteOf, type OnionSendOptions, sameStateNote } from './onion-send.ts';

export interface ConversationHost {
  record(id: string): ContactRecord;
  session(record: ContactRecord): Session;
  save(record: ContactRecord): Promise<void>;
  emit(event: AgentEvent): void;
  view(record: ContactRecord): ContactView;
  all(): ContactRecord[];
  watch(): void;
  /** A data body opened in this conversation (social control messages, agent/social-bridge.ts). */
  data?(record: ContactRecord, bytes: Uint8Array): Promise<void>;
}

interface Deps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: { now(): number };
  readonly node: NodePort;
  /** The node's own port when `node` is a wrapper (agent/social/answer-inbox.ts) that passes on only the core calls. */
  readonly presenceNode?: NodePort;
}

interface Options {
  readonly rotateAfterMessages: number;
  readonly rotateEveryMs: number;
  readonly messageTtlMs: number;
  /** Matriochka chains (agent/onion-send.ts DEFAULT_ONION_SEND when absent). */
  readonly onion?: Partial<OnionSendOptions>;
}

const STATE_RANK: Record<MessageState, number> = { failed: 0, queued: 1, sent: 2, deposited: 3, delivered: 4 };

export function messageIdHex(id: MessageId): string {
  return id.epoch.toString(16).padStart(8, '0') + id.counter.toString(16).padStart(8, '0');
}

export class Conversations {
  private readonly receipts = new Map<string, { contactId: string; messageId: string }>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly dirty = new Set<ContactRecord>();
  private readonly presence: PresenceBook;

  constructor(private readonly deps: Deps, private readonly options: Options, private readonly host: ConversationHost) {
    this.presence = new PresenceBook({ ...deps, node: deps.presenceNode ?? deps.node });
  }

  async start(): Promise<void> {
    this.unsubscribe.push(this.deps.node.onEnvelope((a) => this.arrived(a)));
    this.unsubscribe.push(this.deps.node.onState((u) => this.stateUpdate(u)));
    await this.resume();
    this.watch();
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Resubmits what a crash left unsent and catches up on receipt states the node kept meanwhile. */
  async resume(): Promise<void> {
    for (const r of this.host.all()) {
      for (const m of r.messages) {
        if (m.pendingEnvelope) await this.submitMessage(r, m);
        for (const receipt of m.receipts) {
          this.receipts.set(receipt, { contactId: r.id, messageId: m.id });
          const known = this.deps.node.receiptState(receipt);
          if (known) this.applyState(r, m, known);
        }
      }
      await this.submitControls(r);
    }
  }

  /** Tells the node every mailbox of every open contact (invited ones too), with the Lkp to fetch them from my relays. */
  watch(): void {
    const list: WatchedMailbox[] = [];
    const now = this.deps.clock.now();
    for (const r of this.host.all()) {
      const relays = this.myRelays(r);
      if (r.status === 'invited' && r.pendingKeys) {
        const lookup = lookupKeyPairFromSecret(this.deps.suite, r.pendingKeys.lookupSecret);
        list.push({ tag: mailboxTag(this.deps.suite, lookup.publicKey), lookupSecret: lookup.secretKey, relays });
      } else if (r.status === 'active') {
        const session = this.host.session(r);
        const mine = r.policy.mode === 'direct' && relays.length > 0 ? this.presence.publish(r.id, session) : undefined;
        for (const box of session.mailboxes(now)) {
          const presence = mine && toHex(mine.tag) === toHex(box.tag) ? { presence: { blob: mine.blob, ttlSec: mine.ttlSec } } : {};
          list.push({ tag: box.tag, lookupSecret: box.lookup.secretKey, relays, ...presence });
        }
      }
    }
    this.deps.node.watch(list);
  }

  /** The Lkp seeds of these contacts' mailboxes (a hidden compartment's, polled while it is locked). */
  seeds(records: readonly ContactRecord[]): Uint8Array[] {
    const now = this.deps.clock.now();
    return records.flatMap((r) => {
      if (r.status === 'invited' && r.pendingKeys) return [r.pendingKeys.lookupSecret];
      return r.status === 'active' ? this.host.session(r).mailboxes(now).map((b) => b.lookup.secretKey) : [];
    });
  }

  async send(r: ContactRecord, text: string): Promise<MessageView> {
    const session = this.host.session(r);
    let sealed;
    try {
      sealed = session.sealText(text);
    } catch (error) {
      if (error instanceof SessionError && error.code === 'content-too-long') {
        throw new AgentCoreError('message-too-large', 'this message is too long for one envelope (4 KiB): split it');
      }
      throw error;
    }
    const m: MessageRecord = {
      id: messageIdHex(sealed.id), direction: 'out', text, at: this.deps.clock.now(), state: 'queued', receipts: [], pendingEnvelope: sealed.envelope,
    };
    r.messages.push(m);
    r.sentSinceRotation++;
    if (r.draft !== '') r.draft = '';
    await this.host.save(r);
    await this.submitMessage(r, m);
    const view = { id: m.id, contactId: r.id, direction: m.direction, text, at: m.at, state: m.state ?? 'queued' } as const;
    this.host.emit({ type: 'message', message: view });
    return view;
  }

  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    for (const r of this.host.all()) {
      if (r.status !== 'active') continue;
      const due = r.sentSinceRotation >= this.options.rotateAfterMessages || now - r.lastRotationAt >= this.options.rotateEveryMs;
      if (due) await this.rotate(r);
    }
    this.watch();
    for (const r of [...this.dirty]) await this.host.save(r);
    this.dirty.clear();
    for (const r of this.host.all()) {
      if (r.status !== 'active' || r.policy.mode !== 'direct') continue;
      const session = this.host.session(r);
      await this.presence.punch(r.id, session, mailboxTagOf(this.deps.suite, session.exportState().theirLookup), r.policy.relays);
    }
  }

  /** A data body sealed in the contact's session and queued like a control message (agent/social/control.ts). */
  async sendData(r: ContactRecord, bytes: Uint8Array): Promise<void> {
    r.pendingControl.push(this.host.session(r).seal({ type: 'data', bytes }).envelope);
    await this.host.save(r);
    await this.submitControls(r);
  }

  /** Proposes a fresh Ekp and Lkp now; a control message carries them (they commit on the contact's reply). */
  async rotate(r: ContactRecord): Promise<void> {
    const session = this.host.session(r);
    session.rotateEncryptionKey(this.deps.random);
    session.rotateLookupKey(this.deps.random);
    r.sentSinceRotation = 0;
    r.lastRotationAt = this.deps.clock.now();
    r.pendingControl.push(session.sealControl().envelope);
    await this.host.save(r);
    this.watch();
    await this.submitControls(r);
  }

  // ---------------------------------------------------------------- internals

  private myRelays(r: ContactRecord): string[] {
    const card = decodeCard(this.deps.suite, r.myCard);
    return card.ok ? card.value.servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url) : [];
  }

  private async submit(r: ContactRecord, envelope: Uint8Array): Promise<string> {
    const route = routeFor(r.policy, peerServers(this.deps.suite, r));
    const decoded = decodeDirectEnvelope(envelope);
    if (!decoded.ok) throw new AgentCoreError('bad-request', 'internal: a sealed envelope does not decode');
    const tag = this.relayTag(r, decoded.value.mailboxTag);
    const direct = r.policy.mode === 'direct' && tag.length > decoded.value.mailboxTag.length
      ? await this.presence.addressOf(r.id, this.host.session(r), tag, route.relays) : undefined;
    return this.deps.node.submit({
      tag, envelope, relays: route.relays, ttlMs: this.options.messageTtlMs,
      ...(route.meshNode ? { meshNode: route.meshNode } : {}), ...(direct ? { direct } : {}),
      ...(route.onionTrusted ? { onion: onionRouteOf(route, this.options.onion) } : {}),
    });
  }

  /**
   * A relay files a mailbox under the 16-byte tag of its Lkp (protocol/server/mailbox.ts); the envelope
   * carries its first 6 bytes. The contact's current Lkp gives the full tag when the prefixes agree
   * (they do not for an envelope sealed before the contact rotated: the 6-byte tag then goes alone, mesh only).
   */
  private relayTag(r: ContactRecord, envelopeTag: Uint8Array): Uint8Array {
    const full = mailboxTagOf(this.deps.suite, this.host.session(r).exportState().theirLookup);
    return envelopeTag.every((b, i) => full[i] === b) ? full : envelopeTag;
  }

  private async submitMessage(r: ContactRecord, m: MessageRecord): Promise<void> {
    const receipt = await this.submit(r, m.pendingEnvelope!);
    if (!m.receipts.includes(receipt)) m.receipts.push(receipt);
    delete m.pendingEnvelope;
    this.receipts.set(receipt, { contactId: r.id, messageId: m.id });
    this.dirty.add(r);
  }

  private async submitControls(r: ContactRecord): Promise<void> {
    while (r.pendingControl.length > 0) {
      await this.submit(r, r.pendingControl[0]!);
      r.pendingControl.shift();
      this.dirty.add(r);
    }
  }

  private contactForTag(tag: Uint8Array): ContactRecord | undefined {
    const hex = toHex(tag);
    const now = this.deps.clock.now();
    return this.host.all().find((r) => r.status === 'active' && this.host.session(r).mailboxes(now).some((b) => toHex(b.tag) === hex));
  }

  /** An envelope for one of my mailboxes: open it with that contact's session, or discard it (forged, replayed, not ours). */
  private async arrived(a: ArrivedEnvelope): Promise<void> {
    const r = this.contactForTag(a.tag);
    if (!r) {
      // A mailbox no open contact owns (a hidden compartment not open now): leave it for when it is.
      return;
    }
    const session = this.host.session(r);
    const opened = session.open(a.envelope, this.deps.clock.now());
    if (!opened.ok) {
      // Not from the contact's key, or a replay: discarded, never shown.
      this.deps.node.release(a.tag, a.id);
      return;
    }
    const { body, id, acks, ackDue, events } = opened.value;
    for (const ack of acks) this.delivered(r, messageIdHex(ack));
    let receipt = false;
    if (body.type === 'text' && !r.messages.some((m) => m.direction === 'in' && m.id === messageIdHex(id))) {
      const m: MessageRecord = { id: messageIdHex(id), direction: 'in', text: body.text, at: this.deps.clock.now(), receipts: [] };
      r.messages.push(m);
      r.unread++;
      receipt = true;
      this.host.emit({ type: 'message', message: { id: m.id, contactId: r.id, direction: 'in', text: m.text, at: m.at } });
    }
    if (receipt || ackDue) r.pendingControl.push(session.sealControl(receipt ? [id] : []).envelope);
    await this.host.save(r);
    if (body.type === 'data') await this.host.data?.(r, body.bytes);
    this.deps.node.release(a.tag, a.id);
    if (events.length > 0) this.watch();
    await this.submitControls(r);
  }

  private delivered(r: ContactRecord, messageId: string): void {
    const m = r.messages.find((x) => x.direction === 'out' && x.id === messageId);
    if (!m || m.state === 'delivered') return;
    m.state = 'delivered';
    delete m.failure;
    // An onion sent again while no receipt came stops here.
    for (const receipt of m.receipts) this.deps.node.confirmed?.(receipt);
    this.host.emit({ type: 'state', contactId: r.id, id: m.id, state: 'delivered' });
  }

  private stateUpdate(u: SubmissionUpdate): void {
    const ref = this.receipts.get(u.receiptId);
    if (!ref) return;
    let r: ContactRecord;
    try {
      r = this.host.record(ref.contactId);
    } catch {
      return;
    }
    const m = r.messages.find((x) => x.id === ref.messageId && x.direction === 'out');
    if (m) this.applyState(r, m, u);
  }

  private applyState(r: ContactRecord, m: MessageRecord, u: SubmissionUpdate): void {
    const current = m.state ?? 'queued';
    if (u.state === 'queued') {
      // Still queued, and why it is not out yet ("relay unreachable: ..."): the node keeps retrying.
      if (current !== 'queued' || !u.failure || m.failure === u.failure) return;
      m.failure = u.failure;
    } else if (u.state === 'failed') {
      if (current !== 'queued') return; // another copy got through
      m.state = 'failed';
      m.failure = u.failure ?? 'the node gave up';
    } else if (STATE_RANK[u.state] > STATE_RANK[current]) {
      m.state = u.state;
      if (u.via) m.via = u.via;
      // Another path took it: the contact's presence may be stale, read it again next time.
      if (u.via && u.via !== 'direct') this.presence.forget(r.id);
      delete m.failure;
    } else if (sameStateNote(m, u)) {
      // Sent as an onion, no receipt by the deadline: said on the message while the node tries a new chain.
      m.failure = u.failure;
    } else {
      return;
    }
    this.dirty.add(r);
    this.host.emit({
      type: 'state', contactId: r.id, id: m.id, state: m.state ?? 'queued', ...(m.failure ? { failure: m.failure } : {}), ...(m.via ? { via: m.via } : {}),
    });
  }
}
