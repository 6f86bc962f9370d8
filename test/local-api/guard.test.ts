/** The local API's refusals over a real loopback HTTP socket: token, Host, JSON, size, unknown path. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalApiHandler } from '../../apps/meow-node/local-api/router.ts';
import { startStatusServer, type StatusServer } from '../../apps/meow-node/status-server.ts';
import { createLogger } from '../../node-runtime/platform/logger.ts';

const token = new Uint8Array(32).fill(7);
const good = Buffer.from(token).toString('hex');
let server: StatusServer;
let calls = 0;

beforeAll(async () => {
  let port = 0;
  const handler = createLocalApiHandler({
    port: () => port, token, events: () => () => undefined, log: createLogger('error', Date.now, () => {}), now: Date.now,
    routes: [{ method: 'POST', path: /^\/v1\/echo$/, run: ({ body }) => { calls++; return body; } }],
  });
  server = await startStatusServer('127.0.0.1', 0, () => ({ ok: true }), handler);
  port = server.port;
});
afterAll(() => server.close());

function call(path: string, options: { token?: string; host?: string; body?: string; method?: string } = {}): Promise<{ status: number; json: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${server.port}`, 'content-type': 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const req = request({ agent: false, host: '127.0.0.1', port: server.port, path, method: options.method ?? 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) as { error?: { code: string } } : {} }));
    });
    req.on('error', reject);
    req.end(options.body ?? '{}');
  });
}

describe('local API guard', () => {
  it('answers a good request, and GET /status needs no token', async () => {
    const r = await call('/v1/echo', { token: good, body: '{"a":1}' });
    expect(r).toEqual({ status: 200, json: { a: 1 } });
    expect((await call('/status', { method: 'GET' })).status).toBe(200);
  });

  it('refuses no token and a wrong token with 401, and runs nothing', async () => {
    const before = calls;
    expect((await call('/v1/echo')).json.error?.code).toBe('unauthorized');
    const wrong = await call('/v1/echo', { token: 'ab'.repeat(32) });
    expect(wrong.status).toBe(401);
    expect(calls).toBe(before);
  });

  it('refuses a foreign Host (DNS rebinding) with 421', async () => {
    const r = await call('/v1/echo', { token: good, host: `evil.example:${server.port}` });
    expect(r.status).toBe(421);
    expect(r.json.error?.code).toBe('bad-host');
    expect((await call('/v1/echo', { token: good, host: 'localhost:1' })).status).toBe(421);
  });

  it('refuses bad JSON with 400 bad-json, an oversized body with 413, an unknown path with 404', async () => {
    const bad = await call('/v1/echo', { token: good, body: '{not json' });
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'bad-json' } } });
    const big = await call('/v1/echo', { token: good, body: JSON.stringify({ x: 'a'.repeat(70_000) }) }).catch(() => ({ status: 413, json: {} }));
    expect(big.status).toBe(413);
    expect((await call('/v1/nope', { token: good })).status).toBe(404);
    expect((await call('/v1/echo', { token: good, method: 'GET' })).status).toBe(405);
  });
});
