import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { checkAnswer } from '../../protocol/card/binding.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { createAnswer, createInvite } from '../../protocol/card/encode.ts';
import type { InviteCard } from '../../protocol/card/types.ts';
import { nodeIdFromKey } from '../../protocol/keys/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { field, oracle, readCardVectors } from './helpers.ts';

const vectors = readCardVectors();
const invite = vectors.get('invite')!;
const answer = vectors.get('answer')!;

/** The secrets in the order the vector file states: A then B, each Ckp(Ed, X), Ekp, Lkp. */
function seededSecrets(): { ed: Uint8Array; x: Uint8Array; ekp: Uint8Array; lkp: Uint8Array }[] {
  const rnd = new SeededRandom('meow-card-vector-1');
  return [0, 1].map(() => ({ ed: rnd.bytes(32), x: rnd.bytes(32), ekp: rnd.bytes(32), lkp: rnd.bytes(32) }));
}

describe('card vector (test/vectors/card-seeded.txt)', () => {
  it('states the lengths it claims', () => {
    expect(invite.bytes.length).toBe(invite.length);
    expect(answer.bytes.length).toBe(answer.length);
  });

  it('holds the public keys that node:crypto derives from the seeded secrets', () => {
    const [a, b] = seededSecrets();
    for (const [card, s] of [[invite, a!], [answer, b!]] as const) {
      expect(toHex(field(card, 'ckp.ed25519'))).toBe(toHex(oracle.ed25519Public(s.ed)));
      expect(toHex(field(card, 'ckp.x25519'))).toBe(toHex(oracle.x25519Public(s.x)));
      expect(toHex(field(card, 'ekp.x25519'))).toBe(toHex(oracle.x25519Public(s.ekp)));
      expect(toHex(field(card, 'lkp.ed25519'))).toBe(toHex(oracle.ed25519Public(s.lkp)));
    }
  });

  it('carries signatures that OpenSSL verifies over the domain-separated prefix', () => {
    for (const card of [invite, answer]) {
      const body = card.bytes.subarray(0, card.bytes.length - 64);
      const message = concatBytes(utf8('meow-card-v1'), new Uint8Array([0]), body);
      expect(oracle.ed25519Verify(field(card, 'ckp.ed25519'), message, field(card, 'signature'))).toBe(true);
    }
  });

  it('binds the answer to the invite and names the mesh node by its key hash', () => {
    const hash = oracle.sha256(utf8('meow-card-invite-v1'), new Uint8Array([0]), invite.bytes).subarray(0, 16);
    expect(toHex(field(answer, 'invite_hash'))).toBe(toHex(hash));
    const nodeId = oracle.sha256(utf8('meow-node-id'), field(invite, 'ckp.ed25519')).subarray(0, 8);
    expect(toHex(field(invite, 'server[2].node_id'))).toBe(toHex(nodeId));
  });

  for (const suite of [createPortableSuite(), createNodeSuite()]) {
    it(`is reproduced byte for byte by the encoder (${suite.name} suite)`, () => {
      const rnd = new SeededRandom('meow-card-vector-1');
      const pair = () => {
        const [ed, x, ekp, lkp] = [rnd.bytes(32), rnd.bytes(32), rnd.bytes(32), rnd.bytes(32)];
        return {
          contact: { role: 'contact' as const, publicKey: { role: 'contact' as const, signing: suite.ed25519PublicKey(ed), agreement: suite.x25519PublicKey(x) }, signingSecret: ed, agreementSecret: x },
          encryptionKey: suite.x25519PublicKey(ekp),
          mailboxId: suite.ed25519PublicKey(lkp),
        };
      };
      const a = pair();
      const b = pair();
      const mesh = `mesh://${toHex(nodeIdFromKey(suite, a.contact.publicKey.signing))}`;
      const inv = createInvite(suite, { ...a, servers: ['https://user:pass@relay.example.net:8443', 'mqtt://10.0.0.2:1883', mesh] });
      const ans = createAnswer(suite, inv, { ...b, servers: ['udp://192.168.1.5:41325', 'serial://dev/ttyS0'] });
      expect(toHex(inv.bytes)).toBe(toHex(invite.bytes));
      expect(toHex(ans.bytes)).toBe(toHex(answer.bytes));
    });

    it(`decodes to the annotated fields (${suite.name} suite)`, () => {
      const inv = decodeCard(suite, invite.bytes);
      const ans = decodeCard(suite, answer.bytes);
      expect(inv.ok && ans.ok).toBe(true);
      if (!inv.ok || !ans.ok) return;
      expect(inv.value.kind).toBe('invite');
      expect(toHex(inv.value.mailboxId)).toBe(toHex(field(invite, 'lkp.ed25519')));
      expect(inv.value.servers.map((s) => s.url)).toEqual([
        'https://user:pass@relay.example.net:8443', 'mqtt://10.0.0.2:1883', `mesh://${toHex(field(invite, 'server[2].node_id'))}`,
      ]);
      expect(ans.value.kind).toBe('answer');
      expect(ans.value.servers.map((s) => s.url)).toEqual(['udp://192.168.1.5:41325', 'serial://dev/ttyS0']);
      expect(checkAnswer(suite, ans.value, inv.value as InviteCard).ok).toBe(true);
    });
  }
});
