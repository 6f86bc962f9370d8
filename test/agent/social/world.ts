/**
 * Two or three agents' social features over in-memory transports built on
 * the real protocol: cards (protocol/card), 1:1 sessions (protocol/session:
 * each control message really is sealed and opened, routed by mailbox tag),
 * group and broadcast envelopes, and the real relay core on in-memory SQLite
 * behind the real relay client.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { checkAnswer } from '../../../protocol/card/binding.ts';
import { decodeCard } from '../../../protocol/card/decode.ts';
import { createAnswer, createInvite } from '../../../protocol/card/encode.ts';
import type { InviteCard } from '../../../protocol/card/types.ts';
import { createPortableSuite } from '../../../protocol/crypto/portable.ts';
import { generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair, lookupKeyPairFromSecret } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { type MyContactKeys, sessionFromCard } from '../../../protocol/session/from-card.ts';
import type { Session } from '../../../protocol/session/session.ts';
import type { MailboxAddress } from '../../../agent/social/control.ts';
import type { CardPort, ContactChannel, SocialEnv, SocialNodePort } from '../../../agent/social/ports.ts';
import { type SocialState, handleSocialControl, handleSocialEnvelope, newSocialState } from '../../../agent/social/social-state.ts';
import { groupMailboxSecrets } from '../../../agent/social/groups.ts';

export const suite = createPortableSuite();

export class ManualClock {
  constructor(public t = 1_790_000_000_000) {}
  now(): number {
    return this.t;
  }
}

interface Contact {
  readonly session: Session;
  readonly keys: MyContactKeys;
}

export class Person {
  readonly env: SocialEnv;
  readonly state: SocialState;
  readonly contacts = new Map<string, Contact>();
  readonly invites = new Map<string, { keys: MyContactKeys; card: InviteCard }>();
  /** What happened to each incoming message, for assertions. */
  readonly log: string[] = [];
  private nextId = 0;

  constructor(readonly name: string, readonly world: World) {
    this.env = { suite, random: new SeededRandom(`person-${name}`), clock: world.clock };
    this.state = newSocialState(this.env);
  }

  private freshKeys(): MyContactKeys {
    return {
      contact: generateContactKeyPair(suite, this.env.random),
      encryption: generateEncryptionKeyPair(suite, this.env.random),
      lookup: generateLookupKeyPair(suite, this.env.random),
    };
  }

  private addContact(keys: MyContactKeys, session: Session): string {
    const id = `${this.name}-c${this.nextId++}`;
    this.contacts.set(id, { session, keys });
    this.world.mailboxes.set(toHex(session.mailboxes(this.world.clock.now())[0]!.tag), { person: this, contactId: id });
    return id;
  }

  readonly cards: CardPort = {
    createInvite: async () => {
      const keys = this.freshKeys();
      const card = createInvite(suite, { contact: keys.contact, encryptionKey: keys.encryption.publicKey, mailboxId: keys.lookup.publicKey, servers: ['http://127.0.0.1:8470'] });
      const inviteId = `${this.name}-i${this.nextId++}`;
      this.invites.set(inviteId, { keys, card });
      return { inviteId, card: card.bytes };
    },
    answerInvite: async (bytes) => {
      const d = decodeCard(suite, bytes);
      if (!d.ok || d.value.kind !== 'invite') throw new Error(`not an invitation: ${d.ok ? d.value.kind : d.message}`);
      const keys = this.freshKeys();
      const answer = createAnswer(suite, d.value as InviteCard, { contact: keys.contact, encryptionKey: keys.encryption.publicKey, mailboxId: keys.lookup.publicKey, servers: [] });
      const contactId = this.addContact(keys, sessionFromCard(suite, this.env.random, keys, d.value));
      return { contactId, answer: answer.bytes };
    },
    completeInvite: async (inviteId, bytes) => {
      const pending = this.invites.get(inviteId);
      if (!pending) throw new Error('no such invite (used already?)');
      const d = decodeCard(suite, bytes);
      if (!d.ok) throw new Error(d.message);
      const checked = checkAnswer(suite, d.value, pending.card);
      if (!checked.ok) throw new Error(`answer refused: ${checked.code}`);
      this.invites.delete(inviteId); // single use
      return { contactId: this.addContact(pending.keys, sessionFromCard(suite, this.env.random, pending.keys, d.value)) };
    },
    dropInvite: async (inviteId) => {
      this.invites.delete(inviteId);
    },
  };

  readonly channel: ContactChannel = {
    sendControl: async (contactId, payload) => {
      const c = this.contacts.get(contactId);
      if (!c) throw new Error(`unknown contact ${contactId}`);
      const sealed = c.session.seal({ type: 'data', bytes: payload });
      this.world.queue.push({ kind: 'direct', tag: toHex(c.session.peerMailboxTag), envelope: sealed.envelope });
    },
  };

  readonly node: SocialNodePort = {
    deliver: async (to: MailboxAddress, envelope) => {
      this.world.queue.push({ kind: 'mailbox', lookupKey: toHex(to.lookupKey), envelope });
    },
    meshBroadcast: async (envelope) => {
      for (const p of this.world.people) if (p !== this) this.world.queue.push({ kind: 'to', person: p, envelope });
    },
  };

  /** The contact id I know `other` by (the first contact with them). */
  contactFor(other: Person): string {
    for (const [id, c] of this.contacts) {
      for (const [oid, oc] of other.contacts) {
        if (toHex(c.session.peerMailboxTag) === toHex(oc.session.mailboxes(this.world.clock.now())[0]!.tag) && oid) return id;
      }
    }
    throw new Error(`${this.name} has no contact with ${other.name}`);
  }

  async receiveDirect(contactId: string, envelope: Uint8Array): Promise<void> {
    const opened = this.contacts.get(contactId)!.session.open(envelope, this.world.clock.now());
    if (!opened.ok) {
      this.log.push(`dropped: ${opened.code}`);
      return;
    }
    if (opened.value.body.type !== 'data') return;
    const r = await handleSocialControl(this.env, this.state, { channel: this.channel, cards: this.cards }, contactId, opened.value.body.bytes);
    this.log.push(r ?? 'not social');
  }

  receiveEnvelope(envelope: Uint8Array): void {
    const r = handleSocialEnvelope(this.env, this.state, envelope);
    if (!r) return;
    this.log.push(r.result.ok ? `${r.kind} ok` : `${r.kind} refused: ${r.result.code}`);
  }

  ownsGroupMailbox(lookupKeyHex: string): boolean {
    return groupMailboxSecrets(this.state.groups).some((m) => toHex(lookupKeyPairFromSecret(suite, m.lookupSecret).publicKey) === lookupKeyHex);
  }
}

type Queued =
  | { kind: 'direct'; tag: string; envelope: Uint8Array }
  | { kind: 'mailbox'; lookupKey: string; envelope: Uint8Array }
  | { kind: 'to'; person: Person; envelope: Uint8Array };

export class World {
  readonly clock = new ManualClock();
  readonly people: Person[] = [];
  readonly mailboxes = new Map<string, { person: Person; contactId: string }>();
  queue: Queued[] = [];
  /** Every envelope delivered to a group mailbox, to replay or show to a removed member. */
  readonly groupCopies: { lookupKey: string; envelope: Uint8Array }[] = [];

  person(name: string): Person {
    const p = new Person(name, this);
    this.people.push(p);
    return p;
  }

  /** A normal invitation and answer between two people. */
  async connect(a: Person, b: Person): Promise<void> {
    const { inviteId, card } = await a.cards.createInvite('x');
    const { answer } = await b.cards.answerInvite(card, 'x');
    await a.cards.completeInvite(inviteId, answer, 'x');
  }

  /** Delivers everything queued, including what the deliveries queue in turn. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const item = this.queue.shift()!;
      if (item.kind === 'direct') {
        const to = this.mailboxes.get(item.tag);
        if (to) await to.person.receiveDirect(to.contactId, item.envelope);
      } else if (item.kind === 'mailbox') {
        this.groupCopies.push({ lookupKey: item.lookupKey, envelope: item.envelope });
        for (const p of this.people) if (p.ownsGroupMailbox(item.lookupKey)) p.receiveEnvelope(item.envelope);
      } else {
        item.person.receiveEnvelope(item.envelope);
      }
    }
  }
}
