/**
 * Issue 12, as a person uses it: two phones (real headless Chromium at
 * 360 x 640) on one node's web client create identities, exchange
 * invitations as QR images, chat both ways, find the conversation and the
 * draft again after a reload, and see the node's neighbour on the mesh map.
 * Screenshots go to test/web/artifacts/ and docs/screenshots/.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { missingTool } from '../support/required-tool.ts';
import { hasChromium, phone, startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';
import { acceptPhoto, enter, qrImage, shot } from './page.ts';

const skip = missingTool('chromium', hasChromium(), 'the web client tests drive Debian\'s chromium');
const port = await freePorts(6);

describe.skipIf(skip)('web client in headless Chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-'));
  const nodes: WebNode[] = [];
  const phones: BrowserContext[] = [];
  afterAll(async () => {
    for (const p of phones) await p.close().catch(() => undefined);
    for (const n of nodes) await stopNode(n);
  });

  it('two phones exchange QR invitations, chat both ways, survive a reload, and see the mesh', async () => {
    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! });
    const b = startWebNode(root, 'b', { udp: port[1]!, peer: port[0]!, status: port[4]! });
    nodes.push(a, b);
    const url = `http://127.0.0.1:${a.webPort}/`;
    await until(async () => ((await fetch(url)).ok ? true : undefined), 60_000, 'the web client');
    const head = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(head.headers.get('content-security-policy')).toContain("default-src 'none'");

    const [alice, bob] = [await phone(), await phone()];
    phones.push(alice, bob);
    const pa = await alice.newPage();
    const pb = await bob.newPage();
    const outside: string[] = [];
    for (const p of [pa, pb]) p.on('request', (r) => { if (!r.url().startsWith(url)) outside.push(r.url()); });
    await enter(pa, url, 'alice password', true);
    await shot(pa, 'web-chats-empty');
    await enter(pb, url, 'bob password', true);

    // Alice invites: her QR code, photographed, is Bob's input; his answer's QR goes back.
    await pa.click('[data-tab=add]');
    await pa.fill('input[name=invite-name]', 'bob');
    await pa.click('form:has(input[name=invite-name]) button[type=submit]');
    const invite = await qrImage(pa);
    await shot(pa, 'web-invite-qr');
    await acceptPhoto(pb, invite, 'alice');
    const answer = await qrImage(pb);
    await acceptPhoto(pa, answer, '');
    await pa.waitForSelector('.result .ok');

    await pa.click('[data-tab=chats]');
    await pa.click('button[data-contact=bob]');
    const sentAt = Date.now();
    await pa.fill('textarea[name=message]', 'hello from alice');
    await pa.click('form.composer button[type=submit]');
    await pb.click('[data-tab=chats]');
    await until(async () => ((await pb.$('button[data-contact=alice]')) ? true : undefined), 30_000, 'alice in bob\'s contacts');
    await pb.click('button[data-contact=alice]');
    await pb.waitForSelector('.msg.in >> text=hello from alice', { timeout: 30_000 });
    const firstMessageMs = Date.now() - sentAt;
    await pb.fill('textarea[name=message]', 'hi alice, bob here');
    await pb.click('form.composer button[type=submit]');
    await pa.waitForSelector('.msg.in >> text=hi alice, bob here', { timeout: 30_000 });
    await pa.waitForSelector('.msg.out[data-state=delivered], .msg.out[data-state=sent]', { timeout: 30_000 });
    await shot(pa, 'web-conversation');
    console.log(`time to first message on loopback (send click to shown on the other phone): ${firstMessageMs} ms`);

    // A draft and the history come back after a reload, from the encrypted vault.
    await pa.fill('textarea[name=message]', 'a draft to keep');
    await pa.waitForTimeout(1500);
    await pa.reload();
    await pa.fill('input[name=password]', 'alice password');
    await pa.click('form.card button[type=submit]');
    await pa.waitForSelector('nav.tabs', { timeout: 60_000 });
    await pa.click('button[data-contact=bob]');
    await pa.waitForSelector('.msg.in >> text=hi alice, bob here');
    expect(await pa.inputValue('textarea[name=message]')).toBe('a draft to keep');

    // Node b talks to node a over UDP: a's mesh map shows b as a neighbour.
    const bId = await until(async () => (await (await fetch(`http://127.0.0.1:${b.statusPort}/status`)).json() as { nodeId: string }).nodeId, 10_000, 'b status');
    const aId = (await (await fetch(`http://127.0.0.1:${a.statusPort}/status`)).json() as { nodeId: string }).nodeId;
    const token = readFileSync(join(b.dir, 'api.token'), 'utf8').trim();
    await fetch(`http://127.0.0.1:${b.statusPort}/v1/envelopes`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tag: '0102030405a6', envelope: Buffer.alloc(40, 7).toString('base64'), meshNode: aId }),
    });
    // A neighbour is named once its announce is heard, and a node sends its first one at a random time within a
    // minute of starting (mesh-node.ts firstAnnounceWithinMs): wait for it on a's status before looking at the map.
    await until(async () => {
      const s = await (await fetch(`http://127.0.0.1:${a.statusPort}/status`)).json() as { router: { neighbours: { nodeId?: string }[] } };
      return s.router.neighbours.some((n) => n.nodeId === bId) ? true : undefined;
    }, 90_000, 'b announced to a');
    await pa.click('[data-tab=mesh]');
    await pa.waitForSelector(`.neighbour[data-node="${bId}"]`, { timeout: 30_000 });
    await shot(pa, 'web-mesh-map');

    // Right to left: the same page in Arabic mirrors its layout.
    await pb.goto(`${url}?lang=ar`);
    expect(await pb.evaluate('document.documentElement.dir')).toBe('rtl');
    await shot(pb, 'web-unlock-rtl');
    expect(outside).toEqual([]);
  }, 240_000);
});
