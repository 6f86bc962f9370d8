/**
 * Connects the social features (agent/social/) to one unlocked Agent: their
 * state lives in the agent document of the main compartment (inside the
 * vault), their control messages travel as data bodies of the 1:1
 * conversations, and the cards they need are the core's ordinary
 * invitations and answers (fresh Ckp, Ekp and Lkp each, whitepaper 3.1).
 *
 * What reaches the node (group copies, mesh broadcasts, relays) is not here:
 * the node host adds it (apps/meow-node/local-api/social-host.ts).
 */
import type { Agent } from './agent.ts';
import { AgentCoreError } from './errors.ts';
import { putBack, takeAnswered, withdrawAnswered } from './social/directory.ts';
import type { CardPort, ContactChannel, RelaySocialPort, SocialEnv } from './social/ports.ts';
import {
  type SocialState, handleSocialControl, newSocialState, parseSocialState, serializeSocialState,
} from './social/social-state.ts';

/** A contact name the core accepts (1..64 characters). */
const MAX_LABEL_CHARS = 64;

export interface SocialBridge {
  readonly env: SocialEnv;
  /** The state, read from the vault at the first call (a new one when the document has none). */
  state(): SocialState;
  /** Writes the state into the main compartment; resolves once the vault is on disk. */
  save(): Promise<void>;
  readonly channel: ContactChannel;
  readonly cards: CardPort;
  /** A contact id, or the name of exactly one contact, to the contact id (unknown-contact otherwise). */
  contactId(nameOrId: string): string;
  /** Stops handling the agent's data bodies. */
  close(): void;
}

export interface SocialBridgeOptions {
  /** Relay URLs for the cards the social features make (introductions, directory entries). */
  readonly relays: () => readonly string[];
  /** What became of each incoming control message ("joined", "refused: ..."), for the log. */
  readonly report?: (contactId: string, outcome: string) => void;
  /** The relay a directory entry was published on, to withdraw it once answered. */
  readonly relayFor?: (url: string) => RelaySocialPort | undefined;
}

function label(text: string): string {
  const t = text.trim();
  return t.length <= MAX_LABEL_CHARS ? t : `${t.slice(0, MAX_LABEL_CHARS - 1)}…`;
}

export function createSocialBridge(agent: Agent, env: SocialEnv, options: SocialBridgeOptions): SocialBridge {
  let state: SocialState | undefined;
  const load = (): SocialState => {
    if (!state) {
      const text = agent.socialText();
      state = text === undefined ? newSocialState(env) : parseSocialState(text);
    }
    return state;
  };
  const save = async (): Promise<void> => {
    if (state) await agent.saveSocial(serializeSocialState(state));
  };

  const channel: ContactChannel = {
    sendControl: (contactId, payload) => agent.sendData(contactId, payload),
  };

  const cards: CardPort = {
    createInvite: async (text) => {
      const made = await agent.createInvitation(label(text), { relays: options.relays() });
      return { inviteId: made.contact.id, card: made.card!.bytes };
    },
    answerInvite: async (card, text) => {
      const made = await agent.importCard(card, { name: label(text), relays: options.relays() });
      if (made.card?.kind !== 'answer') throw new AgentCoreError('bad-card', 'this card is not an invitation');
      return { contactId: made.contact.id, answer: made.card.bytes };
    },
    completeInvite: async (inviteId, answer) => {
      // The core finds the invitation the answer binds to (protocol/card/binding.ts); it must be this one.
      const done = await agent.importCard(answer);
      if (done.contact.id !== inviteId) throw new AgentCoreError('card-mismatch', 'the answer completes another invitation');
      return { contactId: done.contact.id };
    },
    // The core keeps no way to forget a contact yet: a withdrawn invitation stays as an invited contact nobody can answer twice.
    dropInvite: async () => undefined,
  };

  agent.onData(async (contactId, bytes) => {
    try {
      const outcome = await handleSocialControl(env, load(), { channel, cards }, contactId, bytes);
      if (outcome === undefined) return;
      await save();
      options.report?.(contactId, outcome);
    } catch (e) {
      // A peer's message must never stop the conversation it came in: reported, the envelope released.
      options.report?.(contactId, `failed: ${(e as Error).message}`);
    }
  });

  // An answer dropped into a pending invitation's mailbox (agent/social/answer-drop.ts) is taken for directory entries only:
  // a card handed over in person comes back by hand, so nobody who saw it can answer in the invitee's place unnoticed.
  agent.onAnswer(async (contactId, answer) => {
    const directory = load().directory;
    const entry = takeAnswered(directory, contactId);
    if (!entry) {
      options.report?.(contactId, 'refused: an answer dropped for an invitation that is not a directory entry');
      return false;
    }
    try {
      await cards.completeInvite(contactId, answer, entry.description);
    } catch (e) {
      putBack(directory, entry);
      options.report?.(contactId, `refused: ${(e as Error).message}`);
      return false;
    }
    try {
      await withdrawAnswered(entry, (url) => options.relayFor?.(url));
    } catch (e) {
      options.report?.(contactId, `directory entry not withdrawn from its relay: ${(e as Error).message}`);
    }
    await save();
    options.report?.(contactId, 'directory contact made');
    return true;
  });

  return {
    env, channel, cards, save,
    state: load,
    contactId(nameOrId: string): string {
      const all = agent.contacts();
      const byId = all.find((c) => c.id === nameOrId);
      if (byId) return byId.id;
      const named = all.filter((c) => c.name === nameOrId);
      if (named.length === 1) return named[0]!.id;
      if (named.length > 1) throw new AgentCoreError('bad-request', `${named.length} contacts are named "${nameOrId}": give the contact id`);
      throw new AgentCoreError('unknown-contact', `no contact "${nameOrId}"`, { contact: nameOrId });
    },
    close: () => {
      agent.onData(undefined);
      agent.onAnswer(undefined);
    },
  };
}
