/**
 * Contact forwarding (whitepaper 1.5 and 3.2): a contact's identity cannot be
 * passed on, because each contact knows me by a key made for it alone, and a
 * message to that key not from the one contact it was made for is discarded.
 * So introducing Carol to Bob is a double request, as 3.2 sketches:
 *
 *   introducer                     Bob (invites)                 Carol (answers)
 *   offer(id, invite, "Carol") ─►  accept or refuse
 *   offer(id, answer, "Bob")   ─────────────────────────────────► accept or refuse
 *                              ◄─  accept(id, fresh invite card)
 *                              ◄───────────────────────────────── accept(id)
 *   (both accepted)  card(id, Bob's invite) ─────────────────────► answers: a contact with fresh keys
 *                              ◄───────────────────────────────── accept(id, answer card)
 *   card(id, Carol's answer) ► completes the invite: the contact
 *
 * Each receives only a name until both have said yes. The cards are new
 * (fresh Ckp, Ekp and mailbox on each side, as any invitation); the
 * introducer only carries them. Every step is checked against the state:
 * a card is taken only from the introducer who offered this id, after the
 * user accepted, once; anything else is refused and changes nothing.
 * The introducer could swap the cards for its own: compare the pair
 * fingerprint in person when that matters (docs/THREAT-MODEL.md).
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { type ControlMessage, type IntroRole, encodeControl } from './control.ts';
import { SocialError } from './errors.ts';
import { hexBytes } from './group-state.ts';
import type { CardPort, ContactChannel, SocialEnv } from './ports.ts';

/** Introducer's view of one introduction. */
export interface IntroductionMade {
  readonly id: string;
  readonly inviter: { readonly contactId: string; accepted: boolean; card?: string };
  readonly answerer: { readonly contactId: string; accepted: boolean };
  status: 'waiting' | 'cards-sent' | 'done' | 'refused';
}

/** An introduced person's view. */
export interface IntroductionOffer {
  readonly id: string;
  readonly fromContactId: string;
  readonly role: IntroRole;
  readonly peerName: string;
  readonly receivedAtMs: number;
  status: 'offered' | 'accepted' | 'done' | 'refused';
  /** Inviter side: the pending invite made for this introduction. */
  inviteId?: string;
  contactId?: string;
}

export interface IntroductionsState {
  made: IntroductionMade[];
  offers: IntroductionOffer[];
}

export function emptyIntroductions(): IntroductionsState {
  return { made: [], offers: [] };
}

/** Asks both contacts; each sees only the other's name (the one I give) until both accept. */
export async function introduce(
  env: SocialEnv, state: IntroductionsState, channel: ContactChannel,
  inviter: { contactId: string; name: string }, answerer: { contactId: string; name: string },
): Promise<IntroductionMade> {
  if (inviter.contactId === answerer.contactId) throw new SocialError('bad-argument', 'introduce two different contacts');
  const idBytes = env.random.bytes(16);
  const made: IntroductionMade = {
    id: toHex(idBytes), inviter: { contactId: inviter.contactId, accepted: false },
    answerer: { contactId: answerer.contactId, accepted: false }, status: 'waiting',
  };
  // Both offers are encoded before either leaves, so a bad name fails before anything is sent.
  const toInviter = encodeControl({ type: 'intro-offer', introId: idBytes, role: 'invite', peerName: answerer.name });
  const toAnswerer = encodeControl({ type: 'intro-offer', introId: idBytes, role: 'answer', peerName: inviter.name });
  await channel.sendControl(inviter.contactId, toInviter);
  await channel.sendControl(answerer.contactId, toAnswerer);
  state.made.push(made);
  return made;
}

function findOffer(state: IntroductionsState, id: string): IntroductionOffer {
  const o = state.offers.find((x) => x.id === id.toLowerCase());
  if (!o) throw new SocialError('unknown-intro', `no introduction ${id}`);
  if (o.status !== 'offered') throw new SocialError('intro-state', `introduction ${id} is already ${o.status}`);
  return o;
}

/** The user says yes: the inviting side makes a fresh invitation card for this one introduction. */
export async function acceptIntroduction(state: IntroductionsState, channel: ContactChannel, cards: CardPort, id: string): Promise<IntroductionOffer> {
  const o = findOffer(state, id);
  let card: Uint8Array = new Uint8Array(0);
  if (o.role === 'invite') {
    const invite = await cards.createInvite(`introduced: ${o.peerName}`);
    o.inviteId = invite.inviteId;
    card = invite.card;
  }
  await channel.sendControl(o.fromContactId, encodeControl({ type: 'intro-accept', introId: hexBytes(o.id, 'id'), card }));
  o.status = 'accepted';
  return o;
}

export async function refuseIntroduction(state: IntroductionsState, channel: ContactChannel, id: string): Promise<void> {
  const o = findOffer(state, id);
  await channel.sendControl(o.fromContactId, encodeControl({ type: 'intro-refuse', introId: hexBytes(o.id, 'id') }));
  o.status = 'refused';
}

type IntroMessage = Extract<ControlMessage, { introId: Uint8Array }>;

/** An introduction message from `contactId`: returns what happened, for the log; refusals change nothing. */
export async function handleIntroControl(
  env: SocialEnv, state: IntroductionsState, channel: ContactChannel, cards: CardPort, contactId: string, msg: IntroMessage,
): Promise<string> {
  const id = toHex(msg.introId);
  switch (msg.type) {
    case 'intro-offer':
      if (state.offers.some((o) => o.id === id) || state.made.some((m) => m.id === id)) return 'refused: duplicate introduction';
      state.offers.push({ id, fromContactId: contactId, role: msg.role, peerName: msg.peerName, receivedAtMs: env.clock.now(), status: 'offered' });
      return 'offered';
    case 'intro-accept':
    case 'intro-refuse':
      return onAnswerToOffer(state, channel, contactId, id, msg);
    case 'intro-card':
      return onCard(state, channel, cards, contactId, id, msg.card);
  }
}

/** Introducer side: an accept or refusal from one of the two. */
async function onAnswerToOffer(
  state: IntroductionsState, channel: ContactChannel, contactId: string, id: string, msg: IntroMessage,
): Promise<string> {
  const made = state.made.find((m) => m.id === id);
  if (made?.status === 'waiting' && msg.type !== 'intro-card' && msg.type !== 'intro-offer') {
    const side = made.inviter.contactId === contactId ? made.inviter : made.answerer.contactId === contactId ? made.answerer : undefined;
    if (!side || side.accepted) return 'refused: not a pending side of this introduction';
    if (msg.type === 'intro-refuse') {
      made.status = 'refused';
      return 'refused by a side';
    }
    const isInviter = side === made.inviter;
    if (isInviter !== (msg.card.length > 0)) return 'refused: card from the wrong side';
    side.accepted = true;
    if (isInviter) made.inviter.card = toHex(msg.card);
    if (made.inviter.accepted && made.answerer.accepted) {
      await channel.sendControl(made.answerer.contactId, encodeControl({ type: 'intro-card', introId: hexBytes(id, 'id'), card: hexBytes(made.inviter.card!, 'card') }));
      made.status = 'cards-sent';
    }
    return 'accepted';
  }
  // The answering side's answer card travels back as an accept after the cards were sent.
  if (made?.status === 'cards-sent' && msg.type === 'intro-accept' && contactId === made.answerer.contactId && msg.card.length > 0) {
    await channel.sendControl(made.inviter.contactId, encodeControl({ type: 'intro-card', introId: hexBytes(id, 'id'), card: msg.card }));
    made.status = 'done';
    return 'answer forwarded';
  }
  return 'refused: no such introduction waiting';
}

/** Introduced side: a card for an introduction I accepted, from the one who offered it. */
async function onCard(
  state: IntroductionsState, channel: ContactChannel, cards: CardPort, contactId: string, id: string, card: Uint8Array,
): Promise<string> {
  const o = state.offers.find((x) => x.id === id);
  if (!o || o.status !== 'accepted' || o.fromContactId !== contactId) return 'refused: card for no accepted introduction';
  if (o.role === 'answer') {
    const { contactId: newContact, answer } = await cards.answerInvite(card, `introduced: ${o.peerName}`);
    await channel.sendControl(contactId, encodeControl({ type: 'intro-accept', introId: hexBytes(id, 'id'), card: answer }));
    o.contactId = newContact;
  } else {
    const done = await cards.completeInvite(o.inviteId!, card, `introduced: ${o.peerName}`);
    o.contactId = done.contactId;
  }
  o.status = 'done';
  return 'contact made';
}
