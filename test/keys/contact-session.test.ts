/**
 * The contact file written by `meow card create/import` must not keep the
 * secrets that re-derive epoch 0 once the conversation has started
 * (docs/SECURITY-REVIEW.md H3, part 2): startContactSession replaces the
 * card keys by the session state, and the saved state follows the rotations.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { readContactFile, readContactPayload, writeContactFile } from '../../node-runtime/keystore/contact-file.ts';
import {
  openContactSession, saveContactSession, startContactSession,
} from '../../node-runtime/keystore/contact-session.ts';
import { KeystoreError } from '../../node-runtime/keystore/errors.ts';
import { readIdentityFile } from '../../node-runtime/keystore/identity-file.ts';
import { createAnswer, createInvite } from '../../protocol/card/encode.ts';
import {
  generateContactKeyPair, generateEncryptionKeyPair, generateLookupKeyPair, type UserKeyPair,
} from '../../protocol/keys/keys.ts';
import { type Harness, makeHarness } from '../cli/harness.ts';

const suite = createNodeSuite();
const HOUR_MS = 3_600_000;
let h: Harness;
let aliceUkp: UserKeyPair;
let bobUkp: UserKeyPair;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof KeystoreError ? `${e.name}:${e.code}` : `other:${(e as Error).message}`;
  }
}

beforeAll(async () => {
  // Identities made by the CLI. The card-stage (version 1) contact files are written with the
  // keystore API as `meow card create` writes them: `meow card import` now starts the session at
  // once (test/cli), so the version-1 stage of a completed exchange no longer exists on disk.
  h = await makeHarness('contact-session');
  const env = { MEOW_PASSPHRASE: 'pw' };
  for (const who of ['alice', 'bob']) expect((await h.run(['keygen', '--out', `${who}.json`], { env })).code).toBe(0);
  aliceUkp = await readIdentityFile(suite, join(h.dir, 'alice.json'), 'pw');
  bobUkp = await readIdentityFile(suite, join(h.dir, 'bob.json'), 'pw');
  const random = new SeededRandom('contact-session-cards');
  const side = (servers: string[]) => {
    const contact = generateContactKeyPair(suite, random);
    const encryption = generateEncryptionKeyPair(suite, random);
    const lookup = generateLookupKeyPair(suite, random);
    return { contact, encryption, lookup, keys: { contact, encryptionKey: encryption.publicKey, mailboxId: lookup.publicKey, servers } };
  };
  const a = side(['udp://10.0.0.1:1']);
  const b = side(['udp://10.0.0.2:2']);
  const invite = createInvite(suite, a.keys);
  const answer = createAnswer(suite, invite, b.keys);
  await writeFile(join(h.dir, 'alice.card'), invite.bytes);
  await writeContactFile(suite, random, join(h.dir, 'alice.contact'),
    { role: 'inviter', contact: a.contact, encryption: a.encryption, lookup: a.lookup, myCard: invite.bytes, peerCard: answer.bytes }, aliceUkp);
  await writeContactFile(suite, random, join(h.dir, 'bob.contact'),
    { role: 'answerer', contact: b.contact, encryption: b.encryption, lookup: b.lookup, myCard: answer.bytes, peerCard: invite.bytes }, bobUkp);
});

describe('contact file once the session exists', () => {
  it('drops the Ckp secrets at once and the Ekp with the first rotation; a later copy cannot read epoch 0', async () => {
    const alicePath = join(h.dir, 'alice.contact');
    const bobPath = join(h.dir, 'bob.contact');
    const bobKeys = await readContactFile(suite, bobPath, bobUkp);
    const [ckpAgreement, ckpSigning, ekp] = [bobKeys.contact.agreementSecret, bobKeys.contact.signingSecret, bobKeys.encryption.secretKey].map(toHex);
    const cardSecrets = [ckpAgreement!, ckpSigning!, ekp!];
    // Before the session: the file holds them (that is what re-derives root_0).
    const before = JSON.stringify(await readContactPayload(suite, bobPath, bobUkp));
    for (const secret of cardSecrets) expect(before).toContain(secret);

    const random = new SeededRandom('contact-session-run');
    const alice = await startContactSession(suite, random, alicePath, aliceUkp);
    const bob = await startContactSession(suite, random, bobPath, bobUkp);
    expect(bob.role).toBe('answerer');
    expect(toHex(bob.peerCard)).toBe(toHex(new Uint8Array(await readFile(join(h.dir, 'alice.card')))));

    const root0 = toHex(bob.session.exportState().current.root);
    const after = await readContactPayload(suite, bobPath, bobUkp);
    expect(after.version).toBe(2);
    expect(Object.keys(after).sort()).toEqual(['myCard', 'peerCard', 'role', 'session', 'version']);
    // No Ckp secret: X25519(Ckp, Ckp') is gone, so root_0 can no longer be recomputed from cards.
    expect(JSON.stringify(after)).not.toContain(ckpAgreement);
    expect(JSON.stringify(after)).not.toContain(ckpSigning);
    // The live session still uses its epoch-0 Ekp and root until its first rotation (as any seized state would).
    expect(JSON.stringify(after)).toContain(ekp);
    // The old reader refuses the new file instead of handing out half a key set.
    expect(await codeOf(readContactFile(suite, bobPath, bobUkp))).toBe('KeystoreError:wrong-kind');
    expect(await codeOf(startContactSession(suite, random, bobPath, bobUkp))).toBe('KeystoreError:wrong-kind');

    // Epoch-0 traffic, recorded by an eavesdropper.
    const recorded = alice.session.sealText('epoch 0 secret').envelope;
    expect(bob.session.open(recorded, 0).ok).toBe(true);
    // Three rotations by Alice, acknowledged; both sides save their state as the session rules ask.
    let nowMs = 0;
    for (let i = 0; i < 3; i++) {
      alice.session.rotateEncryptionKey(random);
      expect(bob.session.open(alice.session.sealText(`proposal ${i}`).envelope, nowMs).ok).toBe(true);
      expect(alice.session.open(bob.session.sealControl().envelope, nowMs).ok).toBe(true);
      expect(bob.session.open(alice.session.sealText(`after ${i}`).envelope, nowMs).ok).toBe(true);
      expect(alice.session.open(bob.session.sealControl().envelope, nowMs).ok).toBe(true);
      nowMs += 49 * HOUR_MS; // past the grace window of the epochs left behind
    }
    expect(bob.session.epochNumber).toBe(6);
    bob.session.mailboxes(nowMs);
    await saveContactSession(suite, random, bobPath, bobUkp, bob);
    await saveContactSession(suite, random, alicePath, aliceUkp, alice);
    const saved = JSON.stringify(await readContactPayload(suite, bobPath, bobUkp));
    for (const secret of [...cardSecrets, root0]) expect(saved).not.toContain(secret);

    // Whoever opens Bob's file now gets his live session, nothing that opens epoch 0.
    const seized = await openContactSession(suite, new SeededRandom('eve'), bobPath, bobUkp);
    expect(seized.session.epochNumber).toBe(6);
    const r = seized.session.open(recorded, nowMs);
    expect(r.ok ? 'read' : r.code).toBe('bad-mac');
    // ...and the restored session is the real one: Alice's next message opens.
    const next = alice.session.sealText('still talking').envelope;
    const reopened = await openContactSession(suite, random, bobPath, bobUkp);
    expect(reopened.session.open(next, nowMs).ok).toBe(true);
    expect(await codeOf(openContactSession(suite, random, join(h.dir, 'missing.contact'), bobUkp))).toMatch(/other:/);
  });

  it('refuses to start without the contact\'s card, and opening a file that has not started', async () => {
    const env = { MEOW_PASSPHRASE: 'pw' };
    expect((await h.run(['card', 'create', '--keys', 'alice.json', '--out', '.', '--name', 'lonely', '--server', 'udp://10.0.0.1:1'], { env })).code).toBe(0);
    const path = join(h.dir, 'lonely.contact');
    const random = new SeededRandom('lonely');
    expect(await codeOf(startContactSession(suite, random, path, aliceUkp))).toBe('KeystoreError:bad-file');
    expect(await codeOf(openContactSession(suite, random, path, aliceUkp))).toBe('KeystoreError:wrong-kind');
    // The failed start left the card keys in place: the invite can still be completed.
    expect((await readContactFile(suite, path, aliceUkp)).role).toBe('inviter');
  });
});
