/**
 * The envelope API a browser agent uses, over a real loopback HTTP socket,
 * on a real in-process node port and SQLite store: register a mailbox,
 * follow it as Server-Sent Events, submit an envelope (addressed to this
 * node's own mesh id, so it lands in its mailboxes), list it, release it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeRoutes } from '../../apps/meow-node/local-api/envelope-routes.ts';
import { createInProcessNodePort, type InProcessNodePort } from '../../apps/meow-node/local-api/node-port.ts';
import { createLocalApiHandler } from '../../apps/meow-node/local-api/router.ts';
import { startStatusServer, type StatusServer } from '../../apps/meow-node/status-server.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore, type Store } from '../../node-runtime/store/index.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import type { EnvelopeEvent, MailboxEnvelopesResponse, SubmissionView } from '../../seams/local-api.ts';

const suite = createNodeSuite();
const token = new Uint8Array(32).fill(9);
const dir = mkdtempSync(join(tmpdir(), 'meow-envelope-api-'));
const nodeId = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
let store: Store;
let port: InProcessNodePort;
let server: StatusServer;

beforeAll(async () => {
  store = openStore({ path: join(dir, 'node.db'), clock: systemClock, random: systemRandom });
  const log = createLogger('error', Date.now, () => undefined);
  port = createInProcessNodePort({
    nodeId, store, suite, clock: systemClock, random: systemRandom, log, sendDirect: () => Promise.reject(new Error('no mesh here')),
  });
  let listen = 0;
  const handler = createLocalApiHandler({ port: () => listen, token, routes: envelopeRoutes(port, suite), events: () => () => undefined, log, now: Date.now });
  server = await startStatusServer('127.0.0.1', 0, () => ({}), handler);
  listen = server.port;
});
afterAll(async () => {
  port.stop();
  await server.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  return fetch(`http://127.0.0.1:${server.port}${path}`, {
    method, headers: { authorization: `Bearer ${toHex(token)}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).then(async (res) => ({ status: res.status, json: (await res.json().catch(() => ({}))) as T }));
}

/** Opens the event stream and resolves with the first `envelope` event. */
async function firstEnvelopeEvent(tags: string, opened: () => Promise<void>): Promise<EnvelopeEvent> {
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${server.port}/v1/mailboxes/events?tags=${tags}`, {
    headers: { authorization: `Bearer ${toHex(token)}` }, signal: controller.signal,
  });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  await opened();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended: ${text}`);
      text += new TextDecoder().decode(value);
      const m = /event: envelope\ndata: (.*)\n\n/.exec(text);
      if (m) return JSON.parse(m[1]!) as EnvelopeEvent;
    }
  } finally {
    controller.abort();
  }
}

describe('envelope API', () => {
  const lookup = generateLookupKeyPair(suite, systemRandom);
  const tag = toHex(mailboxTag(suite, lookup.publicKey));
  const envelope = Buffer.from('a sealed envelope, opaque to the node').toString('base64');

  it('refuses a lookup seed that is not the key of the tag, relays without a seed, and events for unregistered tags', async () => {
    const other = generateLookupKeyPair(suite, systemRandom);
    const wrong = await call<{ error: { code: string; fields: { field: string } } }>('POST', '/v1/mailboxes', { tag, lookupSeed: Buffer.from(other.secretKey).toString('base64') });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.fields.field).toBe('lookupSeed');
    expect((await call('POST', '/v1/mailboxes', { tag, relays: ['http://127.0.0.1:1'] })).status).toBe(400);
    expect((await call('POST', '/v1/mailboxes', { tag, relays: ['htp://x'] })).status).toBe(400);
    expect((await call('GET', `/v1/mailboxes/events?tags=${tag}`)).status).toBe(400);
  });

  it('registers, streams the arrival, lists it, and releases it once', async () => {
    const registered = await call('POST', '/v1/mailboxes', { tag, lookupSeed: Buffer.from(lookup.secretKey).toString('base64') });
    expect(registered).toEqual({ status: 200, json: { tag } });
    let receipt = '';
    const event = await firstEnvelopeEvent(tag, async () => {
      const submitted = await call<SubmissionView>('POST', '/v1/envelopes', { tag, envelope, meshNode: toHex(nodeId) });
      expect(submitted.status).toBe(201);
      expect(submitted.json.state).toBe('queued');
      receipt = submitted.json.id;
    });
    expect(event).toMatchObject({ tag, envelope });
    expect(event.id).toBe(receipt);
    expect((await call<SubmissionView>('GET', `/v1/envelopes/${receipt}`)).json.state).toBe('sent');

    const listed = await call<MailboxEnvelopesResponse>('GET', `/v1/mailboxes/${tag}`);
    expect(listed.json.envelopes.map((e) => e.id)).toEqual([receipt]);
    expect((await call('DELETE', `/v1/mailboxes/${tag}/${receipt}`)).status).toBe(204);
    expect((await call<MailboxEnvelopesResponse>('GET', `/v1/mailboxes/${tag}`)).json.envelopes).toEqual([]);
    const again = await call<{ error: { code: string } }>('DELETE', `/v1/mailboxes/${tag}/${receipt}`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('unknown-message');
  });

  it('wants the 16-byte relay tag for relays, and says why a deposit is not out yet', async () => {
    const short = await call('POST', '/v1/envelopes', { tag, envelope, relays: ['http://127.0.0.1:9'] });
    expect(short.status).toBe(400);
    const full = toHex(mailboxTagOf(suite, lookup.publicKey));
    expect(full.startsWith(tag)).toBe(true);
    // Nothing listens on port 9 and no relay factory is given: the row stays queued with its reason.
    const submitted = await call<SubmissionView>('POST', '/v1/envelopes', { tag: full, envelope: Buffer.from('other').toString('base64'), relays: ['http://127.0.0.1:9'] });
    expect(submitted.status).toBe(201);
    port.pump();
    await new Promise((r) => setTimeout(r, 50));
    expect((await call<SubmissionView>('GET', `/v1/envelopes/${submitted.json.id}`)).json).toMatchObject({ state: 'queued', failure: 'no route' });
  });
});
