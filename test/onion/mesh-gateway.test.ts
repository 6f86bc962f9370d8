/**
 * Matriochka over the mesh, end to end: two meow-node processes on loopback
 * UDP as a mesh. Alice's node has no relay of its own (config
 * `onion.gateway`: the gateway's node key); Bob's node is the gateway (its
 * `gateway.relays` is the first relay) and hosts Bob, whose mailbox is on
 * the third relay. Three onion relays run in this process (startRelay with
 * the onion front), their forwarders recorded. Alice's agent builds the
 * onion with her keys; the gateway carries the catalog request and the
 * packet to the first relay only; the message lands in Bob's mailbox, Bob
 * reads it, his receipt comes back over the mesh ('delivered'). A second
 * message finds Alice's onion allowance at the gateway spent: she sees why.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { ONION_CLASSES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { pinnedUrl, relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { createOnionForwarder } from '../../gateway/client/onion-forwarder.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import { type RunningRelay, startRelay } from '../../gateway/server/relay.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { freePorts } from '../support/free-port.ts';
import { api, eventually, history, type NodeProcess, ready, startNode, stop } from '../e2e/support.ts';
import { suite } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-onion-mesh-'));
const NAMES = ['first', 'middle', 'bobs'] as const;
type Name = (typeof NAMES)[number];
const relays = {} as Record<Name, RunningRelay>;
/** Onion packets each relay's forwarder sent on, by the URL it sent them to. */
const forwarded: Record<Name, string[]> = { first: [], middle: [], bobs: [] };
/** Sizes of the packets relays sent on: one class for every hop. */
const sizes: number[] = [];
const nodes: NodeProcess[] = [];
const gatewaySeed = new SeededRandom('mesh-gateway-key').bytes(32);
const gatewayPublic = suite.ed25519PublicKey(gatewaySeed);

async function relay(name: Name): Promise<RunningRelay> {
  const r = await startRelay({
    dataDir: join(root, name), suite, random: new SeededRandom(`mesh-onion-${name}`), clock: systemClock,
    http: { host: '127.0.0.1', port: 0 }, commitWaitMs: 0,
    onion: {
      forwarder: (resolve) => createOnionForwarder({
        resolve, open: (url) => {
          const t = httpTransport(url, { timeoutMs: 2000 });
          return { ...t, exchange: (frame, replyId) => (forwarded[name].push(url), sizes.push(frame.length), t.exchange(frame, replyId)), close: () => t.close() };
        },
      }),
    },
  });
  relays[name] = r;
  return r;
}

const url = (name: Name): string => relays[name].urls[0] as string;

afterAll(async () => {
  await Promise.all(nodes.map(stop));
  await Promise.all(Object.values(relays).map((r) => r.close()));
  rmSync(root, { recursive: true, force: true });
});

async function message(node: NodeProcess, contactId: string, text: string): Promise<MessageView | undefined> {
  return (await history(node, contactId)).find((m) => m.text === text);
}

/** Every byte the gateway node keeps in its data directory. */
function gatewayFiles(dir: string): Buffer {
  const all: Buffer[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else all.push(readFileSync(p));
    }
  };
  walk(dir);
  return Buffer.concat(all);
}

describe('Matriochka over the mesh through a gateway', () => {
  it('the mesh node\'s onion crosses the mesh, only the first relay sees the gateway, Bob reads it, the receipt comes back; a spent allowance is a failure Alice sees', async () => {
    for (const name of NAMES) await relay(name);
    const descriptors = NAMES.map((n) => relays[n].onion!.descriptor().bytes);
    for (const n of NAMES) await relays[n].core.importCatalog(descriptors);

    const [aliceUdp, bobUdp, aliceStatus, bobStatus] = await freePorts(4) as [number, number, number, number];
    const bobDir = join(root, 'bob');
    mkdirSync(bobDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(bobDir, 'node.key'), `${JSON.stringify({ version: 1, ed25519Seed: toHex(gatewaySeed) })}\n`, { mode: 0o600 });
    // The gateway serves the first relay only, and carries two onion requests per sender an hour (the catalog, one packet).
    const bob = startNode(root, 'bob', bobUdp, aliceUdp, bobStatus, { gateway: { relays: [url('first')] }, onion: { carryPerSenderPerHour: 2 } });
    const alice = startNode(root, 'alice', aliceUdp, bobUdp, aliceStatus, {
      onion: { gateway: toHex(gatewayPublic), hops: 3, meanDelayMs: 0, receiptWithinMs: 60_000 },
    });
    nodes.push(alice, bob);
    await Promise.all([ready(alice), ready(bob)]);
    expect(await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).toMatchObject({ status: 201 });
    expect(await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).toMatchObject({ status: 201 });
    // Alice's card names her mesh node only; Bob's mailbox is on the third relay.
    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob' });
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.armored, name: 'alice', relays: [url('bobs')] });
    expect(answered.status).toBe(200);
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    // The trusted first relay pinned by its key: over the mesh the gateway passes its descriptor on.
    const trusted = pinnedUrl(url('first'), relayKeyFingerprint(suite, relays.first.key.publicKey));
    const patched = await api<ContactView>(alice, 'PATCH', `/v1/contacts/${aliceBob.id}`, { policy: { mode: 'matriochka', relays: [trusted] } });
    expect(patched.json.policy).toEqual({ mode: 'matriochka', relays: [trusted] });

    const text = 'three layers over the radio';
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text });
    await eventually(async () => ((await message(alice, aliceBob.id, text))?.state === 'sent' ? true : undefined), 20_000, 'sent: the first relay took it through the gateway')
      .catch(async (e: unknown) => {
        console.log(JSON.stringify(await history(alice, aliceBob.id)), alice.stderr, bob.stderr);
        throw e;
      });
    await eventually(async () => {
      await api(bob, 'POST', '/v1/mailboxes/fetch');
      return (await message(bob, bobAlice.id, text)) ? true : undefined;
    }, 15_000, 'bob reads it');
    await eventually(async () => ((await message(alice, aliceBob.id, text))?.state === 'delivered' ? true : undefined), 15_000, 'delivered: bob\'s receipt over the mesh');

    // Each relay saw one packet: the first from the gateway, the middle from the first, Bob's from the middle.
    expect(NAMES.map((n) => relays[n].onion!.counters.accepted)).toEqual([1, 1, 1]);
    expect(forwarded).toEqual({ first: [url('middle')], middle: [url('bobs')], bobs: [] });
    expect(relays.bobs.onion!.counters.delivered).toBe(1);
    // The smallest class that fits: this short text with its first-contact stamp goes in the 228-byte radio class, at every hop.
    expect(sizes).toEqual([onionPacketBytes(ONION_CLASSES.radio), onionPacketBytes(ONION_CLASSES.radio)]);
    const status = (await api<{ gateway: { onions: { carried: number; catalogs: number } } }>(bob, 'GET', '/status')).json;
    expect(status.gateway.onions).toMatchObject({ carried: 1, catalogs: 1 });
    // The gateway keeps nothing of the chain beyond the first relay: the middle relay's address appears nowhere in its files.
    expect(gatewayFiles(bobDir).includes(Buffer.from(new URL(url('middle')).host))).toBe(false);

    // The allowance (two requests an hour) is spent: the next onion is refused by the gateway, and Alice sees why.
    const second = 'one too many';
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: second });
    const refused = await eventually(async () => {
      const m = await message(alice, aliceBob.id, second);
      return m?.failure?.includes('allowance') ? m : undefined;
    }, 15_000, 'the gateway\'s refusal shown on the message');
    expect(refused.state).toBe('queued');
    expect(refused.failure).toContain('over this gateway\'s onion allowance for your node');
    expect(relays.first.onion!.counters.accepted).toBe(1);
  }, 60_000);
});
