/**
 * Matriochka end to end over real loopback sockets: five `meow-relay --onion`
 * processes that learn each other's onion keys by catalog exchange, and two
 * meow-node processes whose hosted agents are Alice and Bob. Alice's policy
 * for Bob is matriochka with her relay as the trusted first hop; Bob's
 * mailbox is on another relay. Every relay is reached through a recording
 * proxy in this test (its published URL), so every onion packet on the wire
 * is seen: all the same size. Afterwards each relay's files are searched
 * for Bob's mailbox tags (only his relay holds them), a packet is replayed
 * (refused); with both middle relays down the message says so at its
 * deadline and a new chain through a relay started meanwhile delivers it;
 * with the trusted relay down the message says why.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContactView, ImportCardResponse, InvitationView, MessageView } from '../../seams/local-api.ts';
import { ONION_FRAME_TYPE, ONION_CLASSES, onionPacketBytes } from '../../protocol/onion/constants.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import { sendOnionPacket } from '../../gateway/client/onion-forwarder.ts';
import { httpTransport } from '../../gateway/client/http-transport.ts';
import { createRelaySuite } from '../../gateway/server/crypto/relay-suite.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { api, eventually, history, type NodeProcess, ready, startNode, stop } from './support.ts';

const nodeBin = new URL('../../bin/meow-node.js', import.meta.url).pathname;

/** A node as support.ts starts one, with short Matriochka deadlines in its config (a chain is suspected 3 s after its delays). */
function startOnionNode(rootDir: string, name: string, udpPort: number, peerPort: number, statusPort: number): NodeProcess {
  const dir = join(rootDir, name);
  const configPath = join(rootDir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify({
    dataDir: dir, region: 'none', log: { level: 'warn' }, status: { port: statusPort },
    links: [{ type: 'udp', port: udpPort, bindAddress: '127.0.0.1', peers: [`127.0.0.1:${peerPort}`], mdns: false }],
    onion: { hops: 3, meanDelayMs: 100, receiptWithinMs: 3000 },
  }));
  const node: NodeProcess = { dir, statusPort, child: spawn(process.execPath, [nodeBin, '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] }), stderr: '' };
  node.child.stderr!.on('data', (d: Buffer) => (node.stderr += d.toString()));
  return node;
}

const suite = createRelaySuite(createNodeSuite());
const root = mkdtempSync(join(tmpdir(), 'meow-e2e-onion-'));
// Peers 22029/22030: nobody listens there, so nothing crosses between the nodes but the relays.
const alice = startOnionNode(root, 'alice', 22021, 22029, 22031);
const bob = startNode(root, 'bob', 22022, 22030, 22032);
const NAMES = ['trusted', 'mid-1', 'mid-2', 'bob-relay', 'mid-3'] as const;
type Name = (typeof NAMES)[number];
const relayBin = new URL('../../bin/meow-relay.js', import.meta.url).pathname;

interface Relay {
  readonly name: Name;
  readonly dir: string;
  readonly port: number;
  /** The recording proxy in front of it: the URL published and used by everyone. */
  readonly url: string;
  child?: ChildProcess;
  out: string;
}

/** Onion frames seen on the wire: to which relay, and the bytes. */
const onionFrames: { to: Name; bytes: Uint8Array }[] = [];
const proxies: Server[] = [];
const relays = new Map<Name, Relay>(NAMES.map((name, i) => [name, {
  name, dir: join(root, name), port: 22041 + i, url: `http://127.0.0.1:${22051 + i}`, out: '',
}]));
const relay = (name: Name): Relay => relays.get(name) as Relay;

/** Forwards every request to the relay's real port and records the onion frames among them. */
async function startProxy(r: Relay): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body[0] === ONION_FRAME_TYPE) onionFrames.push({ to: r.name, bytes: new Uint8Array(body) });
      fetch(`http://127.0.0.1:${r.port}${req.url ?? '/'}`, {
        method: req.method ?? 'GET', headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' },
        ...(req.method === 'POST' ? { body } : {}),
      }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      }, () => {
        res.destroy();
      });
    });
  });
  proxies.push(server);
  await new Promise<void>((resolve) => server.listen(Number(new URL(r.url).port), '127.0.0.1', resolve));
}

async function startRelayProcess(r: Relay): Promise<void> {
  const peers = NAMES.filter((n) => n !== r.name).flatMap((n) => ['--peer', relay(n).url]);
  const child = spawn(process.execPath, [relayBin, '--data', r.dir, '--port', String(r.port), '--stamp-bits', '8', '--onion',
    '--public-url', r.url, '--peer-sync-seconds', '1', ...peers], { stdio: ['ignore', 'pipe', 'pipe'] });
  r.child = child;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      r.out += d.toString();
      if (r.out.includes('listening')) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (r.out += d.toString()));
    child.once('exit', (code) => reject(new Error(`meow-relay exited ${code}: ${r.out}`)));
  });
}

async function stopRelayProcess(r: Relay): Promise<void> {
  const child = r.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  await stop(alice);
  await stop(bob);
  await Promise.all([...relays.values()].map(stopRelayProcess));
  await Promise.all(proxies.map((p) => new Promise((resolve) => p.close(resolve))));
  rmSync(root, { recursive: true, force: true });
});

async function stateOf(node: NodeProcess, contactId: string, text: string): Promise<MessageView | undefined> {
  return (await history(node, contactId)).find((m) => m.text === text);
}

/** Every byte of a relay's data directory (SQLite files and their WAL). */
function filesOf(r: Relay): Buffer {
  return Buffer.concat(readdirSync(r.dir).filter((f) => f !== 'relay.lock').map((f) => readFileSync(join(r.dir, f))));
}

/** The mailbox tags registered on a relay. */
function registeredTags(r: Relay): Buffer[] {
  const db = new Database(join(r.dir, 'mailboxes.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT tag FROM relay_mailboxes').all() as { tag: Buffer }[]).map((row) => row.tag);
  } finally {
    db.close();
  }
}

/** Waits until the trusted relay's catalog lists `count` relays with an onion key. */
async function catalogsMet(count: number): Promise<void> {
  await eventually(async () => {
    const client = await connectRelay(relay('trusted').url, { suite, random: systemRandom, clock: systemClock, timeoutMs: 5000 });
    try {
      const known = onionRelaysOf(suite, (await client.catalog()).map((d) => d.bytes), Math.floor(Date.now() / 1000));
      return known.length === count ? true : undefined;
    } finally {
      await client.close();
    }
  }, 60_000, 'the relays\' catalogs to meet');
}

describe('Matriochka between two nodes through five relays', () => {
  it('delivers through an onion chain, same-size packets, neighbours only, replay refused, dead middles then a new chain, a dead first hop said', async () => {
    await Promise.all([...relays.values()].map(startProxy));
    // mid-3 starts later: the relay a new chain can use once the others are down.
    await Promise.all([...relays.values()].filter((r) => r.name !== 'mid-3').map(startRelayProcess));
    await ready(alice);
    await ready(bob);
    expect(await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).toMatchObject({ status: 201 });
    expect(await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).toMatchObject({ status: 201 });
    const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob', relays: [relay('trusted').url] });
    const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.armored, name: 'alice', relays: [relay('bob-relay').url] });
    expect(answered.status).toBe(200);
    const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
    const aliceBob: ContactView = done.json.contact;
    const bobAlice: ContactView = answered.json.contact;
    // "required matriochka for Bob, first node one of my trusted servers" (whitepaper 1.2.4).
    const patched = await api<ContactView>(alice, 'PATCH', `/v1/contacts/${aliceBob.id}`, { policy: { mode: 'matriochka', relays: [relay('trusted').url] } });
    expect(patched.json.policy).toEqual({ mode: 'matriochka', relays: [relay('trusted').url] });
    // Bob answers (receipts) only through Alice's relay, as in the relay chat test: no mesh path to wait out.
    const bobPolicy = await api<ContactView>(bob, 'PATCH', `/v1/contacts/${bobAlice.id}`, { policy: { mode: 'server', relays: [relay('trusted').url] } });
    expect(bobPolicy.json.policy.mode).toBe('server');
    await catalogsMet(4);

    const text = 'hello inside three layers';
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text });
    await eventually(async () => ((await stateOf(alice, aliceBob.id, text))?.state === 'sent' ? true : undefined), 30_000, 'sent: the trusted relay took it')
      .catch(async (e: unknown) => {
        console.log(JSON.stringify(await history(alice, aliceBob.id)), alice.stderr, relay('trusted').out);
        throw e;
      });
    await eventually(async () => {
      await api(bob, 'POST', '/v1/mailboxes/fetch');
      return (await stateOf(bob, bobAlice.id, text)) ? true : undefined;
    }, 30_000, 'bob gets it');
    await eventually(async () => {
      await api(alice, 'POST', '/v1/mailboxes/fetch');
      return (await stateOf(alice, aliceBob.id, text))?.state === 'delivered' ? true : undefined;
    }, 30_000, 'alice sees delivered (bob\'s receipt)').catch(async (e: unknown) => {
      console.log(JSON.stringify(await history(alice, aliceBob.id)), JSON.stringify(await history(bob, bobAlice.id)), alice.stderr, bob.stderr);
      throw e;
    });

    // On the wire: Alice -> trusted -> a middle -> Bob's relay (again through a new chain if the receipt was slow), every onion packet the same size.
    const toMiddle = onionFrames.filter((f) => f.to === 'mid-1' || f.to === 'mid-2');
    expect(onionFrames.filter((f) => f.to === 'trusted').length).toBeGreaterThanOrEqual(1);
    expect(toMiddle.length).toBeGreaterThanOrEqual(1);
    expect(onionFrames.filter((f) => f.to === 'bob-relay').length).toBeGreaterThanOrEqual(1);
    expect(new Set(onionFrames.map((f) => f.bytes.length))).toEqual(new Set([onionPacketBytes(ONION_CLASSES.short)]));

    // Stores: Bob's mailbox tags are on his relay only; logs hold neither them nor the text.
    const tags = registeredTags(relay('bob-relay'));
    expect(tags.length).toBeGreaterThan(0);
    for (const r of [...relays.values()].filter((x) => x.name !== 'mid-3')) {
      const bytes = filesOf(r);
      for (const tag of tags) expect(bytes.includes(tag), `${r.name} holds a tag of Bob's`).toBe(r.name === 'bob-relay');
      expect(bytes.includes(Buffer.from(text)), `${r.name} holds the text`).toBe(false);
      for (const tag of tags) expect(r.out).not.toContain(tag.toString('hex'));
      expect(r.out).not.toContain(text);
      expect(r.out).not.toMatch(/onion-(forward|deposit)-failed/);
    }

    // A replayed packet is refused by the relay that peeled it.
    const middle = toMiddle[0]!;
    const t = httpTransport(relay(middle.to).url, { timeoutMs: 5000 });
    await expect(sendOnionPacket(t, middle.bytes)).rejects.toMatchObject({ name: 'RelayError', code: 'replayed' });
    await t.close();

    // Both middles die: the trusted relay takes the onion and cannot pass it on. The message says so at its
    // deadline; mid-3 comes up and new chains without the dead middles deliver.
    await stopRelayProcess(relay('mid-1'));
    await stopRelayProcess(relay('mid-2'));
    const dead = 'through a dead middle';
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: dead });
    await eventually(async () => ((await stateOf(alice, aliceBob.id, dead))?.state === 'sent' ? true : undefined), 30_000, 'sent into a dead chain');
    await startRelayProcess(relay('mid-3'));
    await catalogsMet(5);
    const said = await eventually(async () => {
      const m = await stateOf(alice, aliceBob.id, dead);
      return m?.failure ? m : undefined;
    }, 60_000, 'the missed deadline on the message');
    expect(said).toMatchObject({ state: 'sent', failure: expect.stringMatching(/^no receipt by the deadline: a relay of the chain may be down/) });
    await eventually(async () => {
      await api(bob, 'POST', '/v1/mailboxes/fetch');
      return (await stateOf(bob, bobAlice.id, dead)) ? true : undefined;
    }, 90_000, 'bob gets it through a new chain');
    expect(onionFrames.some((f) => f.to === 'mid-3')).toBe(true);
    expect(relay('trusted').out).toMatch(/onion-forward-failed/);
    await eventually(async () => {
      await api(alice, 'POST', '/v1/mailboxes/fetch');
      return (await stateOf(alice, aliceBob.id, dead))?.state === 'delivered' ? true : undefined;
    }, 30_000, 'delivered after the new chain');
    expect(new Set(onionFrames.map((f) => f.bytes.length))).toEqual(new Set([onionPacketBytes(ONION_CLASSES.short)]));

    // The trusted relay down: the message is not sent any other way, and says why.
    await stopRelayProcess(relay('trusted'));
    await api(alice, 'POST', '/v1/messages', { contactId: aliceBob.id, text: 'while the first hop is down' });
    const waiting = await eventually(async () => {
      const m = await stateOf(alice, aliceBob.id, 'while the first hop is down');
      return m?.failure ? m : undefined;
    }, 30_000, 'the reason');
    expect(waiting.state).toBe('queued');
    expect(waiting.failure).toMatch(/^relay http:\/\/127\.0\.0\.1:22051\/? unreachable: /);
    const atBobRelay = onionFrames.filter((f) => f.to === 'bob-relay').length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(onionFrames.filter((f) => f.to === 'bob-relay').length).toBe(atBobRelay);
  }, 400_000);
});
