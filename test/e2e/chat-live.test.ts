/**
 * `meow chat` as a user runs it, a child process beside two meow-node
 * processes on one UDP mesh: a line typed is sent (shown as queued, then its
 * state changes live: sent into the mesh, delivered to their device), and a
 * message the other side sends appears live, while the chat waits for input.
 * Once through pipes (lines in, lines out), once in a pseudo-terminal made by
 * `script`, where the prompt is redrawn around the incoming line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryResponse, ImportCardResponse, InvitationView } from '../../seams/local-api.ts';
import { hasCommand, missingTool } from '../support/required-tool.ts';
import { api, eventually, ready, startNode, stop } from './support.ts';

const meowBin = new URL('../../bin/meow.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'meow-e2e-chat-'));
const alice = startNode(root, 'alice', 21811, 21812, 21831);
const bob = startNode(root, 'bob', 21812, 21811, 21832);
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stop(alice);
  await stop(bob);
  rmSync(root, { recursive: true, force: true });
});

const skipPty = missingTool('script', hasCommand('script'), 'util-linux: runs meow chat in a pseudo-terminal');

let ids: { aliceBob: string; bobAlice: string } | undefined;
async function contacts(): Promise<{ aliceBob: string; bobAlice: string }> {
  if (ids) return ids;
  await ready(alice);
  await ready(bob);
  expect((await api(alice, 'POST', '/v1/agent/init', { password: 'alice pass' })).status).toBe(201);
  expect((await api(bob, 'POST', '/v1/agent/init', { password: 'bob pass' })).status).toBe(201);
  const invite = await api<InvitationView>(alice, 'POST', '/v1/invitations', { name: 'bob' });
  const answered = await api<ImportCardResponse>(bob, 'POST', '/v1/cards/import', { card: invite.json.card.card, name: 'alice' });
  const done = await api<ImportCardResponse>(alice, 'POST', '/v1/cards/import', { card: answered.json.answer!.card });
  ids = { aliceBob: done.json.contact.id, bobAlice: answered.json.contact.id };
  return ids;
}

interface Chat { child: ChildProcess; out(): string }

function startChat(argv: string[]): Chat {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

async function waitFor(chat: Chat, pattern: RegExp, what: string): Promise<void> {
  await eventually(async () => (pattern.test(chat.out()) ? true : undefined), 90_000, `${what} in the chat's output:\n${chat.out()}`);
}

async function exited(chat: Chat): Promise<number | null> {
  if (chat.child.exitCode !== null) return chat.child.exitCode;
  return new Promise((resolve) => chat.child.once('exit', (code) => resolve(code)));
}

/** Bob chats with Alice; Alice sends through the API; both directions are checked live. */
async function converse(chat: Chat, mine: string, theirs: string): Promise<void> {
  const { aliceBob, bobAlice } = await contacts();
  await waitFor(chat, /type a message and Enter to send/, 'the greeting');
  chat.child.stdin!.write(`${mine}\n`);
  await waitFor(chat, new RegExp(`me: ${mine}  \\[queued on your node\\]`), 'my line, queued');
  await waitFor(chat, new RegExp(`"${mine}": sent into the mesh`), 'its state going to sent');
  await waitFor(chat, new RegExp(`"${mine}": delivered to their device`), 'its state going to delivered');
  await eventually(async () => {
    const h = (await api<HistoryResponse>(alice, 'GET', `/v1/contacts/${aliceBob}/messages`)).json.messages;
    return h.some((m) => m.direction === 'in' && m.text === mine) ? true : undefined;
  }, 30_000, 'alice has it');
  expect((await api(alice, 'POST', '/v1/messages', { contactId: aliceBob, text: theirs })).status).toBe(201);
  await waitFor(chat, new RegExp(`alice: ${theirs}`), 'the incoming line');
  // What the chat showed live is the node's history too.
  expect((await api<HistoryResponse>(bob, 'GET', `/v1/contacts/${bobAlice}/messages`)).json.messages.some((m) => m.text === theirs)).toBe(true);
}

describe('meow chat, live', () => {
  it('through pipes: a typed line is sent with its states, an incoming line appears live, /quit leaves', async () => {
    await contacts();
    const chat = startChat([process.execPath, meowBin, 'chat', 'alice', '--data-dir', bob.dir]);
    await converse(chat, 'hello from a pipe', 'welcome, pipe');
    chat.child.stdin!.write('/quit\n');
    expect(await exited(chat)).toBe(0);
    expect(chat.out()).not.toMatch(/\n\s+at /); // no stack trace
  }, 240_000);

  it.skipIf(skipPty !== undefined)('in a pseudo-terminal (script): the prompt stays usable around the incoming line', async () => {
    await contacts();
    const command = [process.execPath, meowBin, 'chat', 'alice', '--data-dir', bob.dir].map((a) => `'${a}'`).join(' ');
    const chat = startChat(['script', '-q', '-e', '-c', command, '/dev/null']);
    await converse(chat, 'hello from a terminal', 'welcome, terminal');
    expect(chat.out()).toContain('> '); // the prompt, drawn on a terminal only
    chat.child.stdin!.write('/quit\r');
    expect(await exited(chat)).toBe(0);
  }, 240_000);
});
