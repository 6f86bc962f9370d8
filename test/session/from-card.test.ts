/**
 * From rendez-vous cards (protocol/card) to a working conversation: Alice
 * invites, Bob decodes the invite and answers, Alice decodes the answer; each
 * side builds its session from its own keys and the other's verified card.
 */
import { describe, expect, it } from 'vitest';
import { decodeCard } from '../../protocol/card/decode.ts';
import { createAnswer, createInvite } from '../../protocol/card/encode.ts';
import type { InviteCard } from '../../protocol/card/types.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { sessionFromCard } from '../../protocol/session/from-card.ts';
import { generateSideKeys } from '../../protocol/session/pair.ts';
import { deliver, expectOk, suite, textOf } from './helpers.ts';

describe('session from rendez-vous cards', () => {
  it('invite + answer give two sessions that talk, rotate and authenticate each other', () => {
    const random = new SeededRandom('cards');
    const aliceKeys = generateSideKeys(suite, random);
    const bobKeys = generateSideKeys(suite, random);
    const invite = createInvite(suite, {
      contact: aliceKeys.contact, encryptionKey: aliceKeys.encryption.publicKey,
      mailboxId: aliceKeys.lookup.publicKey, servers: ['udp://relay.example:41325'],
    });
    const inviteAtBob = decodeCard(suite, invite.bytes);
    if (!inviteAtBob.ok) throw new Error(inviteAtBob.message);
    const answer = createAnswer(suite, inviteAtBob.value as InviteCard, {
      contact: bobKeys.contact, encryptionKey: bobKeys.encryption.publicKey,
      mailboxId: bobKeys.lookup.publicKey, servers: [],
    });
    const answerAtAlice = decodeCard(suite, answer.bytes);
    if (!answerAtAlice.ok) throw new Error(answerAtAlice.message);

    const alice = sessionFromCard(suite, random, aliceKeys, answerAtAlice.value);
    const bob = sessionFromCard(suite, random, bobKeys, inviteAtBob.value);
    expect(textOf(deliver(alice, bob, 'hello from the card'))).toBe('hello from the card');
    expect(textOf(deliver(bob, alice, 'hello back'))).toBe('hello back');
    alice.rotateEncryptionKey(random);
    deliver(alice, bob, 'rotating');
    expectOk(alice.open(bob.sealControl().envelope, 0));
    expect(deliver(alice, bob, 'rotated').id.epoch).toBe(2); // Bob's healing key rode in his ack
  });
});
