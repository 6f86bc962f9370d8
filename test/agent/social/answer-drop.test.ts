/**
 * An answer card dropped into the mailbox of the invitation it answers
 * (agent/social/answer-drop.ts, answer-inbox.ts) between two real agents on
 * the in-memory node: only the invitation's Ekp opens it, it looks like a
 * direct envelope, the agent completes the invitation only when its handler
 * says so, and the new contact's first message, overtaking the answer, is
 * shown once the answer made the contact.
 */
import { describe, expect, it } from 'vitest';
import { decodeCard } from '../../../protocol/card/decode.ts';
import type { InviteCard } from '../../../protocol/card/types.ts';
import { fromHex } from '../../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../../protocol/crypto/portable.ts';
import { decodeDirectEnvelope } from '../../../protocol/envelope/direct.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { Agent } from '../../../agent/agent.ts';
import { memoryCompartment } from '../../../agent/compartment.ts';
import { openAnswerDrop, sealAnswerDrop } from '../../../agent/social/answer-drop.ts';
import { MemoryMesh } from '../memory-node.ts';

const suite = createPortableSuite();

async function people() {
  const mesh = new MemoryMesh();
  const clock = { now: () => 1_700_000_000_000 };
  const alice = await Agent.create({ suite, random: new SeededRandom(1), clock, node: mesh.port(fromHex('0101010101010101')) }, memoryCompartment());
  const bob = await Agent.create({ suite, random: new SeededRandom(2), clock, node: mesh.port(fromHex('0202020202020202')) }, memoryCompartment());
  const invite = await alice.createInvitation('from the directory');
  const card = decodeCard(suite, invite.card!.bytes);
  if (!card.ok || card.value.kind !== 'invite') throw new Error('no invite');
  const answered = await bob.importCard(invite.card!.bytes, { name: 'alice' });
  const drop = sealAnswerDrop(suite, new SeededRandom(3), card.value as InviteCard, answered.card!.bytes);
  return { mesh, alice, bob, inviteId: invite.contact.id, invite: card.value as InviteCard, answer: answered.card!.bytes, bobAlice: answered.contact.id, drop };
}

describe('answer drop', () => {
  it('is a direct envelope to the invitation\'s mailbox that only the invitation\'s Ekp opens', async () => {
    const { invite, answer, drop } = await people();
    const d = decodeDirectEnvelope(drop);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(Array.from(d.value.mailboxTag)).toEqual(Array.from(mailboxTagOf(suite, invite.mailboxId).subarray(0, 6)));
    expect(drop.length).toBe(10 + 32 + answer.length + 16);
    const wrong = new SeededRandom(9).bytes(32);
    expect(openAnswerDrop(suite, wrong, drop)).toBeUndefined();
    // Two sealings of one answer share nothing but the mailbox tag.
    const again = sealAnswerDrop(suite, new SeededRandom(4), invite, answer);
    expect(Buffer.from(again.subarray(10)).equals(Buffer.from(drop.subarray(10)))).toBe(false);
  });

  it('completes the invitation when the handler takes it; the first message that overtook it is shown after', async () => {
    const { mesh, alice, bob, inviteId, invite, drop, bobAlice } = await people();
    const taken: string[] = [];
    alice.onAnswer(async (contactId, answer) => {
      taken.push(contactId);
      await alice.importCard(answer);
      return true;
    });
    await bob.send(bobAlice, 'hello, I found you in the directory');
    await mesh.flush(); // the text arrives first: held, the invitation is still open
    expect(alice.contact(inviteId).status).toBe('invited');
    await mesh.ports[1]!.submit({ tag: mailboxTagOf(suite, invite.mailboxId), envelope: drop, relays: [] });
    await mesh.flush();
    expect(taken).toEqual([inviteId]);
    expect(alice.contact(inviteId).status).toBe('active');
    expect(alice.contact(inviteId).fingerprint).toBe(bob.contact(bobAlice).fingerprint);
    expect(alice.history(inviteId).map((m) => m.text)).toEqual(['hello, I found you in the directory']);
    expect(bob.history(bobAlice)[0]!.state).toBe('delivered');
  });

  it('is refused without a handler, and a tampered drop changes nothing', async () => {
    const { mesh, alice, inviteId, invite, drop } = await people();
    const tampered = drop.slice();
    tampered[drop.length - 1]! ^= 1;
    const seen: string[] = [];
    alice.onAnswer(async (contactId, answer) => {
      seen.push(contactId);
      await alice.importCard(answer);
      return true;
    });
    await mesh.ports[1]!.submit({ tag: mailboxTagOf(suite, invite.mailboxId), envelope: tampered, relays: [] });
    await mesh.flush();
    expect(seen).toEqual([]);
    alice.onAnswer(undefined);
    await mesh.ports[1]!.submit({ tag: mailboxTagOf(suite, invite.mailboxId), envelope: drop, relays: [] });
    await mesh.flush();
    expect(alice.contact(inviteId).status).toBe('invited');
    expect(mesh.boxes.get(Buffer.from(mailboxTagOf(suite, invite.mailboxId).subarray(0, 6)).toString('hex'))?.length).toBe(1); // only the tampered one is left
  });
});
