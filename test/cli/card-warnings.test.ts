/**
 * `meow card show` and `meow card import` say in plain words when a card's
 * relays carry no key fingerprint (a card made before them, or by someone who
 * did not pin the relay's key), without the user:pass a URL may hold; a card
 * whose relay is pinned (`#k=`) gets no such warning.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInvite } from '../../protocol/card/encode.ts';
import { generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { makeHarness } from './harness.ts';

const suite = createNodeSuite();
const random = new SeededRandom('card-warnings');

function invite(servers: string[]): Uint8Array {
  return createInvite(suite, {
    contact: generateContactKeyPair(suite, random), encryptionKey: generateEncryptionKeyPair(suite, random).publicKey,
    mailboxId: generateLookupKeyPair(suite, random).publicKey, servers,
  }).bytes;
}

const WARNING = 'meow: warning: this card names the relay http://relay.example.org:8470 without its key fingerprint (#k=...), '
  + 'so the first key that relay shows will be trusted: someone on the network path could pose as it. '
  + 'Ask for a card made with the URL that meow-relay prints with its #k= fingerprint\n';

describe('card relay fingerprint warnings', () => {
  it('card show prints the warning in words (and the JSON keeps it); a pinned relay gets none', async () => {
    const h = await makeHarness('card-warnings');
    await writeFile(join(h.dir, 'old.card'), invite(['http://alice:secret@relay.example.org:8470', 'mesh://0102030405060708']));
    await writeFile(join(h.dir, 'pinned.card'), invite([`http://relay.example.org:8470#k=${'ab'.repeat(16)}`]));
    const old = await h.run(['card', 'show', 'old.card']);
    expect(old.code).toBe(0);
    expect(old.stderr).toBe(WARNING);
    expect(old.stderr).not.toContain('secret');
    // The relay's, and the mesh entry's: it names its node by id, not key (protocol/card/view.ts cardWarnings).
    expect((JSON.parse(old.stdout) as { warnings: string[] }).warnings).toEqual([
      expect.stringMatching(/^http:\/\/alice:secret@relay\.example\.org:8470: no relay key fingerprint/),
      expect.stringMatching(/^mesh:\/\/0102030405060708: only the node id in this card/),
    ]);
    const pinned = await h.run(['card', 'show', 'pinned.card']);
    expect(pinned.code).toBe(0);
    expect(pinned.stderr).toBe('');
    expect((JSON.parse(pinned.stdout) as { warnings: string[] }).warnings).toEqual([]);
  });

  it('card import warns once the card is taken, not when it is refused', async () => {
    const h = await makeHarness('card-warnings-import');
    await writeFile(join(h.dir, 'old.card'), invite(['http://relay.example.org:8470']));
    expect((await h.run(['keygen', '--out', 'bob.json'])).code).toBe(0);
    const r = await h.run(['card', 'import', 'old.card', '--keys', 'bob.json', '--server', `udp://b:2`, '--out', '.', '--name', 'alice']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(WARNING);
    // The same card again: refused (the contact file exists), and no warning about a contact not made.
    const again = await h.run(['card', 'import', 'old.card', '--keys', 'bob.json', '--server', `udp://b:2`, '--out', '.', '--name', 'alice']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).not.toContain('key fingerprint');
  });
});
