/**
 * Relay key fingerprints in a card's server entries (issue 9 item 4,
 * docs/PROTOCOL.md "Server entries"): the scheme byte's 0x80 flag, 16 bytes
 * after the URL; cards without them still decode and come with a warning.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../protocol/codec/bytes.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { cardSigningInput, createInvite } from '../../protocol/card/encode.ts';
import { parseServerUrl, SERVER_KEY_FLAG, SERVER_SCHEMES } from '../../protocol/card/server-url.ts';
import { cardView, cardWarnings } from '../../protocol/card/view.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { cardKeys, readCardVectors } from './helpers.ts';

const suite = createNodeSuite();
const rnd = new SeededRandom('card-relay-key');
const relay = generateServerKeyPair(suite, rnd).publicKey;
const fp = relayKeyFingerprint(suite, relay);

describe('relay key fingerprints in cards', () => {
  it('reads "#k=<32 hex>" as the fingerprint, not as part of the URL', () => {
    const r = parseServerUrl(`https://relay.example#k=${toHex(fp)}`);
    expect(r).toEqual({ ok: true, value: { scheme: 'https', url: 'https://relay.example', keyFingerprint: fp } });
    expect(parseServerUrl(`mesh://0011223344556677#k=${toHex(fp)}`)).toMatchObject({ ok: false, reason: /mesh/ });
    expect(parseServerUrl('https://relay.example#k=abc')).toMatchObject({ ok: false, reason: /fragments/ });
  });

  it('round-trips a card whose entries pin relay keys, with no warning; the entry costs 16 bytes more', () => {
    const servers = [`https://relay.example#k=${toHex(fp)}`, `udp://10.0.0.1:41325#k=${toHex(fp)}`, 'mesh://0011223344556677'];
    const keys = cardKeys(suite, rnd, servers);
    const card = createInvite(suite, keys);
    const plain = createInvite(suite, { ...keys, servers: servers.map((s) => s.replace(/#k=.*$/, '')) });
    expect(card.bytes.length - plain.bytes.length).toBe(32);
    const d = decodeCard(suite, card.bytes);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.value.servers.map((s) => s.keyFingerprint && toHex(s.keyFingerprint))).toEqual([toHex(fp), toHex(fp), undefined]);
    // The only warning left is the mesh entry's, which names its node by id (test/card/mesh-node-key.test.ts).
    expect(cardWarnings(d.value)).toEqual([expect.stringMatching(/^mesh:\/\/0011223344556677: only the node id/)]);
    expect(cardView(suite, d.value).servers[0]).toBe(`https://relay.example#k=${toHex(fp)}`);
  });

  it('still decodes cards made before fingerprints (the vectors), each relay entry with a visible warning', () => {
    for (const [name, v] of readCardVectors()) {
      const d = decodeCard(suite, v.bytes);
      expect(d.ok, name).toBe(true);
      if (!d.ok) continue;
      const relays = d.value.servers.filter((s) => s.scheme !== 'mesh' && s.scheme !== 'serial');
      const view = cardView(suite, d.value).warnings.filter((w) => !w.startsWith('mesh://'));
      expect(view).toHaveLength(relays.length);
      for (const w of view) expect(w).toMatch(/no relay key fingerprint/);
    }
  });

  it('reads a flagged mesh entry as a 32-byte node key, not an id with a fingerprint; refuses a truncated fingerprint', () => {
    const keys = cardKeys(suite, rnd, ['mesh://0011223344556677']);
    const card = createInvite(suite, keys);
    const body = card.bytes.slice(0, card.bytes.length - 64);
    const at = body.length - 9; // the mesh entry's scheme byte
    expect(body[at]).toBe(SERVER_SCHEMES.mesh);
    body[at] = SERVER_SCHEMES.mesh | SERVER_KEY_FLAG;
    const flagged = concatBytes(body, suite.ed25519Sign(keys.contact.signingSecret, cardSigningInput(body)));
    // 8 id bytes and 24 of the signature are taken for the key: the signature is then short.
    expect(decodeCard(suite, flagged)).toMatchObject({ ok: false, code: 'truncated' });

    const pinned = createInvite(suite, cardKeys(suite, rnd, [`https://r.example#k=${toHex(fp)}`]));
    const cut = pinned.bytes.slice(0, pinned.bytes.length - 64 - 4);
    expect(decodeCard(suite, cut).ok).toBe(false);
  });
});
