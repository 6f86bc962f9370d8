/**
 * The agent's matriochka policy over an in-memory node port: the message is
 * sealed as usual and handed over with the onion route (never a mesh node
 * or a direct address); a 'sent' update with a failure (no receipt by the
 * deadline) shows on the message while it stays 'sent'; the contact's
 * receipt makes it delivered and tells the node to stop (confirmed).
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { Agent } from '../../agent/agent.ts';
import { memoryCompartment } from '../../agent/compartment.ts';
import { DEFAULT_ONION_SEND } from '../../agent/onion-send.ts';
import type { SubmissionUpdate } from '../../seams/node-port.ts';
import { MemoryMesh, type MemoryNodePort } from '../agent/memory-node.ts';

const suite = createPortableSuite();
const TRUSTED = 'http://alice-trusted.example:8470';
const BOB_RELAY = 'http://bob-relay.example:8470';

async function pair() {
  const mesh = new MemoryMesh();
  const clock = { now: () => 1_700_000_000_000 };
  const aliceNode = mesh.port(fromHex('0101010101010101'));
  const bobNode = mesh.port(fromHex('0202020202020202'));
  const alice = await Agent.create({ suite, random: new SeededRandom(11), clock, node: aliceNode }, memoryCompartment());
  const bob = await Agent.create({ suite, random: new SeededRandom(12), clock, node: bobNode }, memoryCompartment());
  const invite = await alice.createInvitation('bob');
  const answered = await bob.importCard(invite.card!.bytes, { name: 'alice', relays: [BOB_RELAY] });
  const done = await alice.importCard(answered.card!.bytes);
  return { mesh, alice, bob, aliceNode, aliceBob: done.contact.id, bobAlice: answered.contact.id };
}

function emit(node: MemoryNodePort, u: SubmissionUpdate): void {
  (node as unknown as { update(u: SubmissionUpdate): void }).update(u);
}

describe('agent: matriochka policy', () => {
  it('hands the sealed message over with the onion route only, shows a missed deadline, and stops the node on the receipt', async () => {
    const { mesh, alice, bob, aliceNode, aliceBob, bobAlice } = await pair();
    const confirmed: string[] = [];
    (aliceNode as MemoryNodePort & { confirmed(id: string): void }).confirmed = (id) => void confirmed.push(id);
    await alice.updateContact(aliceBob, { policy: { mode: 'matriochka', relays: [TRUSTED] } });
    expect(alice.contact(aliceBob).policy).toEqual({ mode: 'matriochka', relays: [TRUSTED] });
    const view = await alice.send(aliceBob, 'wrapped three times');
    const request = mesh.submitted.at(-1)!;
    expect(request.onion).toEqual({ trusted: [TRUSTED], ...DEFAULT_ONION_SEND });
    expect(request.relays).toEqual([BOB_RELAY]);
    expect(request.meshNode).toBeUndefined();
    expect(request.direct).toBeUndefined();
    expect(request.tag.length).toBe(16);
    // The node's updates: taken by the first relay, then no receipt by the deadline.
    const receiptId = [...(aliceNode as unknown as { states: Map<string, SubmissionUpdate> }).states.keys()].at(-1)!;
    const note = 'no receipt by the deadline: a relay of the chain may be down; sending again through a new chain without its middle relays';
    emit(aliceNode, { receiptId, state: 'sent' });
    emit(aliceNode, { receiptId, state: 'sent', failure: note });
    await new Promise((r) => setTimeout(r, 0));
    expect(alice.message(aliceBob, view.id)).toMatchObject({ state: 'sent', failure: note });

    await mesh.flush();
    expect(bob.history(bobAlice).map((m) => m.text)).toEqual(['wrapped three times']);
    const after = alice.message(aliceBob, view.id);
    expect(after.state).toBe('delivered');
    expect(after.failure).toBeUndefined();
    expect(confirmed).toEqual([receiptId]);
  });

  it('refuses to send when the policy cannot be honoured: no trusted relay', async () => {
    const { alice, aliceBob } = await pair();
    await expect(alice.updateContact(aliceBob, { policy: { mode: 'matriochka', relays: [] } })).rejects.toMatchObject({ code: 'bad-request' });
  });
});
