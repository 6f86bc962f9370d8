/**
 * What a node serves to phones on its Wi-Fi (issue 12), in one process on
 * loopback: a meow-node with the web client on (its real HTTP server and
 * envelope API, its SQLite store), driven the way the page drives it, by
 * simulated browsers, each from its own loopback address (127.0.0.x) as
 * phones on a Wi-Fi are, so the per-address limits apply as in the field.
 * The envelopes are opaque bytes of a text message's size: the node never
 * opens a browser's envelope, the sealing is done on the phone.
 *  - web.serve: messages per second the node carries from K senders to K
 *    receivers, end to end: a sender submits (POST /api/envelopes) and
 *    long-polls until its receipt leaves "queued"; a receiver long-polls
 *    (POST /api/poll), then releases what it got (DELETE), as the page
 *    does. Baseline: the node-hosted agent's send path in the same run
 *    (`POST /v1/messages` on the local API, one after the other, answered
 *    "queued": sealed on the node, the vault saved), what the same users
 *    would cost the node if it held their keys.
 *  - web.serve.1-pair: one sender and one receiver, beside K pairs.
 *  - web.first-message: on an idle node, from a sender's POST to the
 *    envelope in the waiting receiver's long-poll answer (median).
 * `npm run bench -- --only web`
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent as HttpAgent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromArgs } from '../../apps/meow-node/main.ts';
import type { NodeConfig } from '../../apps/meow-node/config.ts';
import { startMeshNode, type MeshNode } from '../../apps/meow-node/mesh-node.ts';
import { startStatusServer, type StatusServer } from '../../apps/meow-node/status-server.ts';
import { createLocalApi, type LocalApi } from '../../apps/meow-node/local-api/index.ts';
import { startWebClient, type WebClient } from '../../apps/meow-node/web/start.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { createNodeScryptKdf } from '../../node-runtime/platform/scrypt-kdf.ts';
import type { ImportCardResponse, InvitationView } from '../../seams/local-api.ts';
import { type Benchmark, withBaseline } from './harness.ts';

/** A text message's envelope is about this size (a short text, sealed, padded). */
const ENVELOPE_BYTES = 200;

interface Running {
  node: MeshNode;
  api: LocalApi;
  server: StatusServer;
  token: string;
  web?: WebClient;
}

async function start(dir: string, udp: number, peer: number, web: boolean): Promise<Running> {
  const config = configFromArgs(['--data-dir', dir, '--port', String(udp), '--peer', `127.0.0.1:${peer}`, '--no-mdns', '--api-port', '0']) as NodeConfig;
  const log = createLogger('error', () => systemClock.now(), () => undefined);
  const suite = createNodeSuite();
  const node = await startMeshNode({ ...config, region: 'none' } as NodeConfig, { clock: systemClock, random: systemRandom, suite, log });
  let listen = 0;
  const api = createLocalApi({
    dataDir: dir, suite, random: systemRandom, clock: systemClock, log, port: node.agentPort,
    kdf: createNodeScryptKdf({ logN: 10, r: 8, p: 1 }), listenPort: () => listen,
  });
  const server = await startStatusServer('127.0.0.1', 0, () => node.status(), api.handler);
  listen = server.port;
  const client = web
    ? await startWebClient({ enabled: true, host: '127.0.0.1', port: 0 }, {
      dataDir: dir, port: node.agentPort, store: node.store, suite, clock: systemClock, random: systemRandom, log, status: () => node.status(), mesh: node.router,
    })
    : undefined;
  return { node, api, server, token: readFileSync(join(dir, 'api.token'), 'utf8').trim(), ...(client ? { web: client } : {}) };
}

interface Answer { status: number; json: Record<string, unknown> }

/** One simulated browser: its own source address, a keep-alive connection pool, its token. */
class Browser {
  private readonly agent: HttpAgent;
  private token = '';

  constructor(private readonly port: number, localAddress: string) {
    this.agent = new HttpAgent({ keepAlive: true, localAddress, maxSockets: 4 });
  }

  call(method: string, path: string, body?: unknown): Promise<Answer> {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: this.port, method, path, agent: this.agent,
        headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const answer = { status: res.statusCode ?? 0, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
          if (answer.status >= 400) reject(new Error(`${method} ${path}: ${answer.status} ${text}`));
          else resolve(answer);
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  async register(tag: string): Promise<void> {
    this.token = (await this.call('POST', '/api/browsers')).json.token as string;
    await this.call('POST', '/api/mailboxes', { tags: [tag] });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Pair { sender: Browser; receiver: Browser; tag: string }

async function pairs(port: number, count: number, first: number): Promise<Pair[]> {
  const out: Pair[] = [];
  for (let i = 0; i < count; i++) {
    const sender = new Browser(port, `127.0.0.${first + 2 * i}`);
    const receiver = new Browser(port, `127.0.0.${first + 2 * i + 1}`);
    const tag = Buffer.from(systemRandom.bytes(6)).toString('hex');
    await sender.register(Buffer.from(systemRandom.bytes(6)).toString('hex'));
    await receiver.register(tag);
    out.push({ sender, receiver, tag });
  }
  return out;
}

/** The page's receive loop: long poll, release each envelope, until `count` arrived; calls `got` with the arrival time. */
async function receive(r: Browser, tag: string, count: number, got: (at: number) => void = () => undefined): Promise<void> {
  let n = 0;
  while (n < count) {
    const answer = await r.call('POST', '/api/poll', { seen: [], receipts: [], waitMs: 20_000 });
    const at = performance.now();
    for (const e of answer.json.envelopes as { id: string }[]) {
      got(at);
      await r.call('DELETE', `/api/mailboxes/${tag}/${e.id}`);
      n++;
    }
  }
}

/** The page's send: submit, then poll until the node says the receipt left "queued". */
async function send(p: Pair, meshNode: string): Promise<void> {
  const view = await p.sender.call('POST', '/api/envelopes', { tag: p.tag, envelope: Buffer.from(systemRandom.bytes(ENVELOPE_BYTES)).toString('base64'), meshNode });
  for (;;) {
    const answer = await p.sender.call('POST', '/api/poll', { seen: [], receipts: [view.json.id], waitMs: 20_000 });
    if ((answer.json.receipts as unknown[]).length > 0) return;
  }
}

async function serve(list: Pair[], perPair: number, meshNode: string): Promise<number> {
  const startAt = performance.now();
  await Promise.all(list.flatMap((p) => [
    receive(p.receiver, p.tag, perPair),
    (async () => {
      for (let i = 0; i < perPair; i++) await send(p, meshNode);
    })(),
  ]));
  return (list.length * perPair * 1000) / (performance.now() - startAt);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function localApi<T>(r: Running, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${r.server.port}${path}`, {
    method, headers: { authorization: `Bearer ${r.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The baseline: the node-hosted agent sends (seals on the node, saves its vault), one message after the other. */
async function hostedAgentSends(a: Running, b: Running, count: number): Promise<number> {
  await localApi(a, 'POST', '/v1/agent/init', { password: 'a' });
  await localApi(b, 'POST', '/v1/agent/init', { password: 'b' });
  const invite = await localApi<InvitationView>(a, 'POST', '/v1/invitations', { name: 'bob' });
  const answer = await localApi<ImportCardResponse>(b, 'POST', '/v1/cards/import', { card: invite.card.card, name: 'alice' });
  await localApi(a, 'POST', '/v1/cards/import', { card: answer.answer!.card });
  const startAt = performance.now();
  for (let i = 0; i < count; i++) await localApi(a, 'POST', '/v1/messages', { contactId: invite.contact.id, text: `hosted ${i}` });
  return (count * 1000) / (performance.now() - startAt);
}

const bench: Benchmark = async ({ report, quick }) => {
  const root = await mkdtemp(join(tmpdir(), 'meow-web-bench-'));
  const a = await start(join(root, 'a'), 46481, 46482, true);
  const b = await start(join(root, 'b'), 46482, 46481, false);
  const browsers: Browser[] = [];
  try {
    const port = a.web!.port;
    const meshNode = Buffer.from(a.node.nodeId).toString('hex');
    const k = quick ? 4 : 8;
    const perPair = quick ? 20 : 100;

    // Time to first message on an idle node: the receiver is already waiting in its long poll.
    const [idle] = await pairs(port, 1, 2);
    browsers.push(idle!.sender, idle!.receiver);
    const firsts: number[] = [];
    for (let i = 0; i < (quick ? 5 : 15); i++) {
      let arrived = 0;
      const waiting = receive(idle!.receiver, idle!.tag, 1, (at) => (arrived = at));
      await new Promise((r) => setTimeout(r, 50)); // the poll is parked on the node
      const sentAt = performance.now();
      await idle!.sender.call('POST', '/api/envelopes', { tag: idle!.tag, envelope: Buffer.from(systemRandom.bytes(ENVELOPE_BYTES)).toString('base64'), meshNode });
      await waiting;
      firsts.push(arrived - sentAt);
    }

    const one = await serve([idle!], perPair, meshNode);
    const many = await pairs(port, k, 10);
    browsers.push(...many.flatMap((p) => [p.sender, p.receiver]));
    const served = await serve(many, perPair, meshNode);
    const hosted = await hostedAgentSends(a, b, quick ? 15 : 50);

    report({ name: 'web.first-message', value: median(firsts), unit: 'ms' });
    report(withBaseline('web.serve.1-pair', one, 'msg/s', hosted, 'node-hosted agent POST /v1/messages (msg/s)'));
    report(withBaseline(`web.serve.${k}-pairs`, served, 'msg/s', hosted, 'node-hosted agent POST /v1/messages (msg/s)'));
  } finally {
    for (const br of browsers) br.close();
    for (const r of [a, b]) {
      await r.web?.close();
      r.api.stop();
      await r.server.close();
      await r.node.stop();
    }
    // The node's last writes (browser registry, store) may land while this runs: retry.
    await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
};

export default bench;
