/**
 * Mesh entries that carry the node's Ed25519 key (scheme byte 0x87, 32
 * bytes) instead of its 8-byte id: a sender then puts an authenticated
 * origin on a first message to that node even beyond one hop
 * (docs/PROTOCOL.md "Server entries", "Authenticated source"). Cards with
 * the id alone still decode, with a warning.
 */
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../protocol/codec/bytes.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { cardSigningInput, createInvite } from '../../protocol/card/encode.ts';
import { toQrText } from '../../protocol/card/qr-text.ts';
import { SERVER_KEY_FLAG, SERVER_SCHEMES } from '../../protocol/card/server-url.ts';
import { MAX_CARD_BYTES, MAX_CARD_SERVERS } from '../../protocol/card/types.ts';
import { cardView, cardWarnings } from '../../protocol/card/view.ts';
import { nodeIdFromKey } from '../../protocol/keys/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { cardKeys, oracle, readCardVectors } from './helpers.ts';

const suite = createNodeSuite();
const rnd = new SeededRandom('card-mesh-node-key');
const nodeKey = oracle.ed25519Public(new SeededRandom('a node').bytes(32));
const keyedUrl = `mesh://${toHex(nodeKey)}`;
const idUrl = `mesh://${toHex(nodeIdFromKey(suite, nodeKey))}`;

/** The server section of an invite: after the 132 fixed bytes, before the 64-byte signature. */
function serverSection(bytes: Uint8Array): string {
  return toHex(bytes.subarray(132, bytes.length - 64));
}

describe('mesh entries with the node key', () => {
  it('encodes the node key as 0x87 then the 32 key bytes, 24 bytes more than the id, and decodes it back', () => {
    const keys = cardKeys(suite, rnd, [keyedUrl, 'udp://10.0.0.1:41325']);
    const card = createInvite(suite, keys);
    // count 02 | 87 <32-byte key> | 05 <length 0e> "10.0.0.1:41325"
    expect(serverSection(card.bytes)).toBe(`02` + `87${toHex(nodeKey)}` + `050e${Buffer.from('10.0.0.1:41325').toString('hex')}`);
    const byId = createInvite(suite, { ...keys, servers: [idUrl, 'udp://10.0.0.1:41325'] });
    expect(serverSection(byId.bytes)).toBe(`02` + `07${idUrl.slice(7)}` + `050e${Buffer.from('10.0.0.1:41325').toString('hex')}`);
    expect(card.bytes.length - byId.bytes.length).toBe(24);
    const d = decodeCard(suite, card.bytes);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.value.servers.map((s) => s.url)).toEqual([keyedUrl, 'udp://10.0.0.1:41325']);
    // The key names the same node the id did: the id is derived from it.
    expect(toHex(nodeIdFromKey(suite, nodeKey))).toBe(toHex(oracle.sha256(Buffer.from('meow-node-id'), nodeKey).subarray(0, 8)));
    expect(cardWarnings(d.value).filter((w) => w.startsWith('mesh://'))).toEqual([]);
  });

  it('warns about a mesh entry with the id only (old cards still decode)', () => {
    const card = createInvite(suite, cardKeys(suite, rnd, [idUrl]));
    const d = decodeCard(suite, card.bytes);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(cardWarnings(d.value)).toEqual([
      `${idUrl}: only the node id in this card, not its key; a first message to this node cannot authenticate the node (any node could acknowledge it)`,
    ]);
    // The seeded vector card (made before node keys) names its mesh node by id: it decodes, and says so.
    const vector = decodeCard(suite, readCardVectors().get('invite')!.bytes);
    expect(vector.ok).toBe(true);
    if (!vector.ok) return;
    expect(cardView(suite, vector.value).warnings.filter((w) => w.startsWith('mesh://'))).toHaveLength(1);
  });

  it('refuses, at the entry, a signed card whose flagged mesh entry holds no valid Ed25519 key', () => {
    const keys = cardKeys(suite, rnd, [keyedUrl]);
    const card = createInvite(suite, keys);
    const body = card.bytes.slice(0, card.bytes.length - 64);
    const at = body.length - 33; // the mesh entry's scheme byte
    expect(body[at]).toBe(SERVER_SCHEMES.mesh | SERVER_KEY_FLAG);
    body.fill(0, at + 1); // y = 0: a point of small order
    const signed = concatBytes(body, suite.ed25519Sign(keys.contact.signingSecret, cardSigningInput(body)));
    expect(decodeCard(suite, signed)).toMatchObject({ ok: false, code: 'bad-value', offset: at });
  });

  it('refuses a card that lists the same node key twice; a key and an id are two URLs', () => {
    expect(() => createInvite(suite, cardKeys(suite, rnd, [keyedUrl, keyedUrl]))).toThrow(/listed twice/);
    expect(createInvite(suite, cardKeys(suite, rnd, [keyedUrl, idUrl])).bytes.length).toBeGreaterThan(0);
  });

  it('keeps the card caps: eight keyed mesh entries stay far under MAX_CARD_BYTES', () => {
    const keysOf = Array.from({ length: MAX_CARD_SERVERS }, (_, i) => `mesh://${toHex(oracle.ed25519Public(new SeededRandom(`n${i}`).bytes(32)))}`);
    const card = createInvite(suite, cardKeys(suite, rnd, keysOf));
    expect(card.bytes.length).toBe(4 + 128 + 1 + MAX_CARD_SERVERS * 33 + 64);
    expect(card.bytes.length).toBeLessThan(MAX_CARD_BYTES);
  });

  it('fits the card an agent on a mesh node makes (keyed mesh entry, two pinned relays) in one QR code, version 13 at level M (the 3-server vector card takes 12)', () => {
    const fp = '5a'.repeat(16);
    const card = createInvite(suite, cardKeys(suite, rnd, [keyedUrl, `https://relay.example.net#k=${fp}`, `udp://203.0.113.7:41325#k=${fp}`]));
    expect(card.bytes.length).toBe(4 + 128 + 1 + 33 + (1 + 1 + 17 + 16) + (1 + 1 + 17 + 16) + 64);
    const qr = QRCode.create(toQrText(card.bytes), { errorCorrectionLevel: 'M' });
    expect(qr.version).toBe(13);
  });
});
