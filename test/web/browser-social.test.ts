/**
 * Issue 12, groups and emergency broadcasts in the page: two phones (real
 * headless Chromium) on one node become contacts (invitations as pasted
 * text), Alice makes a group and invites Bob, Bob joins, both write in it;
 * Bob trusts Alice's broadcaster key and sees her broadcast in the alerts
 * tab, apart from the chats. The node handles sealed envelopes only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { missingTool } from '../support/required-tool.ts';
import { hasChromium, phone, startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';
import { enter, shot } from './page.ts';

const skip = missingTool('chromium', hasChromium(), 'the web client tests drive Debian\'s chromium');
const port = await freePorts(6);

/** The card the page shows, as text (what a person would send by any other means). */
async function shownText(page: Page): Promise<string> {
  await page.waitForSelector('.shown-card textarea.armored');
  return page.inputValue('.shown-card textarea.armored');
}

async function acceptText(page: Page, text: string, name: string): Promise<void> {
  await page.click('[data-tab=add]');
  if (name) await page.fill('input[name=accept-name]', name);
  await page.fill('textarea[name=card-text]', text);
  await page.click('form:has(textarea[name=card-text]) button[type=submit]');
}

describe.skipIf(skip)('groups and broadcasts in the page', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-social-'));
  const nodes: WebNode[] = [];
  const phones: BrowserContext[] = [];
  afterAll(async () => {
    for (const p of phones) await p.close().catch(() => undefined);
    for (const n of nodes) await stopNode(n);
  });

  it('a group of two phones, and a broadcast seen by the other phone', async () => {
    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! });
    nodes.push(a);
    const url = `http://127.0.0.1:${a.webPort}/`;
    await until(async () => ((await fetch(url)).ok ? true : undefined), 60_000, 'the web client');
    const [alice, bob] = [await phone(), await phone()];
    phones.push(alice, bob);
    const pa = await alice.newPage();
    const pb = await bob.newPage();
    await enter(pa, url, 'alice password', true);
    await enter(pb, url, 'bob password', true);

    await pa.click('[data-tab=add]');
    await pa.fill('input[name=invite-name]', 'bob');
    await pa.click('form:has(input[name=invite-name]) button[type=submit]');
    await acceptText(pb, await shownText(pa), 'alice');
    await acceptText(pa, await shownText(pb), '');
    await pa.waitForSelector('.result .ok');

    // Alice makes a group and invites Bob over their conversation.
    await pa.click('[data-tab=groups]');
    await pa.fill('input[name=group-name]', 'team');
    await pa.click('form:has(input[name=group-name]) button[type=submit]');
    await pa.click('button[data-group=team]');
    await pa.selectOption('select[name=member]', { label: 'bob' });
    await pa.click('form.inline button[type=submit]');
    await pb.click('[data-tab=groups]');
    await pb.click('li.group-invitation[data-group=team] button', { timeout: 60_000 });
    // His join reaches Alice, who re-keys the group: both see the other as a member.
    await pa.waitForSelector('.members >> text=/me, bob$/', { timeout: 60_000 });
    await pb.waitForSelector('button[data-group=team] >> text=active', { timeout: 60_000 });
    await pb.click('button[data-group=team]');
    expect(await pb.textContent('.members')).toMatch(/me/);

    await pa.fill('textarea[name=group-message]', 'hello team');
    await pa.click('form.composer button[type=submit]');
    await pb.waitForSelector('.msg.in >> text=hello team', { timeout: 60_000 });
    await pb.fill('textarea[name=group-message]', 'bob in the group');
    await pb.click('form.composer button[type=submit]');
    await pa.waitForSelector('.msg.in >> text=bob in the group', { timeout: 60_000 });
    await shot(pa, 'web-group');

    // Bob trusts Alice's broadcaster key (handed over by hand); her broadcast shows in his alerts tab.
    await pa.click('[data-tab=alerts]');
    const key = await pa.inputValue('textarea.my-broadcast-key');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    await pb.click('[data-tab=alerts]');
    await pb.fill('input[name=trust-key]', key);
    await pb.fill('input[name=trust-name]', 'alice');
    await pb.click('form:has(input[name=trust-key]) button[type=submit]');
    await pb.waitForSelector('text=Trusted: alice');
    await pa.fill('textarea[name=broadcast]', 'water at the school until 18:00');
    await pa.click('form.alert button[type=submit]');
    await pb.waitForSelector('.broadcast[data-author=alice] >> text=water at the school until 18:00', { timeout: 60_000 });
    await pb.evaluate('window.scrollTo(0, 0)');
    await shot(pb, 'web-broadcasts');
    // Broadcasts stay out of the chats.
    await pb.click('[data-tab=chats]');
    expect(await pb.$('text=water at the school')).toBeNull();
  }, 300_000);
});
