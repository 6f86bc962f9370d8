import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { ok } from '../../protocol/codec/result.ts';
import { toQrText } from '../../protocol/card/qr-text.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { inspect } from '../../apps/meow/inspect.ts';
import { defaultInspectors } from '../../apps/meow/inspectors.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { openContactSession } from '../../node-runtime/keystore/contact-session.ts';
import { readIdentityFile } from '../../node-runtime/keystore/identity-file.ts';
import { type Harness, makeHarness } from './harness.ts';

const suite = createNodeSuite();
let h: Harness;
beforeAll(async () => {
  h = await makeHarness('cli');
});
afterAll(async () => {
  await rm(h.dir, { recursive: true, force: true });
});

describe('help and usage', () => {
  it('prints help with exit 0, and usage errors with exit 2', async () => {
    expect(await h.run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('card create') });
    expect(await h.run(['help', 'card', 'import'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--contact') });
    expect(await h.run(['card', 'create', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--server URL') });
    expect(await h.run(['keygen', '-h'])).toMatchObject({ code: 0, stdout: expect.stringContaining('N=2^17') });
    expect((await h.run([])).code).toBe(2);
    expect(await h.run(['fly'])).toMatchObject({ code: 2, stderr: 'meow: unknown command "fly" (meow --help)\n' });
    expect(await h.run(['keygen', '--out', 'x', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--bogus') });
    expect(await h.run(['keygen'])).toMatchObject({ code: 2, stderr: 'meow: --out FILE is required\n' });
    expect(await h.run(['card', 'frobnicate'])).toMatchObject({ code: 2 });
    expect(await h.run(['help', 'nothing'])).toMatchObject({ code: 2 });
  });
});

describe('keygen', () => {
  it('writes a sealed identity, mode 0600, and never prints a secret', async () => {
    const r = await h.run(['keygen', '--out', 'k1.json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('identity written to k1.json (scrypt N=2^10 r=8 p=1, XChaCha20-Poly1305)\n');
    const path = join(h.dir, 'k1.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const ukp = await readIdentityFile(suite, path, 'test passphrase');
    for (const secret of [ukp.signingSecret, ukp.agreementSecret]) {
      expect(r.stdout + (await readFile(path, 'utf8'))).not.toContain(toHex(secret));
    }
  });

  it('takes the passphrase from a file, refuses to run without one, warns without one on purpose', async () => {
    await writeFile(join(h.dir, 'pass.txt'), 'from a file\n');
    expect((await h.run(['keygen', '--out', 'k2.json', '--passphrase-file', 'pass.txt'], { env: {} })).code).toBe(0);
    expect((await readIdentityFile(suite, join(h.dir, 'k2.json'), 'from a file')).role).toBe('user');
    const none = await h.run(['keygen', '--out', 'k3.json'], { env: {} });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('--no-passphrase') });
    const clear = await h.run(['keygen', '--out', 'k3.json', '--no-passphrase'], { env: {} });
    expect(clear).toMatchObject({ code: 0, stderr: expect.stringContaining('WITHOUT a passphrase') });
  });

  it('refuses to overwrite an identity unless --force', async () => {
    expect(await h.run(['keygen', '--out', 'k1.json'])).toMatchObject({ code: 2, stderr: expect.stringContaining('refusing to overwrite') });
    expect((await h.run(['keygen', '--out', 'k1.json', '--force'])).code).toBe(0);
  });
});

describe('card exchange end to end', () => {
  it('creates an invite, answers it, completes it; both sides read the same pair fingerprint', async () => {
    expect((await h.run(['keygen', '--out', 'alice.json'])).code).toBe(0);
    expect((await h.run(['keygen', '--out', 'bob.json'], { env: { MEOW_PASSPHRASE: 'bob pw' } })).code).toBe(0);

    const created = await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--name', 'alice',
      '--server', 'https://user:pass@relay.example.net:8443', '--server', 'mqtt://10.0.0.2:1883', '--server', 'mesh://0011223344556677', '--qr']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('invite card:   alice.card (255 bytes)');
    expect(created.stdout).toMatch(/your key for this contact: \d{5} \d{5} \d{5}\n/);
    expect(created.stdout).toContain('▄'); // the terminal QR code
    for (const f of ['alice.card', 'alice.card.txt', 'alice.contact']) expect((await stat(join(h.dir, f))).mode & 0o777).toBe(0o600);

    const shown = await h.run(['card', 'show', 'alice.card.txt']);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout);
    expect(view).toMatchObject({ type: 'meow-card', kind: 'invite', servers: ['https://user:pass@relay.example.net:8443', 'mqtt://10.0.0.2:1883', 'mesh://0011223344556677'] });

    const answered = await h.run(['card', 'import', 'alice.card', '--keys', 'bob.json', '--server', 'udp://192.168.1.5:41325', '--out', '.', '--name', 'bob'],
      { env: { MEOW_PASSPHRASE: 'bob pw' } });
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain(`invite verified: 3 server(s), contact key ${view.fingerprint}`);
    const pairBob = /compare in person: ((?:\d{5} ?){6})\n/.exec(answered.stdout)?.[1];
    expect(pairBob).toBeDefined();

    const completed = await h.run(['card', 'import', 'bob.card.txt', '--keys', 'alice.json', '--contact', 'alice.contact']);
    expect(completed).toMatchObject({ code: 0, stdout: `answer verified and stored in alice.contact\ncompare in person: ${pairBob}\n` });

    // Both contact files now hold a started session (no card secrets that would recompute epoch 0).
    const aliceUkp = await readIdentityFile(suite, join(h.dir, 'alice.json'), 'test passphrase');
    const alice = await openContactSession(suite, new SeededRandom('cli-alice'), join(h.dir, 'alice.contact'), aliceUkp);
    expect(toHex(alice.peerCard)).toBe(toHex(await readFile(join(h.dir, 'bob.card'))));
    const bobUkp = await readIdentityFile(suite, join(h.dir, 'bob.json'), 'bob pw');
    const bob = await openContactSession(suite, new SeededRandom('cli-bob'), join(h.dir, 'bob.contact'), bobUkp);
    expect(bob.role).toBe('answerer');
    expect(toHex(bob.peerCard)).toBe(toHex(await readFile(join(h.dir, 'alice.card'))));
    // ...and the two sessions talk to each other.
    const opened = bob.session.open(alice.session.sealText('hello from the CLI files').envelope, Date.now());
    expect(opened.ok && opened.value.body).toEqual({ type: 'text', text: 'hello from the CLI files' });
  });

  it('refuses a foreign answer, a wrong passphrase, a wrong identity and bad servers with exit 2', async () => {
    await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--name', 'alice2', '--server', 'udp://h:1']);
    await h.run(['keygen', '--out', 'carol.json']);
    await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--name', 'alice3', '--server', 'udp://h:1']);
    // Carol answers Alice's second invite; Alice tries it against her third.
    expect((await h.run(['card', 'import', 'alice2.card', '--keys', 'carol.json', '--server', 'udp://c:2', '--out', '.', '--name', 'carol'])).code).toBe(0);
    const foreign = await h.run(['card', 'import', 'carol.card', '--keys', 'alice.json', '--contact', 'alice3.contact']);
    expect(foreign).toMatchObject({ code: 2, stderr: 'meow: carol.card: refused: this answer card answers another invite, not ours\n' });
    const wrong = await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--server', 'udp://h:1'], { env: { MEOW_PASSPHRASE: 'nope' } });
    expect(wrong).toMatchObject({ code: 2, stderr: 'meow: wrong passphrase (or the key file was altered)\n' });
    const other = await h.run(['card', 'import', 'carol.card', '--keys', 'bob.json', '--contact', 'alice2.contact'], { env: { MEOW_PASSPHRASE: 'bob pw' } });
    expect(other).toMatchObject({ code: 2, stderr: 'meow: this contact file belongs to another identity\n' });
    const badUrl = await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--server', 'gopher://x']);
    expect(badUrl).toMatchObject({ code: 2, stderr: expect.stringContaining('unsupported scheme') });
    expect((await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.'])).code).toBe(2);
    expect((await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--server', 'udp://h:1', '--name', '../x'])).code).toBe(2);
    const tampered = new Uint8Array(await readFile(join(h.dir, 'alice2.card')));
    tampered[40]! ^= 4;
    await writeFile(join(h.dir, 'tampered.card'), tampered);
    expect(await h.run(['card', 'show', 'tampered.card'])).toMatchObject({ code: 2, stderr: expect.stringContaining('bad-signature') });
    expect(await h.run(['card', 'import', 'tampered.card', '--keys', 'bob.json', '--server', 'udp://b:1', '--out', '.'])).toMatchObject({ code: 2 });
  });
});

describe('inspect', () => {
  it('reads a card as a file, armoured text, hex or QR text on stdin', async () => {
    await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--name', 'insp', '--server', 'serial://dev/ttyS0']);
    const bytes = new Uint8Array(await readFile(join(h.dir, 'insp.card')));
    const armored = await readFile(join(h.dir, 'insp.card.txt'), 'utf8');
    const runs = [
      [await h.run(['inspect', 'insp.card']), 'binary'],
      [await h.run(['inspect', 'insp.card.txt']), 'armor'],
      [await h.run(['inspect'], { stdin: armored }), 'armor'],
      [await h.run(['inspect', '-'], { stdin: `${toHex(bytes).replace(/(.{64})/g, '$1\n')}\n` }), 'hex'],
      [await h.run(['inspect'], { stdin: `${toQrText(bytes)}\n` }), 'qr-text'],
      [await h.run(['inspect'], { stdin: bytes }), 'binary'],
    ] as const;
    for (const [r, form] of runs) {
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ inspector: 'card', input: form, value: { kind: 'invite', servers: ['serial://dev/ttyS0'], bytes: bytes.length } });
    }
  });

  it('exits 2 with a clear message on bad input', async () => {
    expect(await h.run(['inspect'], { stdin: '' })).toMatchObject({ code: 2, stderr: 'meow: -: unreadable input: truncated at byte 0: empty input\n' });
    expect(await h.run(['inspect'], { stdin: 'abc' })).toMatchObject({ code: 2, stderr: expect.stringContaining('odd number of hex digits') });
    expect(await h.run(['inspect'], { stdin: 'hello world' })).toMatchObject({
      code: 2,
      stderr: 'meow: -: not a card, key file, gateway request, envelope or frame (11 bytes, text):\n'
        + '  card: bad-kind at byte 0: not a Meow card (wrong magic)\n'
        + '  key-file: bad-kind at byte 0: not a Meow key file (JSON)\n'
        + '  gateway-request: bad-kind at byte 0: unknown gateway request 0x68\n'
        + '  envelope: bad-version at byte 0: envelope version 6 is not 1\n'
        + '  frame: bad-value at byte 1: hops 12 over limit 8\n',
    });
    const armored = await readFile(join(h.dir, 'insp.card.txt'), 'utf8');
    const damaged = armored.replace(/\n([A-Za-z0-9+/])/, (_m, c: string) => `\n${c === 'A' ? 'B' : 'A'}`);
    expect(await h.run(['inspect'], { stdin: damaged })).toMatchObject({ code: 2, stderr: expect.stringContaining('bad-checksum') });
    expect(await h.run(['inspect', 'missing.bin'])).toMatchObject({ code: 2, stderr: 'meow: cannot read missing.bin: no such file\n' });
    expect(await h.run(['inspect', 'a', 'b'])).toMatchObject({ code: 2 });
  });

  it('tries registered inspectors in order (others add envelope and frame decoders)', async () => {
    let out = '';
    const io = {
      stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true },
      readStdin: async () => new Uint8Array([0xca, 0xfe]), env: {}, cwd: h.dir, suite, random: { bytes: (n: number) => new Uint8Array(n) },
    };
    const frame = { name: 'frame', inspect: (b: Uint8Array) => ok({ first: b.subarray(0, 1) }) };
    expect(await inspect(io, [], [...defaultInspectors(suite), frame])).toBe(0);
    expect(JSON.parse(out)).toEqual({ inspector: 'frame', input: 'binary', value: { first: 'ca' } });
  });
});

describe('CliError', () => {
  it('maps codes and exit statuses both ways', async () => {
    const { CliError, usage, badInput, runtimeFailure } = await import('../../apps/meow/errors.ts');
    expect([usage('u').exitCode, badInput('b').exitCode, runtimeFailure('r').exitCode]).toEqual([2, 2, 1]);
    const e = new CliError('no node answers', 1);
    expect([e.code, e.exitCode, e.message, e.name]).toEqual(['runtime', 1, 'no node answers', 'CliError']);
    expect(new CliError('bad', 2).code).toBe('bad-input');
  });
});

describe('status registration', () => {
  it('is listed, has help, and fails with exit 1 when no node answers', async () => {
    expect((await h.run(['--help'])).stdout).toContain('status');
    expect(await h.run(['status', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('meow status') });
    const r = await h.run(['status', '--url', 'http://127.0.0.1:9/status']);
    expect(r.code).toBe(1); // a runtime failure, not bad input
    expect(r.stderr).toMatch(/^meow: /);
  });
});
