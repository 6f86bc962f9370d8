/**
 * Issue 12: a phone's browser and a terminal user on two nodes talk over the
 * mesh. Node a serves the web client to Alice's phone (real headless
 * Chromium); Bob runs the real `meow` program against node b; the nodes
 * reach each other over UDP on loopback. Bob's invitation goes to the phone
 * as a QR image (his `meow card create --png`), the phone's answer comes back
 * as text (`meow card answer FILE`), both see the same fingerprint, and they
 * chat both ways with the delivery states shown on each side; then Bob
 * makes a group from his terminal, the phone joins, and both write in it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { missingTool } from '../support/required-tool.ts';
import { hasChromium, phone, startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';
import { acceptPhoto, enter, shot } from './page.ts';

const skip = missingTool('chromium', hasChromium(), 'the web client tests drive Debian\'s chromium');
const meowBin = new URL('../../bin/meow.js', import.meta.url).pathname;
const port = await freePorts(6);

interface Run { code: number | null; stdout: string; stderr: string }

/** The `meow` program as a terminal user runs it, against node b's data directory. */
function meow(dir: string, cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [meowBin, ...args, '-d', dir], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ...run, code }));
  });
}

describe.skipIf(skip)('a phone\'s browser and a terminal user on two nodes', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-cli-'));
  const nodes: WebNode[] = [];
  let alice: BrowserContext | undefined;
  afterAll(async () => {
    await alice?.close().catch(() => undefined);
    for (const n of nodes) await stopNode(n);
  });

  it('exchange invitations (QR image one way, text the other), chat both ways over the mesh, and share a group', async () => {
    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! });
    const b = startWebNode(root, 'b', { udp: port[1]!, peer: port[0]!, status: port[4]! });
    nodes.push(a, b);
    const url = `http://127.0.0.1:${a.webPort}/`;
    await until(async () => ((await fetch(url)).ok ? true : undefined), 60_000, 'the web client');
    await until(async () => ((await fetch(`http://127.0.0.1:${b.statusPort}/status`)).ok ? true : undefined), 60_000, 'node b');

    writeFileSync(join(root, 'bob.pass'), 'bob terminal password\n', { mode: 0o600 });
    const init = await meow(b.dir, root, 'init', '--passphrase-file', join(root, 'bob.pass'));
    expect(init.code, init.stderr).toBe(0);
    alice = await phone();
    const pa = await alice.newPage();
    await enter(pa, url, 'alice password', true);

    // Bob invites Alice: his QR code as a PNG file, which her phone reads as a photo.
    const invite = await meow(b.dir, root, 'card', 'create', 'alice', '--png', join(root, 'bob-invite.png'));
    expect(invite.code, invite.stderr).toBe(0);
    await acceptPhoto(pa, readFileSync(join(root, 'bob-invite.png')), 'bob');
    await pa.waitForSelector('.shown-card textarea.armored');
    const answerText = await pa.inputValue('.shown-card textarea.armored');
    expect(answerText.startsWith('MEOW:')).toBe(true);
    // Her answer goes back as the text the page shows (sent by any means), which Bob gives to `meow card answer`.
    writeFileSync(join(root, 'alice-answer.txt'), `${answerText}\n`);
    const answered = await meow(b.dir, root, 'card', 'answer', join(root, 'alice-answer.txt'));
    expect(answered.code, answered.stderr).toBe(0);

    // Alice writes first; Bob reads it in his terminal.
    await pa.click('[data-tab=chats]');
    await pa.click('button[data-contact=bob]');
    const fingerprint = (await pa.textContent('.fingerprint'))!.replace(/^[^:]*:\s*/, '').trim();
    expect(fingerprint.length).toBeGreaterThan(0);
    expect(answered.stdout).toContain(fingerprint);
    await pa.fill('textarea[name=message]', 'hello from the browser');
    await pa.click('form.composer button[type=submit]');
    const inbox = await meow(b.dir, root, 'inbox', 'alice', '--wait', '90');
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stdout).toContain('hello from the browser');
    // Bob's node confirmed delivery to Alice's phone: the page shows it on her message.
    await pa.waitForSelector('.msg.out[data-state=delivered] >> text=hello from the browser', { timeout: 90_000 });

    // Bob answers from the terminal, waiting for the states his node reports.
    const sent = await meow(b.dir, root, 'send', 'alice', 'hi from the terminal', '--wait', '90');
    expect(sent.code, `${sent.stdout}${sent.stderr}`).toBe(0);
    expect(sent.stdout).toMatch(/queued/);
    expect(sent.stdout).toMatch(/delivered/);
    await pa.waitForSelector('.msg.in >> text=hi from the terminal', { timeout: 60_000 });
    await shot(pa, 'web-conversation-cli');

    // A group across the two nodes: Bob's copies reach node a over the mesh, filed under the group's epoch tag,
    // which the phone reads without owning it; hers reach node b, where his node-hosted agent reads them.
    for (const args of [['group', 'create', 'field', '--my-name', 'bob'], ['group', 'invite', 'field', 'alice']]) {
      const r = await meow(b.dir, root, ...args);
      expect(r.code, r.stderr).toBe(0);
    }
    await pa.click('[data-tab=groups]');
    await pa.click('li.group-invitation[data-group=field] button', { timeout: 60_000 });
    await pa.waitForSelector('button[data-group=field] >> text=active', { timeout: 60_000 });
    await pa.click('button[data-group=field]');
    const groupSent = await meow(b.dir, root, 'group', 'send', 'field', 'group hello from the terminal');
    expect(groupSent.code, groupSent.stderr).toBe(0);
    await pa.waitForSelector('.msg.in >> text=group hello from the terminal', { timeout: 60_000 });
    await pa.fill('textarea[name=group-message]', 'group reply from the browser');
    await pa.click('form.composer button[type=submit]');
    await until(async () => {
      const list = await meow(b.dir, root, 'group', 'list');
      return list.stdout.includes('group reply from the browser') ? true : undefined;
    }, 60_000, 'the phone\'s group message in bob\'s terminal');
  }, 300_000);
});
