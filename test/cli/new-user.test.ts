/**
 * What a new user ran into (issue 8, "Also found"): raw Node errors, Node's
 * parser text for a misspelt flag, inspect calling text "binary" and
 * cutting a large input short, key files not recognised, one's own
 * invitation accepted, relay passwords carried silently in a card.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestFlag } from '../../apps/flags.ts';
import { type Harness, makeHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness('new-user');
  await mkdir(join(h.dir, 'adir'));
  expect((await h.run(['keygen', '--out', 'me.key'])).code).toBe(0);
});
afterAll(async () => {
  await rm(h.dir, { recursive: true, force: true });
});

describe('no raw Node error reaches the user', () => {
  it('names a missing key file, a directory given as a file, and a missing --out directory in plain words', async () => {
    expect(await h.run(['card', 'create', '--keys', 'nope.key', '--server', 'udp://h:1', '--out', '.'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: nope.key: no such file or directory\n',
    });
    expect(await h.run(['card', 'create', '--keys', 'adir', '--server', 'udp://h:1', '--out', '.'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: adir: is a directory, not a file\n',
    });
    expect(await h.run(['keygen', '--out', 'missing/me.key'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: cannot write missing/me.key: missing: the directory does not exist\n',
    });
    const r = await h.run(['card', 'create', '--keys', 'me.key', '--server', 'udp://h:1', '--out', 'nowhere', '--name', 'x']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'meow: cannot write nowhere/x.contact: nowhere: the directory does not exist\n' });
    expect(await h.run(['inspect', 'adir'])).toEqual({ code: 2, stdout: '', stderr: 'meow: adir is a directory: give a file (or - for standard input)\n' });
  });

  it('suggests the closest flag instead of Node\'s parser text', async () => {
    expect(await h.run(['keygen', '--out', 'k.key', '--pasphrase-file', 'p'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: unknown flag --pasphrase-file: did you mean --passphrase-file? (meow help keygen)\n',
    });
    expect(await h.run(['card', 'create', '--keys', 'me.key', '--servr', 'udp://h:1'])).toMatchObject({ code: 2, stderr: 'meow: unknown flag --servr: did you mean --server? (meow help card)\n' });
    expect(await h.run(['card', 'create', 'bob', '--rellay', 'udp://h:1'])).toMatchObject({ code: 2, stderr: 'meow: unknown flag --rellay: did you mean --relay? (meow help card)\n' });
    expect(await h.run(['keygen', '--out'])).toMatchObject({ code: 2, stderr: 'meow: --out needs a value (meow help keygen)\n' });
    expect(await h.run(['status', '--json=yes'])).toMatchObject({ code: 2, stderr: 'meow: --json takes no value (meow help status)\n' });
    expect(await h.run(['keygen', '--wibble'])).toMatchObject({ code: 2, stderr: 'meow: unknown flag --wibble (meow help keygen)\n' });
    expect(await h.run(['chta', 'bob'])).toEqual({ code: 2, stdout: '', stderr: 'meow: unknown command "chta": did you mean chat? (meow --help)\n' });
    expect(closestFlag('prot', ['port', 'peer'])).toBe('port');
    expect(closestFlag('zzzzzz', ['port', 'peer'])).toBeUndefined();
  });
});

describe('meow inspect as a new user tries it', () => {
  it('calls text "text", not "binary"', async () => {
    const r = await h.run(['inspect'], { stdin: 'hello world' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('meow: -: not a card, key file, gateway request, envelope or frame (11 bytes, text):');
    expect((await h.run(['inspect'], { stdin: new Uint8Array([0xca, 0xfe, 0x00, 0x01]) })).stderr).toContain('(4 bytes, binary)');
  });

  it('refuses a 5 MB input with a size error instead of cutting it short, from a file and from stdin', async () => {
    const big = new Uint8Array(5 * 1024 * 1024).fill(0x41);
    await writeFile(join(h.dir, 'big.bin'), big);
    expect(await h.run(['inspect', 'big.bin'])).toEqual({
      code: 2, stdout: '', stderr: 'meow: big.bin is larger than 1048576 bytes (1 MiB): cards, envelopes and frames are far smaller\n',
    });
    // The harness hands stdin over whole; the real reader (io.ts) stops at the cap: see subprocess.test.ts.
  });

  it('recognises a .contact file and an identity file, showing how they are sealed and no key', async () => {
    expect((await h.run(['card', 'create', '--keys', 'me.key', '--server', 'udp://h:1', '--out', '.', '--name', 'c1'])).code).toBe(0);
    const contact = await h.run(['inspect', 'c1.contact']);
    expect(contact.code).toBe(0);
    const out = JSON.parse(contact.stdout) as { inspector: string; input: string; value: Record<string, unknown> };
    expect(out).toMatchObject({ inspector: 'key-file', input: 'text', value: { kind: 'contact keys (.contact file)', kdf: 'ukp' } });
    expect(out.value.identityKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.parse((await h.run(['inspect', 'me.key'])).stdout)).toMatchObject({
      inspector: 'key-file', value: { kind: 'identity (Ukp)', kdf: 'scrypt', logN: 10, r: 8, p: 1, note: 'sealed with a passphrase' },
    });
  });
});

describe('cards as a new user makes them', () => {
  it('refuses to import your own invitation, and changes nothing', async () => {
    expect((await h.run(['card', 'create', '--keys', 'me.key', '--server', 'udp://h:1', '--out', '.', '--name', 'mine'])).code).toBe(0);
    const before = await readFile(join(h.dir, 'mine.contact'), 'utf8');
    const r = await h.run(['card', 'import', 'mine.card', '--keys', 'me.key', '--server', 'udp://h:1', '--out', '.', '--name', 'self']);
    expect(r).toEqual({
      code: 2, stdout: '',
      stderr: `meow: mine.card is your own invitation (its keys are in ${join(h.dir, 'mine.contact')}): give it to your contact, and import the answer they send back\n`,
    });
    await expect(readFile(join(h.dir, 'self.contact'))).rejects.toThrow();
    expect(await readFile(join(h.dir, 'mine.contact'), 'utf8')).toBe(before);
  });

  it('warns that a card carries relay credentials in the clear, without repeating the password', async () => {
    const r = await h.run(['card', 'create', '--keys', 'me.key', '--server', 'https://alice:s3cret@relay.example:8443', '--out', '.', '--name', 'cred']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('meow: warning: the card carries the user name and password for relay.example:8443 in the clear: '
      + 'whoever sees the card, its file or its QR code can use them on that relay\n');
    expect(r.stdout + r.stderr).not.toContain('s3cret');
    expect((await h.run(['card', 'create', '--keys', 'me.key', '--server', 'https://relay.example:8443', '--out', '.', '--name', 'nocred'])).stderr).toBe('');
  });
});
