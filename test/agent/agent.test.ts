import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { Agent, type AgentOptions } from '../../agent/agent.ts';
import { memoryCompartment } from '../../agent/compartment.ts';
import { AgentCoreError } from '../../agent/errors.ts';
import type { AgentEvent } from '../../seams/local-api.ts';
import { MemoryMesh } from './memory-node.ts';

const suite = createPortableSuite();

async function pair(options: Partial<AgentOptions> = {}) {
  const mesh = new MemoryMesh();
  const clock = { t: 1_700_000_000_000, now() { return this.t; } };
  const aliceNode = mesh.port(fromHex('0101010101010101'));
  const bobNode = mesh.port(fromHex('0202020202020202'));
  const aliceVault = memoryCompartment();
  const bobVault = memoryCompartment();
  const alice = await Agent.create({ suite, random: new SeededRandom(1), clock, node: aliceNode, options }, aliceVault);
  const bob = await Agent.create({ suite, random: new SeededRandom(2), clock, node: bobNode, options }, bobVault);
  const invite = await alice.createInvitation('bob');
  const answered = await bob.importCard(invite.card!.bytes, { name: 'alice' });
  const done = await alice.importCard(answered.card!.bytes);
  return { mesh, clock, alice, bob, aliceNode, bobNode, aliceVault, bobVault, aliceBob: done.contact.id, bobAlice: answered.contact.id };
}

function events(agent: Agent): AgentEvent[] {
  const list: AgentEvent[] = [];
  agent.onEvent((e) => list.push(e));
  return list;
}

describe('agent: cards, chat, receipts', () => {
  it('exchanges cards: both sides active with the same pair fingerprint and the mesh node on the card', async () => {
    const { alice, bob, aliceBob, bobAlice } = await pair();
    const a = alice.contact(aliceBob);
    const b = bob.contact(bobAlice);
    expect(a.status).toBe('active');
    expect(b.status).toBe('active');
    expect(a.fingerprint).toBeDefined();
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.policy).toEqual({ mode: 'direct', relays: [] });
  });

  it('chats both ways; the sender sees queued, sent, then delivered after the receipt', async () => {
    const { mesh, alice, bob, aliceBob, bobAlice } = await pair();
    const bobEvents = events(bob);
    const sent = await alice.send(aliceBob, 'hello bob');
    expect(sent.state).toBe('queued');
    await mesh.flush();
    expect(bob.history(bobAlice).map((m) => [m.direction, m.text])).toEqual([['in', 'hello bob']]);
    expect(bobEvents.some((e) => e.type === 'message' && e.message.text === 'hello bob')).toBe(true);
    expect(alice.message(aliceBob, sent.id).state).toBe('delivered');
    await bob.send(bobAlice, 'hi alice');
    await mesh.flush();
    expect(alice.history(aliceBob).map((m) => [m.direction, m.text, m.state])).toEqual([
      ['out', 'hello bob', 'delivered'], ['in', 'hi alice', undefined],
    ]);
    expect(bob.history(bobAlice)[1]!.state).toBe('delivered');
    expect(alice.contact(aliceBob).unread).toBe(1);
  });

  it('a message whose envelope never arrives stays queued, never delivered', async () => {
    const { mesh, alice, aliceBob } = await pair();
    mesh.drop = () => true;
    const sent = await alice.send(aliceBob, 'lost');
    await mesh.flush();
    expect(alice.message(aliceBob, sent.id).state).toBe('queued');
  });

  it('discards an envelope not sealed with the contact key (forged) and shows nothing', async () => {
    const { mesh, bob, bobAlice, bobNode } = await pair();
    const tag = fromHex(bobNode.watchedTags[0]!)!;
    const forged = new Uint8Array(60);
    forged[0] = 0x11;
    forged.set(tag, 1);
    mesh.boxes.set(toHex(tag), [{ id: new Uint8Array(16).fill(9), envelope: forged, tag }]);
    await mesh.flush();
    expect(bob.history(bobAlice)).toEqual([]);
    expect(mesh.boxes.get(toHex(tag))).toEqual([]);
  });

  it('refuses to import my own invitation, and an answer to nobody', async () => {
    const { alice, bob } = await pair();
    const invite = await alice.createInvitation('carol');
    await expect(alice.importCard(invite.card!.bytes, { name: 'me' })).rejects.toMatchObject({ code: 'own-invitation' });
    const other = await bob.createInvitation('dave');
    const stranger = await Agent.create({ suite, random: new SeededRandom(3), clock: { now: () => 0 }, node: new MemoryMesh().port() }, memoryCompartment());
    const answer = await stranger.importCard(other.card!.bytes, { name: 'bob' });
    await expect(alice.importCard(answer.card!.bytes)).rejects.toMatchObject({ code: 'bad-card' });
    await expect(alice.importCard(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(AgentCoreError);
  });

  it('refuses a matriochka chain that cannot be built rather than downgrading, and relays the contact does not list', async () => {
    const { alice, aliceBob } = await pair();
    // No trusted first hop; then a contact on a mesh only: no relay for the chain to end at.
    await expect(alice.updateContact(aliceBob, { policy: { mode: 'matriochka', relays: [] } })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(alice.updateContact(aliceBob, { policy: { mode: 'matriochka', relays: ['https://mine.example'] } }))
      .rejects.toMatchObject({ code: 'policy-unsupported', message: expect.stringContaining('lists no relay') });
    await expect(alice.updateContact(aliceBob, { policy: { mode: 'server', relays: ['https://evil.example'] } })).rejects.toMatchObject({ code: 'bad-request' });
    expect(alice.contact(aliceBob).policy.mode).toBe('direct');
  });

  it('rotates Ekp and Lkp after N messages: the new mailbox is watched, the chat goes on, the old one drains then drops', async () => {
    const { mesh, clock, alice, bob, aliceBob, bobAlice, bobNode } = await pair({ rotateAfterMessages: 3, session: { lookupDrainMs: 1000 } });
    const before = bobNode.watchedTags.slice();
    for (let i = 0; i < 3; i++) {
      await bob.send(bobAlice, `m${i}`);
      await mesh.flush();
    }
    await bob.tick();
    await mesh.flush();
    expect(bobNode.watchedTags.length).toBeGreaterThan(1);
    await alice.send(aliceBob, 'after rotation');
    await mesh.flush();
    expect(bob.history(bobAlice).at(-1)!.text).toBe('after rotation');
    clock.t += 2000;
    await bob.tick();
    const after = bobNode.watchedTags;
    expect(after.length).toBe(1);
    expect(after[0]).not.toBe(before[0]);
    await bob.send(bobAlice, 'still here');
    await mesh.flush();
    expect(alice.history(aliceBob).at(-1)!.text).toBe('still here');
  });

  it('reopens from the saved document and resubmits an envelope sealed but not handed over', async () => {
    const { mesh, clock, alice, aliceVault, aliceBob, bob, bobAlice } = await pair();
    await alice.send(aliceBob, 'one');
    await mesh.flush();
    alice.close();
    const port = mesh.port(fromHex('0101010101010101'));
    const reopened = await Agent.open({ suite, random: new SeededRandom(9), clock, node: port }, aliceVault);
    expect(reopened.history(aliceBob).map((m) => m.text)).toEqual(['one']);
    await reopened.send(aliceBob, 'two');
    await mesh.flush();
    expect(bob.history(bobAlice).map((m) => m.text)).toEqual(['one', 'two']);
  });
});
