/**
 * The web client's envelope API refusals for broadcasts and shared tags,
 * over real HTTP to a real meow-node process (docs/WEB.md, "API"): a
 * browser floods only a well-formed, unexpired broadcast, at most three at
 * once; a broadcast is kept for the node's other browsers, who read it
 * under the shared broadcast tag without owning it and past a cursor; a
 * mailbox another browser claimed cannot be read as a shared tag; a
 * submission's receipt comes back in the poll once it left "queued".
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sealBroadcast } from '../../protocol/envelope/broadcast.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';

const port = await freePorts(6);
const BROADCAST = 'ffffffffffff';

describe('web API: broadcasts and shared tags', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-api-'));
  const nodes: WebNode[] = [];
  afterAll(async () => {
    for (const n of nodes) await stopNode(n);
  });

  it('floods only broadcasts, budgets them, and keeps claimed mailboxes private', async () => {
    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! });
    nodes.push(a);
    const url = `http://127.0.0.1:${a.webPort}`;
    await until(async () => ((await fetch(`${url}/`)).ok ? true : undefined), 60_000, 'the web client');
    const register = async (): Promise<string> => ((await (await fetch(`${url}/api/browsers`, { method: 'POST' })).json()) as { token: string }).token;
    const [one, two] = [await register(), await register()];
    const call = async (token: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const suite = createPortableSuite();
    const seed = new Uint8Array(32).fill(9);
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

    const notBroadcast = await call(one, '/api/broadcasts', { envelope: b64(new Uint8Array(60).fill(1)) });
    expect(notBroadcast.status).toBe(400);
    expect((notBroadcast.json.error as { code: string }).code).toBe('bad-request');
    const expired = await call(one, '/api/broadcasts', { envelope: b64(sealBroadcast(suite, seed, 'old news', Date.now() - 60_000)) });
    expect(expired.status).toBe(400);
    expect(JSON.stringify(expired.json)).toContain('expired');

    const first = sealBroadcast(suite, seed, 'first', Date.now() + 3_600_000);
    expect((await call(one, '/api/broadcasts', { envelope: b64(first) })).status).toBe(201);
    // The other browser reads it under the broadcast tag, then nothing more past the cursor it was given.
    const read = await call(two, '/api/poll', { seen: [], receipts: [], shared: [BROADCAST], waitMs: 0 });
    const got = read.json.envelopes as { tag: string; envelope: string }[];
    expect(got.map((e) => [e.tag, e.envelope])).toEqual([[BROADCAST, b64(first)]]);
    const again = await call(two, '/api/poll', { seen: [], receipts: [], shared: [BROADCAST], after: read.json.after, waitMs: 0 });
    expect(again.json.envelopes).toEqual([]);
    // A browser cannot delete it for the others: the tag is nobody's mailbox.
    const del = await fetch(`${url}/api/mailboxes/${BROADCAST}/${'00'.repeat(32)}`, { method: 'DELETE', headers: { authorization: `Bearer ${two}` } });
    expect(del.status).toBe(404);

    // Three at once, then one a minute: the fourth is refused with a delay to wait.
    expect((await call(one, '/api/broadcasts', { envelope: b64(sealBroadcast(suite, seed, 'second', Date.now() + 3_600_000)) })).status).toBe(201);
    expect((await call(one, '/api/broadcasts', { envelope: b64(sealBroadcast(suite, seed, 'third', Date.now() + 3_600_000)) })).status).toBe(201);
    const fourth = await call(one, '/api/broadcasts', { envelope: b64(sealBroadcast(suite, seed, 'fourth', Date.now() + 3_600_000)) });
    expect(fourth.status).toBe(429);

    // A submission's receipt (16-byte id) comes back in the poll once it left "queued": here a deposit on this node.
    const status = await (await fetch(`${url}/status`)).json() as { nodeId: string };
    const submitted = await call(two, '/api/envelopes', { tag: '0a0b0c0d0e0f', envelope: b64(new Uint8Array(120).fill(3)), meshNode: status.nodeId });
    expect(submitted.status).toBe(201);
    expect(submitted.json.id).toMatch(/^[0-9a-f]{32}$/);
    const settled = await call(two, '/api/poll', { seen: [], receipts: [submitted.json.id], waitMs: 10_000 });
    expect(settled.json.receipts).toEqual([{ id: submitted.json.id, state: 'sent', attempts: 0 }]);
    // The status gives the node's public key too (the page's cards carry mesh://<node key>); a submission by key names the same node.
    const nodeKey = (status as { nodeKey?: string }).nodeKey ?? '';
    expect(nodeKey).toMatch(/^[0-9a-f]{64}$/);
    const byKey = await call(two, '/api/envelopes', { tag: '0a0b0c0d0e0f', envelope: b64(new Uint8Array(120).fill(4)), meshNode: nodeKey });
    expect(byKey.status).toBe(201);
    const byKeySettled = await call(two, '/api/poll', { seen: [], receipts: [byKey.json.id], waitMs: 10_000 });
    expect(byKeySettled.json.receipts).toEqual([{ id: byKey.json.id, state: 'sent', attempts: 0 }]);

    // Browser one claims a mailbox: browser two may not read it as a shared tag.
    expect((await call(one, '/api/mailboxes', { tags: ['0102030405a6'] })).status).toBe(200);
    const peek = await call(two, '/api/poll', { seen: [], receipts: [], shared: ['0102030405a6'], waitMs: 0 });
    expect(peek.status).toBe(400);
    expect((peek.json.error as { fields?: { field?: string } }).fields?.field).toBe('shared');
  }, 120_000);
});
