import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../protocol/codec/bytes.ts';
import { decodeCard } from '../../../protocol/card/decode.ts';
import { generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { sessionFromCard } from '../../../protocol/session/from-card.ts';
import { encodeControl } from '../../../agent/social/control.ts';
import { acceptIntroduction, introduce, refuseIntroduction } from '../../../agent/social/introductions.ts';
import { handleSocialControl } from '../../../agent/social/social-state.ts';
import { suite, World } from './world.ts';

async function setUp() {
  const world = new World();
  const alice = world.person('alice');
  const bob = world.person('bob');
  const carol = world.person('carol');
  await world.connect(alice, bob);
  await world.connect(alice, carol);
  return { world, alice, bob, carol };
}

describe('introductions (whitepaper 1.5, 3.2)', () => {
  it('is a double request: both accept, then Bob and Carol share fresh keys Alice never held', async () => {
    const { world, alice, bob, carol } = await setUp();
    const made = await introduce(alice.env, alice.state.introductions, alice.channel,
      { contactId: alice.contactFor(bob), name: 'Bob' }, { contactId: alice.contactFor(carol), name: 'Carol' });
    await world.flush();
    // Each has only a name so far, and no contact.
    expect(bob.state.introductions.offers.map((o) => [o.peerName, o.role])).toEqual([['Carol', 'invite']]);
    expect(carol.state.introductions.offers.map((o) => [o.peerName, o.role])).toEqual([['Bob', 'answer']]);
    expect(bob.contacts.size).toBe(1);

    await acceptIntroduction(bob.state.introductions, bob.channel, bob.cards, made.id);
    await world.flush();
    expect(carol.contacts.size).toBe(1); // nothing before Carol says yes
    await acceptIntroduction(carol.state.introductions, carol.channel, carol.cards, made.id);
    await world.flush();
    expect(made.status).toBe('done');
    expect(bob.contacts.size).toBe(2);
    expect(carol.contacts.size).toBe(2);

    // They talk over the new pair: a group-invite-shaped control message goes through their session.
    const bobToCarol = bob.contactFor(carol);
    expect(bobToCarol).not.toBe(bob.contactFor(alice));
    await bob.channel.sendControl(bobToCarol, encodeControl({ type: 'group-invite', groupId: new Uint8Array(16), name: 'hi' }));
    await world.flush();
    expect(carol.log.at(-1)).toBe('invited');
    // Fresh keys: Bob's key for Carol is not the one Alice knows him by.
    const bobForCarol = bob.contacts.get(bobToCarol)!.keys.contact.publicKey.signing;
    const bobForAlice = bob.contacts.get(bob.contactFor(alice))!.keys.contact.publicKey.signing;
    expect(Buffer.from(bobForCarol).equals(Buffer.from(bobForAlice))).toBe(false);
  });

  it('a refusal by either side ends it: no card is sent, no contact is made', async () => {
    const { world, alice, bob, carol } = await setUp();
    const made = await introduce(alice.env, alice.state.introductions, alice.channel,
      { contactId: alice.contactFor(bob), name: 'Bob' }, { contactId: alice.contactFor(carol), name: 'Carol' });
    await world.flush();
    await acceptIntroduction(bob.state.introductions, bob.channel, bob.cards, made.id);
    await refuseIntroduction(carol.state.introductions, carol.channel, made.id);
    await world.flush();
    expect(made.status).toBe('refused');
    expect(carol.contacts.size).toBe(1);
    await expect(acceptIntroduction(carol.state.introductions, carol.channel, carol.cards, made.id)).rejects.toMatchObject({ code: 'intro-state' });
  });

  it('a card passed on by a third person is useless: Bob replaying the card Alice gave him to Carol fails', async () => {
    const world = new World();
    const alice = world.person('alice');
    const bob = world.person('bob');
    const carol = world.person('carol');
    // Alice invites Bob the normal way; Bob keeps the card.
    const { inviteId, card } = await alice.cards.createInvite('bob');
    const { answer } = await bob.cards.answerInvite(card, 'alice');
    await alice.cards.completeInvite(inviteId, answer, 'bob');
    await world.connect(bob, carol);

    // 1. Pushed through the introduction path, Carol's agent refuses a card it never accepted.
    const pushed = encodeControl({ type: 'intro-card', introId: new Uint8Array(16).fill(7), card });
    const r = await handleSocialControl(carol.env, carol.state, { channel: carol.channel, cards: carol.cards }, carol.contactFor(bob), pushed);
    expect(r).toBe('refused: card for no accepted introduction');
    expect(carol.contacts.size).toBe(1);

    // 2. Used by hand: Carol answers Alice's card and writes to Alice's mailbox for Bob.
    const invite = decodeCard(suite, card);
    if (!invite.ok) throw new Error('card');
    const carolKeys = { contact: generateContactKeyPair(suite, carol.env.random), encryption: generateEncryptionKeyPair(suite, carol.env.random), lookup: generateLookupKeyPair(suite, carol.env.random) };
    const carolSession = sessionFromCard(suite, carol.env.random, carolKeys, invite.value);
    const sealed = carolSession.seal({ type: 'data', bytes: encodeControl({ type: 'group-invite', groupId: new Uint8Array(16), name: 'me' }) });
    world.queue.push({ kind: 'direct', tag: Buffer.from(carolSession.peerMailboxTag).toString('hex'), envelope: sealed.envelope });
    await world.flush();
    expect(alice.log).toEqual(['dropped: bad-mac']); // not from the one contact that key was made for
    expect(alice.state.groups.invitations).toEqual([]);
    // And Carol's answer cannot complete an invite Bob already used.
    await expect(alice.cards.completeInvite(inviteId, answer, 'x')).rejects.toThrow(/used already/);
  });

  it('refuses steps out of order or from the wrong contact, changing nothing', async () => {
    const { world, alice, bob, carol } = await setUp();
    const made = await introduce(alice.env, alice.state.introductions, alice.channel,
      { contactId: alice.contactFor(bob), name: 'Bob' }, { contactId: alice.contactFor(carol), name: 'Carol' });
    await world.flush();
    const ports = { channel: alice.channel, cards: alice.cards };
    // Carol (the answering side) sends a card in her accept: refused.
    const wrong = encodeControl({ type: 'intro-accept', introId: fromHex(made.id)!, card: new Uint8Array(5) });
    expect(await handleSocialControl(alice.env, alice.state, ports, alice.contactFor(carol), wrong)).toBe('refused: card from the wrong side');
    expect(made.answerer.accepted).toBe(false);
    // Bob's offer replayed to him: a duplicate.
    const offer = encodeControl({ type: 'intro-offer', introId: fromHex(made.id)!, role: 'invite', peerName: 'Mallory' });
    expect(await handleSocialControl(bob.env, bob.state, { channel: bob.channel, cards: bob.cards }, bob.contactFor(alice), offer)).toBe('refused: duplicate introduction');
    expect(bob.state.introductions.offers.map((o) => o.peerName)).toEqual(['Carol']);
    await expect(introduce(alice.env, alice.state.introductions, alice.channel,
      { contactId: alice.contactFor(bob), name: 'B' }, { contactId: alice.contactFor(bob), name: 'B' })).rejects.toMatchObject({ code: 'bad-argument' });
  });
});
