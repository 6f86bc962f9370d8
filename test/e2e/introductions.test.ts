/**
 * Contact forwarding (whitepaper 1.5, 3.2) between three meow-node processes
 * on one loopback UDP mesh, through the local API only: Alice introduces
 * Carol to Bob; each sees only a name until both accept; then Bob and Carol
 * hold a contact with keys made for it (not the ones they show Alice), the
 * same pair fingerprint, and chat. A card passed on by a third person is
 * useless: Carol's answer, handed by Alice to Bob, completes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCard } from '../../protocol/card/decode.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { CardView, ContactView, HistoryResponse, ImportCardResponse, InvitationView } from '../../seams/local-api.ts';
import { api, eventually, type NodeProcess, ready, startNode, stop } from './support.ts';

const suite = createNodeSuite();
const root = mkdtempSync(join(tmpdir(), 'meow-e2e-intro-'));
const PORTS = { alice: 21711, bob: 21712, carol: 21713 };
const mesh = (self: number): Record<string, unknown> => ({
  links: [{ type: 'udp', port: self, bindAddress: '127.0.0.1', peers: Object.values(PORTS).filter((p) => p !== self).map((p) => `127.0.0.1:${p}`), mdns: false }],
});
const alice = startNode(root, 'alice', PORTS.alice, 0, 21731, mesh(PORTS.alice));
const bob = startNode(root, 'bob', PORTS.bob, 0, 21732, mesh(PORTS.bob));
const carol = startNode(root, 'carol', PORTS.carol, 0, 21733, mesh(PORTS.carol));
afterAll(async () => {
  for (const n of [alice, bob, carol]) await stop(n);
  rmSync(root, { recursive: true, force: true });
});

interface Offer { id: string; peerName: string; status: string; role: string; contactId?: string }
interface Intros { offers: Offer[]; made: { id: string; status: string }[] }

const contacts = async (n: NodeProcess): Promise<ContactView[]> => (await api<{ contacts: ContactView[] }>(n, 'GET', '/v1/contacts')).json.contacts;
const intros = async (n: NodeProcess): Promise<Intros> => (await api<Intros>(n, 'GET', '/v1/introductions')).json;
const cardKey = async (n: NodeProcess, contactId: string): Promise<string> => {
  const card = await api<CardView>(n, 'GET', `/v1/contacts/${contactId}/card`);
  const d = decodeCard(suite, Buffer.from(card.json.card, 'base64'));
  if (!d.ok) throw new Error('card does not decode');
  return toHex(d.value.contactKey.signing);
};

/** `inviter` invites `answerer` by card (as files would carry them); returns both contact ids. */
async function meet(inviter: NodeProcess, answerer: NodeProcess, inviterCalls: string, answererCalls: string): Promise<{ inviterSide: string; answererSide: string; answer: string }> {
  const invite = await api<InvitationView>(inviter, 'POST', '/v1/invitations', { name: inviterCalls });
  const answered = await api<ImportCardResponse>(answerer, 'POST', '/v1/cards/import', { card: invite.json.card.card, name: answererCalls });
  const done = await api<ImportCardResponse>(inviter, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
  expect(done.status).toBe(200);
  return { inviterSide: done.json.contact.id, answererSide: answered.json.contact.id, answer: answered.json.answer!.card };
}

async function offerOn(n: NodeProcess): Promise<Offer> {
  return eventually(async () => (await intros(n)).offers.find((o) => o.status === 'offered'), 60_000, 'the introduction offer');
}

describe('introductions between three nodes', () => {
  it('a double request both accept: fresh keys between the two, they chat; a card passed on is refused', async () => {
    for (const [n, pw] of [[alice, 'alice pass'], [bob, 'bob pass'], [carol, 'carol pass']] as const) {
      await ready(n);
      expect((await api(n, 'POST', '/v1/agent/init', { password: pw })).status).toBe(201);
    }
    const ab = await meet(alice, bob, 'bob', 'alice');
    const ac = await meet(alice, carol, 'carol', 'alice');

    const made = await api<{ id: string; status: string }>(alice, 'POST', '/v1/introductions', { a: 'bob', b: 'carol', aName: 'Bob', bName: 'Carol' });
    expect(made.status).toBe(200);
    expect(made.json.status).toBe('waiting');
    const bobOffer = await offerOn(bob);
    const carolOffer = await offerOn(carol);
    // Each sees only the name Alice gave, and no contact yet.
    expect([bobOffer.peerName, bobOffer.role, carolOffer.peerName, carolOffer.role]).toEqual(['Carol', 'invite', 'Bob', 'answer']);
    expect((await contacts(bob)).map((c) => c.name)).toEqual(['alice']);
    expect((await api(bob, 'POST', '/v1/introductions/ffffffffffffffffffffffffffffffff/accept')).status).toBe(404);

    expect((await api(bob, 'POST', `/v1/introductions/${bobOffer.id}/accept`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await contacts(carol)).map((c) => c.name)).toEqual(['alice']); // nothing before Carol says yes
    expect((await api(carol, 'POST', `/v1/introductions/${carolOffer.id}/accept`)).status).toBe(200);

    const bobCarol = await eventually(async () => (await contacts(bob)).find((c) => c.name === 'introduced: Carol' && c.status === 'active'), 120_000, 'bob gets carol');
    const carolBob = await eventually(async () => (await contacts(carol)).find((c) => c.name === 'introduced: Bob' && c.status === 'active'), 120_000, 'carol gets bob');
    expect(bobCarol.fingerprint).toBeDefined();
    expect(bobCarol.fingerprint).toBe(carolBob.fingerprint);
    // Fresh keys: Bob is someone else to Carol than to Alice, and so is Carol to Bob.
    expect(await cardKey(bob, bobCarol.id)).not.toBe(await cardKey(bob, ab.answererSide));
    expect(await cardKey(carol, carolBob.id)).not.toBe(await cardKey(carol, ac.answererSide));
    await eventually(async () => ((await intros(alice)).made.find((m) => m.id === made.json.id)?.status === 'done' ? true : undefined), 60_000, 'alice sees it done');

    expect((await api(bob, 'POST', '/v1/messages', { contactId: bobCarol.id, text: 'hello Carol, Alice told me about you' })).status).toBe(201);
    await eventually(async () => {
      const h = (await api<HistoryResponse>(carol, 'GET', `/v1/contacts/${carolBob.id}/messages`)).json.messages;
      return h.some((m) => m.direction === 'in' && m.text === 'hello Carol, Alice told me about you') ? true : undefined;
    }, 60_000, 'carol reads bob');

    // Alice hands Bob the answer card Carol gave her: it answers none of Bob's invitations.
    const passedOn = await api<{ error: { code: string; message: string } }>(bob, 'POST', '/v1/cards/import', { card: ac.answer });
    expect(passedOn.status).toBe(422);
    expect(passedOn.json.error.message).toContain('a card passed on by someone else is useless');
    expect((await contacts(bob)).map((c) => c.name).sort()).toEqual(['alice', 'introduced: Carol']);
  }, 420_000);
});
