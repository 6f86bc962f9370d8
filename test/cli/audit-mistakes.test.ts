/**
 * Mistakes a newcomer made following the README (issue 8 audit), against a
 * stub of the node's local API (port 0, in-process) that records every
 * request: the message and exit code of each, and that a refused command
 * asked the node for nothing that changes state.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HELP } from '../../apps/meow/help.ts';
import { PassThrough } from 'node:stream';
import { main } from '../../apps/meow/meow.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { type Harness, makeHarness } from './harness.ts';

interface Seen { method: string; path: string; body: unknown }

let h: Harness;
let server: Server;
let seen: Seen[] = [];
/** Answers of the stub, by "METHOD path". */
let answers: Record<string, unknown> = {};

const CONTACTS = { contacts: [{ id: 'c1', name: 'Bob', state: 'active', hidden: false, unread: 0, fingerprint: '1 2 3' }] };
const INTRO_ID = '0123456789abcdef0123456789abcdef';

beforeAll(async () => {
  h = await makeHarness('audit-mistakes');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, body: body === '' ? undefined : JSON.parse(body) });
      if (req.url === '/v1/events') {
        // The node stops at once: the stream ends without a word.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(': hello\n\n');
        return;
      }
      const answer = answers[`${req.method} ${req.url}`];
      res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer ?? { error: { code: 'not-found', message: `no endpoint ${req.url}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await mkdir(join(h.dir, 'n'));
  await writeFile(join(h.dir, 'n', 'api.url'), `http://127.0.0.1:${port}\n`);
  await writeFile(join(h.dir, 'n', 'api.token'), 'ab\n');
  await mkdir(join(h.dir, 'adir'));
  await writeFile(join(h.dir, 'taken.card'), 'x');
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(h.dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen = [];
  answers = { 'GET /v1/contacts': CONTACTS };
});

describe('flags and subcommands, wherever -d is typed', () => {
  it('names the command\'s own help after a misspelt flag, even after a leading -d', async () => {
    expect(await h.run(['-d', 'n', 'send', 'bob', 'hi', '--wiat', '5'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: unknown flag --wiat: did you mean --wait? (meow help send)\n',
    });
    expect(seen).toEqual([]);
  });

  it('says what a leading -d lacks, and gives help whatever -d comes with', async () => {
    expect(await h.run(['-d'])).toEqual({ code: 2, stdout: '', stderr: 'meow: -d needs a value: the node\'s data directory, then the command (meow -d DIR contacts)\n' });
    expect(await h.run(['-d', 'n'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: -d n names the node: give the command after it (meow -d n contacts; meow --help lists them)\n',
    });
    expect(await h.run(['-d', 'n', 'help', 'chat'])).toEqual({ code: 0, stdout: HELP.chat, stderr: '' });
    expect(await h.run(['help', '--data-dir=n', 'card', 'create'])).toEqual({ code: 0, stdout: HELP['card create'], stderr: '' });
    expect(seen).toEqual([]);
  });

  it('answers group, broadcast, directory and intro with their help or a usage line before asking any node', async () => {
    for (const topic of ['group', 'broadcast', 'directory', 'intro', 'introduce']) {
      expect(await h.run([topic, '--help'])).toEqual({ code: 0, stdout: HELP[topic], stderr: '' });
    }
    expect(await h.run(['-d', 'n', 'group'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: meow group needs one of create|invite|add|join|send|list|remove|leave (meow help group)\n',
    });
    expect(await h.run(['-d', 'n', 'group', 'lst'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: unknown group command "lst": did you mean list? (one of create|invite|add|join|send|list|remove|leave; meow help group)\n',
    });
    expect(await h.run(['broadcast', 'sned', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('"sned": did you mean send?') });
    expect(await h.run(['-d', 'n', 'intro', 'accept', 'zz/../../x'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: "zz/../../x" is not an introduction id: 32 hex digits, as `meow intro list` shows them\n',
    });
    expect(await h.run(['-d', 'n', 'introduce', 'bob', 'Bob'])).toEqual({ code: 2, stdout: '', stderr: 'meow: introduce two different contacts to each other\n' });
    expect(seen).toEqual([]);
  });

  it('reaches the node that -d names, before or after the subcommand', async () => {
    answers['GET /v1/groups'] = { groups: [], invitations: [] };
    answers['GET /v1/introductions'] = { offers: [], made: [] };
    answers[`POST /v1/introductions/${INTRO_ID}/accept`] = {};
    expect(await h.run(['group', '-d', 'n', 'list'])).toEqual({ code: 0, stdout: 'no groups\n', stderr: '' });
    expect(await h.run(['-d', 'n', 'intro'])).toEqual({ code: 0, stdout: 'no introductions\n', stderr: '' });
    expect(await h.run(['-d', 'n', 'intro', 'accept', INTRO_ID.toUpperCase()])).toMatchObject({ code: 0 });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /v1/groups', 'GET /v1/introductions', `POST /v1/introductions/${INTRO_ID}/accept`]);
  });
});

describe('groups as the members see them', () => {
  it('names the creator "admin" unless --my-name says otherwise, and marks me in the list', async () => {
    const view = { id: 'a'.repeat(32), name: 'friends', role: 'admin', status: 'active', myIndex: 0, members: [{ index: 0, name: 'admin' }], pending: [], messages: [] };
    answers['POST /v1/groups'] = view;
    expect(await h.run(['-d', 'n', 'group', 'create', 'friends'])).toEqual({
      code: 0, stdout: `friends  ${'a'.repeat(32)}  (admin, active)\n  members: 0:admin (you)\n`, stderr: '',
    });
    await h.run(['-d', 'n', 'group', 'create', 'friends', '--my-name', 'alice']);
    expect(seen.map((s) => s.body)).toEqual([{ name: 'friends', myName: 'admin' }, { name: 'friends', myName: 'alice' }]);
    answers['GET /v1/groups'] = {
      groups: [
        { ...view, role: 'member', myIndex: 1, members: [{ index: 0, name: 'admin' }, { index: 1, name: 'bob' }],
          messages: [{ fromName: 'admin', text: 'hi all' }, { fromName: 'bob', text: 'hi', mine: true }] },
        { ...view, id: 'b'.repeat(32), name: 'later', role: 'member', status: 'joining', myIndex: -1, members: [] },
      ],
      invitations: [],
    };
    expect((await h.run(['-d', 'n', 'group', 'list'])).stdout).toBe(
      `friends  ${'a'.repeat(32)}  (member, active)\n  members: 0:admin, 1:bob (you)\n  admin: hi all\n  me: hi\n`
      + `later  ${'b'.repeat(32)}  (member, joining)\n  members: (waiting for the admin to add you)\n`,
    );
  });
});

describe('contacts named in group and introduce commands', () => {
  it('get the same "did you mean" as everywhere, and go to the node by id under the name I use', async () => {
    const gid = 'a'.repeat(32);
    answers['GET /v1/groups'] = { groups: [{ id: gid, name: 'friends' }], invitations: [] };
    answers[`POST /v1/groups/${gid}/invite`] = { invited: 'c1' };
    answers['POST /v1/introductions'] = { id: INTRO_ID };
    expect(await h.run(['-d', 'n', 'group', 'invite', 'friends', 'bbo'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: no contact named "bbo": did you mean bob? (your contacts: Bob)\n',
    });
    expect(await h.run(['-d', 'n', 'group', 'invite', 'friends', 'bob'])).toEqual({
      code: 0, stderr: '', stdout: `invited Bob to friends; they become a member when they run: meow group join ${gid}\n`,
    });
    expect(await h.run(['-d', 'n', 'introduce', 'bob', 'carl'])).toMatchObject({ code: 2, stderr: 'meow: no contact named "carl" (your contacts: Bob)\n' });
    expect(seen.filter((x) => x.method === 'POST').map((x) => [x.path, x.body])).toEqual([[`/v1/groups/${gid}/invite`, { contact: 'c1', name: 'Bob' }]]);
  });
});

describe('the directory', () => {
  it('says how to talk with a contact started from an entry', async () => {
    answers['POST /v1/directory/contact'] = { contactId: 'b7201933e0435ccb', description: 'likes cats' };
    expect(await h.run(['-d', 'n', 'directory', 'contact', '45f481f18f0bee44'])).toEqual({
      code: 0, stderr: '',
      stdout: 'new contact b7201933e0435ccb ("likes cats"), with keys made for this contact only: `meow chat b7201933e0435ccb` talks with them\n',
    });
    expect(seen.map((x) => x.body)).toEqual([{ entry: '45f481f18f0bee44' }]);
  });
});

describe('a refused card command makes no contact on the node', () => {
  it('checks --out and --png before the invitation is made', async () => {
    expect(await h.run(['-d', 'n', 'card', 'create', 'carol', '--out', 'nodir/c.card'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: cannot write nodir/c.card: nodir: the directory does not exist\n',
    });
    expect(await h.run(['-d', 'n', 'card', 'create', 'carol', '--out', 'taken.card'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: taken.card exists: refusing to overwrite it (give another --out)\n',
    });
    expect(await h.run(['-d', 'n', 'card', 'create', 'carol', '--png', 'adir'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: --png adir is a directory: give a file name (e.g. --png adir/card)\n',
    });
    expect(seen).toEqual([]);
  });

  it('names standard input as such, empty or not a card', async () => {
    expect(await h.run(['-d', 'n', 'card', 'import', '-', '--name', 'x'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: standard input is empty: pipe the card into meow, or give its FILE\n',
    });
    expect(await h.run(['-d', 'n', 'card', 'import', '-', '--name', 'x'], { stdin: '-----BEGIN MEOW CARD-----\nTUMBAgd9\n' })).toEqual({
      code: 2, stdout: '', stderr: 'meow: standard input is not a Meow card (damaged, or another kind of file: `meow inspect -` tells)\n',
    });
    await writeFile(join(h.dir, 'empty.card'), '');
    expect(await h.run(['-d', 'n', 'card', 'answer', 'empty.card'])).toEqual({ code: 2, stdout: '', stderr: 'meow: empty.card is empty: not a card (the right file?)\n' });
    expect(seen).toEqual([]);
  });

  it('refuses a second contact of a name already used, whatever its case', async () => {
    expect(await h.run(['-d', 'n', 'card', 'create', 'bob', '--out', 'b.card'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: you already have a contact named "Bob": choose another name (meow contacts lists them)\n',
    });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /v1/contacts']);
  });
});

describe('which node', () => {
  it('names a data directory outside the working one by its absolute path', async () => {
    expect(await h.run(['-d', '/nonexistent/meow-node-dir', 'contacts'])).toEqual({
      code: 1, stdout: '',
      stderr: 'meow: no meow-node has run with the data directory /nonexistent/meow-node-dir (no api.token there): '
        + 'start one with `npx meow-node --data-dir /nonexistent/meow-node-dir`, or give the node\'s --data-dir\n',
    });
  });
});

describe('small mistakes, plain answers', () => {
  it('refuses an empty message before asking the node', async () => {
    expect(await h.run(['-d', 'n', 'send', 'bob', ' '])).toEqual({
      code: 2, stdout: '', stderr: 'meow: the message is empty: give the TEXT to send (meow send bob "see you at 6")\n',
    });
    expect(seen).toEqual([]);
  });

  it('decodes a card file with -d given, as every other card command takes it', async () => {
    const r = await h.run(['-d', 'n', 'card', 'show', 'taken.card']);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringMatching(/^meow: taken\.card/) });
    expect(r.stderr).not.toContain('unknown flag');
  });

  it('says no node answers meow status, without fetch\'s own words', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    expect(await h.run(['-d', 'n', 'status', '--url', `http://127.0.0.1:${port}/status`])).toEqual({
      code: 1, stdout: '', stderr: `meow: no meow-node answers at http://127.0.0.1:${port}/status: is it running? (start it with \`npx meow-node --data-dir n\`)\n`,
    });
  });

  it('meow chat says in words that the node stopped, and goes on reading lines', async () => {
    answers['GET /v1/contacts/c1/messages?limit=20'] = { messages: [] };
    const input = new PassThrough();
    let stdout = '';
    let stderr = '';
    const stopped = '(live updates stopped: the node closed the connection (stopped?); /quit, then chat again once the node runs)\n';
    const done = main(['-d', 'n', 'chat', 'bob'], {
      stdout: { write: (t: string) => {
        stdout += t;
        if (stdout.includes(stopped)) input.end('/quit\n');
      } },
      stderr: { write: (t: string) => (stderr += t) },
      readStdin: async () => new Uint8Array(0),
      env: {}, cwd: h.dir, suite: createNodeSuite(), random: new SeededRandom('chat'), input,
    });
    expect(await done).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toBe('chat with Bob (fingerprint 1 2 3)\ntype a message and Enter to send; /quit or Ctrl-D to leave\n' + stopped);
  });
});
