/**
 * Issue 12, the "free for chat" directory and relay broadcasts in the page:
 * two phones (real headless Chromium) on one node that has a relay (in this
 * process). Bob publishes himself; Alice searches, finds him and starts a
 * conversation; her answer, sealed, reaches his entry's mailbox on the
 * node, his page completes the contact and withdraws the entry from the
 * relay; they write both ways. Alice's emergency broadcast is kept by the
 * relay and listed as hers in her alerts tab. The node carried requests
 * only: every record was signed in a page.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { missingTool } from '../support/required-tool.ts';
import { freePorts } from '../support/free-port.ts';
import { connect, startTestRelay } from '../gateway/relay/support.ts';
import { hasChromium, phone, startWebNode, stopNode, until, type WebNode } from './support.ts';
import { enter, shot } from './page.ts';

const skip = missingTool('chromium', hasChromium(), 'the web client tests drive Debian\'s chromium');
const port = await freePorts(4);
const CONTACT = 'directory: chess and bread';

describe.skipIf(skip)('the directory and relay broadcasts in the page', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-directory-'));
  const nodes: WebNode[] = [];
  const phones: BrowserContext[] = [];
  let relay: Awaited<ReturnType<typeof startTestRelay>> | undefined;
  afterAll(async () => {
    for (const p of phones) await p.close().catch(() => undefined);
    for (const n of nodes) await stopNode(n);
    await relay?.cleanup();
  });

  it('publish, find, contact, chat; a broadcast reaches the relay and is listed as mine', async () => {
    relay = await startTestRelay('web-directory');
    const relayUrl = relay.urls[0]!;
    const node = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! }, {}, { gateway: { relays: [relayUrl] } });
    nodes.push(node);
    const url = `http://127.0.0.1:${node.webPort}/`;
    // The browsers start while the node builds its bundle; both identities are made at once (scrypt in each page).
    const [alice, bob] = await Promise.all([phone(), phone()]);
    phones.push(alice, bob);
    const [pa, pb] = await Promise.all([alice.newPage(), bob.newPage()]);
    await until(async () => ((await fetch(url)).ok ? true : undefined), 60_000, 'the web client');
    await Promise.all([enter(pa, url, 'alice password', true), enter(pb, url, 'bob password', true)]);
    const atRelay = await connect(relayUrl, 'web-directory-check');

    // Bob publishes, after the warnings; the entry is at the relay.
    await pb.click('[data-tab=directory]');
    await pb.fill('textarea[name=directory-description]', 'chess and bread');
    await pb.check('input[name=directory-agree]');
    await pb.click('form.publish button[type=submit]');
    await pb.waitForSelector('.published .entry >> text=chess and bread');
    expect((await atRelay.searchEntries('chess')).map((e) => e.description)).toEqual(['chess and bread']);

    // Alice finds him and starts a conversation: the page opens it.
    await pa.click('[data-tab=directory]');
    await pa.fill('input[name=directory-query]', 'violin');
    await pa.click('form:has(input[name=directory-query]) button[type=submit]');
    await pa.waitForSelector('.entries li.empty');
    // The only entry is the one picked at random.
    await pa.click('button[data-random]');
    await pa.waitForSelector('li.entry >> text=chess and bread');
    await pa.fill('input[name=directory-query]', 'chess');
    await pa.click('form:has(input[name=directory-query]) button[type=submit]');
    await pa.waitForSelector('li.entry >> text=chess and bread');
    expect(await pa.locator('li.entry').count()).toBe(1);
    await shot(pa, 'web-directory');
    await pa.click('li.entry button[data-contact-entry]');
    await pa.waitForSelector(`.conv-head h2 >> text=${CONTACT}`);
    await pa.fill('textarea[name=message]', 'hello from the directory');
    await pa.click('form.composer button[type=submit]');

    // Bob's page completes the contact from the sealed answer and withdraws the entry from the relay.
    await pb.waitForSelector('form.publish', { timeout: 30_000 });
    await until(async () => ((await atRelay.searchEntries('chess')).length === 0 ? true : undefined), 15_000, 'the entry withdrawn');
    await pb.click('[data-tab=chats]');
    await pb.click(`button.contact[data-contact="${CONTACT}"]:enabled`, { timeout: 30_000 });
    await pb.waitForSelector('.msg.in >> text=hello from the directory', { timeout: 30_000 });
    await pb.fill('textarea[name=message]', 'bob answers');
    await pb.click('form.composer button[type=submit]');
    await pa.waitForSelector('.msg.in >> text=bob answers', { timeout: 30_000 });

    // Alice's broadcast: over the mesh and onto the relay, and listed as sent by her.
    await pa.click('[data-tab=alerts]');
    await pa.fill('textarea[name=broadcast]', 'water at the school until 18:00');
    await pa.click('form.alert button[type=submit]');
    await pa.waitForSelector(`.send-result li.ok[data-relay="${relayUrl}"]`);
    await pa.waitForSelector('.broadcast.mine >> text=water at the school until 18:00');
    const kept = await atRelay.listBroadcasts(0);
    expect(kept.map((b) => b.broadcast.text)).toEqual(['water at the school until 18:00']);
    expect(Buffer.from(kept[0]!.broadcast.author).toString('hex')).toBe(await pa.inputValue('textarea.my-broadcast-key'));
    await atRelay.close();

    // The new texts are in the catalogue: in Arabic the page turns right-to-left and the tab is translated.
    await pa.selectOption('select[name=lang]', 'ar');
    await pa.click('[data-tab=directory]');
    await pa.waitForSelector('html[dir=rtl] [data-tab=directory] >> text=الدليل');
    await pa.waitForSelector('form.publish >> text=أعلن أنك متاح للدردشة');
    await shot(pa, 'web-directory-rtl');
  }, 120_000);
});
