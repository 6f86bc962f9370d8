/**
 * The web client's relay routes (apps/meow-node/web/relay-routes.ts) against
 * a real relay in this process: a browser's records go through only when
 * they are what they claim (a directory entry or broadcast signed for that
 * relay, a withdrawal and nothing else), bad input is a typed refusal that
 * spends no budget and changes nothing at the relay, the node adds the
 * stamp the relay asks for, and lists come back as the relay's bytes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroadcast, createDirectoryEntry } from '../../protocol/server/records.ts';
import { encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { createWebRelays, MAX_PROXY_STAMP_BITS, type WebRelays } from '../../apps/meow-node/web/relay-routes.ts';
import { startWebServer, type WebServerDeps } from '../../apps/meow-node/web/server.ts';
import { LocalApiError } from '../../apps/meow-node/local-api/errors.ts';
import { connect, startTestRelay, suite } from '../gateway/relay/support.ts';

type Relay = Awaited<ReturnType<typeof startTestRelay>>;
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const nowSec = (): number => Math.floor(Date.now() / 1000);

/** The refusal `run` throws: its code, its fields. */
async function refusal(run: () => Promise<unknown>): Promise<{ code: string; fields: Record<string, unknown> }> {
  try {
    await run();
  } catch (e) {
    if (!(e instanceof LocalApiError)) throw e;
    return { code: e.code, fields: { ...e.fields } };
  }
  throw new Error('no refusal');
}

describe('web relay routes', () => {
  let relay: Relay;
  let url: string;
  let routes: WebRelays;
  let signing: Uint8Array;
  let spent = 0;
  const budget = (): void => {
    spent++;
  };
  const entries = async (): Promise<string[]> => (await routes.search({ relay: url, query: '' })).entries;

  beforeAll(async () => {
    relay = await startTestRelay('web-relays');
    url = relay.urls[0]!;
    signing = relay.key.publicKey.signing;
    routes = createWebRelays({ suite, random: new SeededRandom('web-relays'), clock: systemClock, relays: [url], connect: (u) => connect(u, 'web-relays') });
  });
  afterAll(async () => {
    await relay.cleanup();
  });

  it('gives the relay key, carries an entry (stamped as the relay asks), finds it, withdraws it', async () => {
    expect(await routes.list()).toEqual({ relays: [{ url, signing: Buffer.from(signing).toString('hex') }] });
    const seed = new Uint8Array(32).fill(7);
    const record = createDirectoryEntry(suite, seed, signing, { createdSec: nowSec(), ttlSec: 3600, description: 'chess and bread', reach: new Uint8Array(40).fill(3) }).bytes;
    expect(await routes.publish({ record: b64(record) }, budget)).toEqual({ published: true });
    expect(spent).toBe(1);
    expect(await routes.search({ relay: url, query: 'chess' })).toEqual({ entries: [b64(record)] });
    expect(await routes.search({ random: 5 })).toEqual({ entries: [b64(record)] });
    const withdraw = encodeSignedRequest(suite, signing, seed, { kind: 'directory-withdraw', counter: Date.now() });
    expect(await routes.withdraw({ relay: url, request: b64(withdraw) })).toEqual({ withdrawn: true });
    expect(await entries()).toEqual([]);
  });

  it('refuses bad input with a typed error, spends no budget and leaves the relay as it was', async () => {
    spent = 0;
    const other = new Uint8Array(32).fill(1);
    const forOther = createDirectoryEntry(suite, new Uint8Array(32).fill(8), suite.ed25519PublicKey(other), { createdSec: nowSec(), ttlSec: 60, description: 'x', reach: new Uint8Array(8) }).bytes;
    expect(await refusal(() => routes.publish({ record: b64(forOther) }, budget))).toEqual({ code: 'bad-request', fields: { field: 'record' } });
    expect(await refusal(() => routes.publish({ record: 'not base64!' }, budget))).toEqual({ code: 'bad-request', fields: { field: 'record' } });
    expect(await refusal(() => routes.publish({ record: '' }, budget))).toEqual({ code: 'bad-request', fields: { field: 'record' } });
    expect(await refusal(() => routes.publish([], budget))).toMatchObject({ code: 'bad-request' });
    expect(await refusal(() => routes.publish({ relay: 'http://elsewhere', record: b64(forOther) }, budget))).toEqual({ code: 'not-found', fields: { field: 'relay' } });
    // A broadcast record is not an entry, an entry is not a withdrawal.
    const broadcast = createBroadcast(suite, other, signing, nowSec(), 'water at the school').bytes;
    expect(await refusal(() => routes.publish({ record: b64(broadcast) }, budget))).toEqual({ code: 'bad-request', fields: { field: 'record' } });
    expect(await refusal(() => routes.withdraw({ request: b64(forOther) }))).toEqual({ code: 'bad-request', fields: { field: 'request' } });
    const entry = createDirectoryEntry(suite, other, signing, { createdSec: nowSec(), ttlSec: 60, description: 'x', reach: new Uint8Array(8) }).bytes;
    expect(await refusal(() => routes.postBroadcast({ record: b64(entry) }, budget))).toEqual({ code: 'bad-request', fields: { field: 'record' } });
    expect(await refusal(() => routes.search({ query: 'q'.repeat(65) }))).toEqual({ code: 'bad-request', fields: { field: 'query' } });
    expect(await refusal(() => routes.search({ random: 0 }))).toEqual({ code: 'bad-request', fields: { field: 'random' } });
    expect(await refusal(() => routes.listBroadcasts({ since: -1 }))).toEqual({ code: 'bad-request', fields: { field: 'since' } });
    expect(spent).toBe(0);
    // The relay's own refusal (a record dated an hour ago) is a 400 with the relay's code; the budget was taken for it.
    const stale = createDirectoryEntry(suite, other, signing, { createdSec: nowSec() - 3600, ttlSec: 60, description: 'late', reach: new Uint8Array(8) }).bytes;
    expect(await refusal(() => routes.publish({ record: b64(stale) }, budget))).toEqual({ code: 'bad-request', fields: { relayCode: 'stale', relay: url } });
    expect(await entries()).toEqual([]);
    expect((await routes.listBroadcasts({})).items).toEqual([]);
  });

  it('posts a broadcast signed in the page and lists it back as the relay keeps it', async () => {
    const author = new Uint8Array(32).fill(5);
    const record = createBroadcast(suite, author, signing, nowSec(), 'water at the school until 18:00').bytes;
    const posted = await routes.postBroadcast({ relay: url, record: b64(record) }, budget);
    expect(posted.seq).toBeGreaterThan(0);
    expect(await routes.listBroadcasts({ since: 0 })).toEqual({ items: [{ seq: posted.seq, record: b64(record) }] });
    expect(await routes.listBroadcasts({ since: posted.seq })).toEqual({ items: [] });
  });

  it('names a relay out of reach (503) and lists it with the reason', async () => {
    const gone = createWebRelays({ suite, random: new SeededRandom('gone'), clock: systemClock, relays: ['http://127.0.0.1:9'], connect: (u) => connect(u, 'gone', { timeoutMs: 500 }) });
    const listed = await gone.list();
    expect(listed.relays).toHaveLength(1);
    expect(listed.relays[0]!.url).toBe('http://127.0.0.1:9');
    expect(listed.relays[0]!.error).toMatch(/cannot be reached/);
    expect(await refusal(() => gone.search({}))).toEqual({ code: 'node-unavailable', fields: { relay: 'http://127.0.0.1:9' } });
  });

  it('a relay asking more work than the node does for a browser is refused in a sentence', async () => {
    const greedy = await startTestRelay('web-relays-greedy', { limits: { directoryStampBits: MAX_PROXY_STAMP_BITS + 1 } });
    try {
      const key = greedy.key.publicKey.signing;
      const r = createWebRelays({ suite, random: new SeededRandom('greedy'), clock: systemClock, relays: [greedy.urls[0]!], connect: (u) => connect(u, 'greedy') });
      const record = createDirectoryEntry(suite, new Uint8Array(32).fill(4), key, { createdSec: nowSec(), ttlSec: 60, description: 'x', reach: new Uint8Array(8) }).bytes;
      expect(await refusal(() => r.publish({ record: b64(record) }, budget))).toEqual({ code: 'bad-request', fields: { relayCode: 'stamp-required', relay: greedy.urls[0] } });
      expect(await r.search({})).toEqual({ entries: [] });
    } finally {
      await greedy.cleanup();
    }
  });

  it('over HTTP: a token is needed, a node without relays says so, a browser\'s relay requests are budgeted', async () => {
    // A clock that stands still: no bucket refills during the test.
    const clock = { now: () => 1_000_000, setTimer: () => ({ cancel: () => undefined }) };
    const base = {
      dataDir: mkdtempSync(join(tmpdir(), 'meow-web-relays-')), suite, clock, random: new SeededRandom('web-relays-http'),
      bundle: { assets: new Map(), gzipBytes: 0, rawBytes: 0 }, status: () => ({}), where: () => ({ urls: [] }),
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      // The relay routes use neither the envelope port, the store nor the mesh.
      port: undefined, store: undefined, mesh: { broadcast: () => undefined },
    } as unknown as WebServerDeps;
    const bare = await startWebServer('127.0.0.1', 0, base);
    const proxied = await startWebServer('127.0.0.1', 0, { ...base, dataDir: mkdtempSync(join(tmpdir(), 'meow-web-relays-')), relayProxy: routes });
    try {
      const ask = async (port: number, method: string, path: string, token?: string, body?: string): Promise<{ status: number; json: { error?: { code: string; fields?: unknown } } & Record<string, unknown> }> => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' }, ...(body !== undefined ? { body } : {}) });
        return { status: res.status, json: (await res.json()) as never };
      };
      const token = async (port: number): Promise<string> => (await ask(port, 'POST', '/api/browsers')).json.token as string;
      expect((await ask(proxied.port, 'GET', '/api/relays')).json.error?.code).toBe('unauthorized');

      const t0 = await token(bare.port);
      expect(await ask(bare.port, 'GET', '/api/relays', t0)).toEqual({ status: 200, json: { relays: [] } });
      expect(await ask(bare.port, 'POST', '/api/directory/search', t0, '{}')).toMatchObject({ status: 404, json: { error: { code: 'not-found', fields: { field: 'relay' } } } });

      const t1 = await token(proxied.port);
      expect(await ask(proxied.port, 'POST', '/api/directory/search', t1, '{not json')).toMatchObject({ status: 400, json: { error: { code: 'bad-json' } } });
      expect(await ask(proxied.port, 'POST', '/api/directory/search', t1, JSON.stringify({ query: 'q'.repeat(65) }))).toMatchObject({ status: 400, json: { error: { code: 'bad-request', fields: { field: 'query' } } } });
      // One was taken above (bad JSON is refused before the budget): 20 at once in all, then 429.
      for (let i = 0; i < 19; i++) expect((await ask(proxied.port, 'GET', '/api/relays', t1)).status).toBe(200);
      expect(await ask(proxied.port, 'GET', '/api/relays', t1)).toMatchObject({ status: 429, json: { error: { code: 'rate-limited' } } });
      // Another browser has its own budget.
      expect((await ask(proxied.port, 'GET', '/api/relays', await token(proxied.port))).status).toBe(200);
    } finally {
      await bare.close();
      await proxied.close();
    }
  });
});
