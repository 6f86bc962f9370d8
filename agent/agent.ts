/**
 * The user agent: one identity, its contacts in one or more vault
 * compartments (the main one, hidden ones opened by their own password),
 * and the conversations. Pure and portable: the suite, clock, randomness,
 * compartments and the node port are injected (the daemon and the browser
 * run this same code).
 *
 * Order of work for a message (nothing told "queued" is lost):
 *   seal (the session counter moves) -> save the compartment with the
 *   envelope kept in the record -> node.submit (durable on the node) ->
 *   drop the kept envelope. A crash between save and submit resubmits the
 *   kept envelope at the next open (resume()); the node deduplicates.
 */
import type { ServerUrl } from '../protocol/card/server-url.ts';
import { toHex } from '../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../protocol/crypto/suite.ts';
import { keyFingerprint } from '../protocol/keys/fingerprint.ts';
import { dualKeyPairFromSecrets, generateUserKeyPair } from '../protocol/keys/keys.ts';
import type { RandomSource } from '../protocol/random.ts';
import type { Session } from '../protocol/session/session.ts';
import { encodeSessionState, restoreSession } from '../protocol/session/state-codec.ts';
import type { SessionOptions } from '../protocol/session/state.ts';
import type { AgentEvent, ContactPolicy, ContactView, IdentityView, MessageView } from '../seams/local-api.ts';
import type { NodePort } from '../seams/node-port.ts';
import {
  answerInvitation, type CardContext, peerServers, completeInvitation, contactFingerprint, createInvitation, decodeCardOrRefuse, findInvitation, refuseAcceptedInvitation, refuseOwnCard,
} from './cards.ts';
import type { DocumentCompartment } from './compartment.ts';
import {
  type AgentDocument, type ContactRecord, decodeAgentDocument, emptyDocument, encodeAgentDocument, MAX_HISTORY_PER_CONTACT, type MessageRecord,
} from './document.ts';
import { AgentCoreError } from './errors.ts';
import { checkPolicy, routeFor } from './policy.ts';
import { Conversations } from './conversations.ts';
import type { OnionSendOptions } from './onion-send.ts';
import { SaveCoalescer } from './save-coalescer.ts';
import { AnswerInbox, pendingInvitationIn } from './social/answer-inbox.ts';

export interface AgentClock {
  now(): number;
}

export interface AgentOptions {
  /** Ekp and Lkp rotate after this many messages I sent to a contact... */
  readonly rotateAfterMessages: number;
  /** ...or this long after the last rotation, whichever comes first. */
  readonly rotateEveryMs: number;
  /** How long the node keeps trying to hand a message over. */
  readonly messageTtlMs: number;
  readonly session?: Partial<SessionOptions>;
  /** Matriochka chains for contacts with that policy (agent/onion-send.ts DEFAULT_ONION_SEND when absent). */
  readonly onion?: Partial<OnionSendOptions>;
  /** Called as an agent opens, before it reads its mailboxes (the social features attach here: agent/social-bridge.ts). */
  readonly onOpen?: (agent: Agent) => void;
}

export const DEFAULT_AGENT_OPTIONS: AgentOptions = {
  rotateAfterMessages: 100,
  rotateEveryMs: 7 * 24 * 3_600_000,
  messageTtlMs: 7 * 24 * 3_600_000,
};

export interface AgentDeps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: AgentClock;
  readonly node: NodePort;
  readonly options?: Partial<AgentOptions>;
}

interface OpenCompartment {
  readonly store: DocumentCompartment;
  readonly doc: AgentDocument;
  readonly hidden: boolean;
}

export interface CardResult {
  readonly contact: ContactView;
  readonly card?: { readonly bytes: Uint8Array; readonly kind: 'invite' | 'answer' };
}

function loadDocument(store: DocumentCompartment): AgentDocument {
  const doc = decodeAgentDocument(store.load());
  if (!doc.ok) throw new AgentCoreError('bad-document', `the agent data in the vault is damaged: ${doc.message}`);
  return doc.value;
}

export class Agent {
  private readonly compartments: OpenCompartment[] = [];
  private readonly sessions = new Map<string, Session>();
  /** Pair fingerprints cost 4096 hash rounds each: computed once per contact. */
  private readonly fingerprints = new Map<string, string>();
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly savers = new Map<OpenCompartment, SaveCoalescer>();
  readonly options: AgentOptions;
  private readonly conversations: Conversations;
  private dataHandler: ((contactId: string, bytes: Uint8Array) => Promise<void>) | undefined;
  private answerHandler: ((contactId: string, answer: Uint8Array) => Promise<boolean>) | undefined;

  private constructor(private readonly deps: AgentDeps, main: OpenCompartment) {
    this.options = { ...DEFAULT_AGENT_OPTIONS, ...deps.options };
    this.compartments.push(main);
    // Answers dropped into a pending invitation's mailbox are taken before the conversations see it (agent/social/answer-inbox.ts).
    const inbox = new AnswerInbox(deps.suite, deps.node, {
      pending: (tagHex) => pendingInvitationIn(deps.suite, this.allContacts(), tagHex),
      answered: async (contactId, answer) => (await this.answerHandler?.(contactId, answer).catch(() => false)) ?? false,
    });
    this.conversations = new Conversations({ ...deps, node: inbox.port(), presenceNode: deps.node }, this.options, {
      record: (id) => this.record(id),
      session: (record) => this.session(record),
      save: (record) => this.saveContact(record),
      emit: (event) => this.emit(event),
      view: (record) => this.view(record),
      all: () => this.allContacts(),
      watch: () => this.watchMailboxes(),
      data: async (record, bytes) => this.dataHandler?.(record.id, bytes),
    });
  }

  /** A new identity (Ukp) in an empty main compartment. */
  static async create(deps: AgentDeps, main: DocumentCompartment): Promise<Agent> {
    const doc = loadDocument(main);
    if (doc.identity) throw new AgentCoreError('bad-request', 'this vault already holds an identity');
    const ukp = generateUserKeyPair(deps.suite, deps.random);
    doc.identity = {
      userSigningSecret: ukp.signingSecret, userAgreementSecret: ukp.agreementSecret, createdAt: deps.clock.now(), deviceId: deps.random.bytes(16),
    };
    await main.save(encodeAgentDocument(doc));
    return Agent.open(deps, main);
  }

  /** Opens the main compartment: watches its mailboxes and resubmits what a crash left unsent. */
  static async open(deps: AgentDeps, main: DocumentCompartment): Promise<Agent> {
    const doc = loadDocument(main);
    if (!doc.identity) throw new AgentCoreError('no-identity', 'this vault holds no identity yet');
    const agent = new Agent(deps, { store: main, doc, hidden: false });
    agent.options.onOpen?.(agent);
    await agent.conversations.start();
    return agent;
  }

  /** Adds a hidden compartment (opened by its own password) to the view. */
  async openHidden(store: DocumentCompartment): Promise<void> {
    const doc = store.load().length === 0 ? emptyDocument() : loadDocument(store);
    this.compartments.push({ store, doc, hidden: true });
    await this.conversations.resume();
    this.watchMailboxes();
  }

  /** Lkp seeds of the mailboxes of the compartment opened `index`-th (0 the main one), for the vault's locked-compartment list. */
  compartmentSeeds(index: number): Uint8Array[] {
    return this.conversations.seeds(this.compartments[index]?.doc.contacts ?? []);
  }

  get hiddenOpen(): number {
    return this.compartments.filter((c) => c.hidden).length;
  }

  identity(): IdentityView {
    const id = this.compartments[0]!.doc.identity!;
    const ukp = dualKeyPairFromSecrets(this.deps.suite, 'user', id.userSigningSecret, id.userAgreementSecret);
    return { fingerprint: keyFingerprint(this.deps.suite, ukp.publicKey), createdAt: id.createdAt, deviceId: toHex(id.deviceId) };
  }

  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  contacts(): ContactView[] {
    return this.allContacts().map((c) => this.view(c));
  }

  contact(id: string): ContactView {
    return this.view(this.record(id));
  }

  /** My card for this contact, to hand over again. */
  card(id: string): { bytes: Uint8Array; kind: 'invite' | 'answer' } {
    const r = this.record(id);
    return { bytes: r.myCard, kind: r.role === 'inviter' ? 'invite' : 'answer' };
  }

  async createInvitation(name: string, options: { hidden?: boolean; relays?: readonly string[] } = {}): Promise<CardResult> {
    const target = this.target(options.hidden);
    const { record, card } = createInvitation(this.cardContext(), checkName(name), this.myServers(options.relays));
    target.doc.contacts.push(record);
    await this.saveCompartment(target);
    this.watchMailboxes();
    return { contact: this.view(record), card: { bytes: card.bytes, kind: 'invite' } };
  }

  /** An invitation creates the contact and returns my answer; an answer completes my invitation. */
  async importCard(bytes: Uint8Array, options: { name?: string; hidden?: boolean; relays?: readonly string[] } = {}): Promise<CardResult> {
    const card = decodeCardOrRefuse(this.deps.suite, bytes);
    const all = this.allContacts();
    refuseOwnCard(all, card);
    refuseAcceptedInvitation(all, card);
    if (card.kind === 'invite') {
      if (options.name === undefined) throw new AgentCoreError('bad-request', 'a name for the new contact is needed');
      const target = this.target(options.hidden);
      const { record, answer, session } = answerInvitation(this.cardContext(), card, checkName(options.name), this.myServers(options.relays));
      this.sessions.set(record.id, session);
      record.session = encodeSessionState(session);
      target.doc.contacts.push(record);
      await this.saveCompartment(target);
      this.watchMailboxes();
      this.emit({ type: 'contact', contact: this.view(record) });
      return { contact: this.view(record), card: { bytes: answer.bytes, kind: 'answer' } };
    }
    const record = findInvitation(this.deps.suite, all, card);
    const session = completeInvitation(this.cardContext(), record, card);
    this.sessions.set(record.id, session);
    await this.saveContact(record);
    this.watchMailboxes();
    this.emit({ type: 'contact', contact: this.view(record) });
    return { contact: this.view(record) };
  }

  async updateContact(id: string, change: { name?: string; policy?: ContactPolicy }): Promise<ContactView> {
    const r = this.record(id);
    if (change.policy) r.policy = checkPolicy(change.policy, this.peerServers(r));
    if (change.name !== undefined) r.name = checkName(change.name);
    await this.saveContact(r);
    // The policy decides whether my presence is published for this contact (agent/presence/presence-book.ts).
    if (change.policy) this.watchMailboxes();
    return this.view(r);
  }

  async send(contactId: string, text: string): Promise<MessageView> {
    const r = this.record(contactId);
    if (r.status !== 'active') throw new AgentCoreError('not-active', `"${r.name}" has not answered your invitation yet`);
    routeFor(r.policy, this.peerServers(r)); // refuse a policy we cannot honour before sealing anything
    return this.conversations.send(r, text);
  }

  history(contactId: string, options: { before?: number; limit?: number } = {}): MessageView[] {
    const r = this.record(contactId);
    const before = options.before ?? Number.POSITIVE_INFINITY;
    const list = r.messages.filter((m) => m.at < before);
    return list.slice(-(options.limit ?? 50)).map((m) => messageView(r, m));
  }

  message(contactId: string, id: string): MessageView {
    const r = this.record(contactId);
    const m = r.messages.find((x) => x.id === id);
    if (!m) throw new AgentCoreError('unknown-message', `no message ${id} with "${r.name}"`);
    return messageView(r, m);
  }

  /** Marks the conversation read (the view of it was shown). */
  async markRead(contactId: string): Promise<void> {
    const r = this.record(contactId);
    if (r.unread === 0) return;
    r.unread = 0;
    await this.saveContact(r);
  }

  draft(contactId: string): string {
    return this.record(contactId).draft;
  }

  async setDraft(contactId: string, text: string): Promise<void> {
    const r = this.record(contactId);
    r.draft = text;
    await this.saveContact(r);
  }

  // Social hooks (agent/social-bridge.ts): its state in the main compartment, data bodies both ways.
  socialText(): string | undefined {
    return this.compartments[0]!.doc.social;
  }

  async saveSocial(text: string): Promise<void> {
    this.compartments[0]!.doc.social = text;
    await this.saveCompartment(this.compartments[0]!);
  }

  async sendData(contactId: string, bytes: Uint8Array): Promise<void> {
    await this.conversations.sendData(this.record(contactId), bytes);
  }

  onData(handler: ((contactId: string, bytes: Uint8Array) => Promise<void>) | undefined): void {
    this.dataHandler = handler;
  }

  /** An answer dropped into my invitation's mailbox (agent/social/answer-drop.ts): completed (importCard, true) or refused; none without a handler. */
  onAnswer(handler: ((contactId: string, answer: Uint8Array) => Promise<boolean>) | undefined): void {
    this.answerHandler = handler;
  }

  /** Rotations due on schedule, expired mailboxes, resubmissions: call every minute or so. */
  async tick(): Promise<void> {
    await this.conversations.tick();
  }

  /**
   * Stops listening to the node, withdraws the watch list (the node stops polling relays with my Lkp secrets:
   * nothing of a locked vault's stays in use, as for locked hidden compartments) and wipes the sessions from memory.
   */
  close(): void {
    this.conversations.stop();
    this.deps.node.watch([]);
    this.sessions.clear();
    this.listeners.clear();
  }

  // ---------------------------------------------------------------- internals

  private cardContext(): CardContext {
    return { suite: this.deps.suite, random: this.deps.random, nowMs: this.deps.clock.now(), ...(this.options.session ? { sessionOptions: this.options.session } : {}) };
  }

  /**
   * Where contacts reach me: this node on the mesh first, then the relays I chose. The node is named by
   * its key when the port knows it, so that a contact's first message to it, however many hops away,
   * carries an authenticated origin (docs/PROTOCOL.md "Authenticated source"); by its id otherwise.
   */
  private myServers(relays: readonly string[] = []): string[] {
    const mesh = this.deps.node.meshNodeKey ?? this.deps.node.meshNodeId;
    return [...(mesh ? [`mesh://${toHex(mesh)}`] : []), ...relays];
  }

  private target(hidden: boolean | undefined): OpenCompartment {
    if (!hidden) return this.compartments[0]!;
    const open = this.compartments.filter((c) => c.hidden);
    if (open.length === 0) throw new AgentCoreError('bad-request', 'no hidden compartment is open: unlock one with its password first');
    return open[open.length - 1]!;
  }

  private allContacts(): ContactRecord[] {
    return this.compartments.flatMap((c) => c.doc.contacts);
  }

  private compartmentOf(record: ContactRecord): OpenCompartment {
    const c = this.compartments.find((x) => x.doc.contacts.includes(record));
    if (!c) throw new AgentCoreError('unknown-contact', 'the contact is no longer open');
    return c;
  }

  private record(id: string): ContactRecord {
    const r = this.allContacts().find((c) => c.id === id);
    if (!r) throw new AgentCoreError('unknown-contact', `no contact ${id}`, { contactId: id });
    return r;
  }

  private peerServers(r: ContactRecord): readonly ServerUrl[] {
    return peerServers(this.deps.suite, r);
  }

  private session(r: ContactRecord): Session {
    let s = this.sessions.get(r.id);
    if (!s) {
      if (!r.session) throw new AgentCoreError('not-active', `"${r.name}" has not answered your invitation yet`);
      const restored = restoreSession(this.deps.suite, r.session, this.deps.random);
      if (!restored.ok) throw new AgentCoreError('bad-document', `the conversation with "${r.name}" is damaged: ${restored.message}`);
      s = restored.value;
      this.sessions.set(r.id, s);
    }
    return s;
  }

  private async saveContact(r: ContactRecord): Promise<void> {
    await this.saveCompartment(this.compartmentOf(r));
  }

  /** Coalesced (save-coalescer.ts): resolves once a write holding every change made so far is on disk. */
  private async saveCompartment(c: OpenCompartment): Promise<void> {
    const saver = this.savers.get(c) ?? new SaveCoalescer(() => this.writeCompartment(c));
    this.savers.set(c, saver);
    await saver.request();
  }

  private async writeCompartment(c: OpenCompartment): Promise<void> {
    for (const r of c.doc.contacts) {
      const s = this.sessions.get(r.id);
      if (s) r.session = encodeSessionState(s);
      if (r.messages.length > MAX_HISTORY_PER_CONTACT) r.messages.splice(0, r.messages.length - MAX_HISTORY_PER_CONTACT);
    }
    await c.store.save(encodeAgentDocument(c.doc));
  }

  private watchMailboxes(): void {
    this.conversations.watch();
  }

  private emit(event: AgentEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure (a closed stream) must not stop the agent.
      }
    }
  }

  private view(r: ContactRecord): ContactView {
    let fingerprint = this.fingerprints.get(r.id);
    if (!fingerprint && r.peerCard) {
      fingerprint = contactFingerprint(this.deps.suite, r);
      if (fingerprint) this.fingerprints.set(r.id, fingerprint);
    }
    const last = r.messages[r.messages.length - 1];
    return {
      id: r.id, name: r.name, status: r.status, hidden: this.compartmentOf(r).hidden, policy: r.policy, unread: r.unread,
      ...(fingerprint ? { fingerprint } : {}), ...(last ? { lastMessageAt: last.at } : {}),
    };
  }
}

export function messageView(r: ContactRecord, m: MessageRecord): MessageView {
  return {
    id: m.id, contactId: r.id, direction: m.direction, text: m.text, at: m.at,
    ...(m.state ? { state: m.state } : {}), ...(m.failure ? { failure: m.failure } : {}), ...(m.via ? { via: m.via } : {}),
  };
}

function checkName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed.length === 0 || trimmed.length > 64) throw new AgentCoreError('bad-request', 'a contact name is 1 to 64 characters');
  return trimmed;
}

