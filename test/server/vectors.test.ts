/**
 * Frozen vectors of the relay protocol (test/vectors/server-relay-v1.json),
 * checked field by field, and the seal re-derived independently from the
 * RFC primitives in node:crypto, so that a change to the byte layout or to
 * the key schedule fails here by name.
 */
import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../protocol/crypto/portable.ts';
import { dualKeyPairFromSecrets, lookupKeyPairFromSecret } from '../../protocol/keys/keys.ts';
import { concatBytes, fromHex, toHex, utf8 } from '../../protocol/codec/bytes.ts';
import { LABEL } from '../../protocol/server/constants.ts';
import { decodeServerDescriptor } from '../../protocol/server/descriptor.ts';
import { mailboxTagOf, messageIdOf, senderPassOf } from '../../protocol/server/mailbox.ts';
import { decodeRequest } from '../../protocol/server/request-decode.ts';
import { encodeRequest, encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import { encodeOkResponse } from '../../protocol/server/response.ts';
import { openRequest, openResponse, sealRequest, sealResponse, serverIdOf } from '../../protocol/server/seal.ts';
import { decodeRequestFrame } from '../../protocol/server/frame.ts';
import { checkStamp, leadingZeroBits } from '../../protocol/server/stamp.ts';

const V = JSON.parse(readFileSync(new URL('../vectors/server-relay-v1.json', import.meta.url), 'utf8')) as Record<string, string>;
const h = (name: string): Uint8Array => {
  const b = fromHex(V[name]!);
  if (!b) throw new Error(`vector ${name} is not hex`);
  return b;
};
const s = createPortableSuite();
const server = dualKeyPairFromSecrets(s, 'server', h('serverSigningSeed'), h('serverAgreementSecret'));
const lkp = lookupKeyPairFromSecret(s, h('lookupSecret'));
const fixedRandom = (bytes: Uint8Array) => ({ bytes: (n: number) => {
  if (n !== bytes.length) throw new Error(`expected a draw of ${bytes.length}`);
  return bytes.slice();
} });

describe('relay vectors v1', () => {
  it('names: server id, mailbox tag, message id, sender pass', () => {
    expect(toHex(server.publicKey.signing)).toBe(V.serverSigningPublic);
    expect(toHex(server.publicKey.agreement)).toBe(V.serverAgreementPublic);
    expect(toHex(serverIdOf(s, server.publicKey))).toBe(V.serverId);
    const sha = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(concatBytes(...parts)).digest());
    expect(toHex(sha(LABEL.serverId, server.publicKey.signing, server.publicKey.agreement).slice(0, 8))).toBe(V.serverId);
    expect(toHex(lkp.publicKey)).toBe(V.lookupPublic);
    expect(toHex(mailboxTagOf(s, lkp.publicKey))).toBe(V.mailboxTag);
    expect(toHex(sha(LABEL.mailboxTag, lkp.publicKey).slice(0, 16))).toBe(V.mailboxTag);
    expect(toHex(messageIdOf(s, h('mailboxTag'), h('envelope')))).toBe(V.messageId);
    expect(toHex(senderPassOf(s, h('passKey'), h('mailboxTag'), h('messageId')))).toBe(V.senderPass);
  });

  it('deposit request layout: kind 01 | tag 16 | flags 00 | varint length 04 | envelope', () => {
    const bytes = encodeRequest({ kind: 'deposit', tag: h('mailboxTag'), envelope: utf8('meow') });
    expect(toHex(bytes)).toBe(V.depositRequest);
    expect(toHex(bytes)).toBe(`01${V.mailboxTag}00046d656f77`);
  });

  it('sealed request frame matches an independent node:crypto derivation (X25519, HKDF, ChaCha20-Poly1305)', () => {
    const sealed = sealRequest(s, fixedRandom(h('ephemeralSecret')), server.publicKey, h('depositRequest'));
    expect(toHex(sealed.frame)).toBe(V.sealedDepositFrame);
    // Independent: raw keys into node:crypto by RFC 8410 DER prefixes.
    const eph = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), h('ephemeralSecret')]), format: 'der', type: 'pkcs8' });
    const ephPub = new Uint8Array(createPublicKey(eph).export({ format: 'der', type: 'spki' }).subarray(12));
    const srvPub = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), h('serverAgreementPublic')]), format: 'der', type: 'spki' });
    const shared = diffieHellman({ privateKey: eph, publicKey: srvPub });
    const okm = new Uint8Array(hkdfSync('sha256', shared, concatBytes(ephPub, h('serverAgreementPublic')), LABEL.sealKeys, 64));
    const header = concatBytes(new Uint8Array([0x01]), h('serverId'), ephPub);
    const cipher = createCipheriv('chacha20-poly1305', okm.subarray(0, 32), Buffer.alloc(12), { authTagLength: 16 });
    cipher.setAAD(header, { plaintextLength: h('depositRequest').length });
    const ct = Buffer.concat([cipher.update(h('depositRequest')), cipher.final(), cipher.getAuthTag()]);
    expect(toHex(concatBytes(header, ct))).toBe(V.sealedDepositFrame);
    expect(toHex(okm.subarray(32))).toBe(V.responseKey);
    // The server side opens it and derives the same response key.
    const frame = decodeRequestFrame(h('sealedDepositFrame'));
    if (!frame.ok || frame.value.type !== 'sealed') throw new Error('frame');
    const opened = openRequest(s, server, h('serverId'), frame.value);
    expect(opened.ok && toHex(opened.value.plaintext)).toBe(V.depositRequest);
    expect(opened.ok && toHex(opened.value.responseKey)).toBe(V.responseKey);
  });

  it('sealed response: 81 | reply id (first 8 bytes of the ephemeral key) | nonce 24 | XChaCha20-Poly1305', () => {
    const reply = { replyId: h('sealedDepositFrame').slice(9, 17), responseKey: h('responseKey') };
    expect(toHex(encodeOkResponse('deposit', { id: h('messageId'), duplicate: false }))).toBe(V.depositResponse);
    const frame = sealResponse(s, fixedRandom(h('responseNonce')), reply, h('depositResponse'));
    expect(toHex(frame)).toBe(V.sealedResponseFrame);
    expect(toHex(frame.subarray(0, 9))).toBe(`81${toHex(reply.replyId)}`);
    const opened = openResponse(s, reply, frame);
    expect(opened.ok && opened.value.type === 'sealed' && toHex(opened.value.plaintext)).toBe(V.depositResponse);
  });

  it('signed fetch: kind 03 | Lkp 32 | counter varint | limit | acks | Ed25519 signature over label || relay key || body', () => {
    const bytes = encodeSignedRequest(s, h('serverSigningPublic'), lkp.secretKey, { kind: 'fetch', counter: 1_790_000_000_123, limit: 16, acks: [h('messageId')] });
    expect(toHex(bytes)).toBe(V.fetchRequest);
    const hex = V.fetchRequest!;
    expect(hex.slice(0, 2)).toBe('03');
    expect(hex.slice(2, 66)).toBe(V.lookupPublic);
    expect(hex.slice(66, 78)).toBe('fbd8c1a28c34'); // 1790000000123 as LEB128
    expect(hex.slice(78, 82)).toBe('1001'); // limit 16, one ack
    expect(hex.slice(82, 114)).toBe(V.messageId);
    const body = bytes.subarray(0, bytes.length - 64);
    const edPub = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), lkp.publicKey]), format: 'der', type: 'spki' });
    expect(verify(null, concatBytes(LABEL.signedRequest, h('serverSigningPublic'), body), edPub, bytes.subarray(bytes.length - 64))).toBe(true);
    const decoded = decodeRequest(bytes, h('serverSigningPublic'));
    expect(decoded.ok && decoded.value.kind === 'fetch' && decoded.value.counter).toBe(1_790_000_000_123);
  });

  it('stamp: SHA-256(label || relay key || tag || id || minute || nonce) has the leading zero bits', () => {
    const minute = Number(V.stampMinute);
    const nonce = h('stamp');
    const resource = concatBytes(h('mailboxTag'), h('messageId'));
    const tail = new Uint8Array(12);
    new DataView(tail.buffer).setUint32(0, minute);
    tail.set(nonce, 4);
    const digest = new Uint8Array(createHash('sha256').update(concatBytes(LABEL.stamp, h('serverSigningPublic'), resource, tail)).digest());
    expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(Number(V.stampBits));
    expect(checkStamp(s, h('serverSigningPublic'), resource, { minute, nonce }, Number(V.stampBits), minute)).toBe('ok');
    expect(checkStamp(s, h('serverSigningPublic'), resource, { minute, nonce }, Number(V.stampBits), minute + 11)).toBe('stale');
  });

  it('descriptor decodes, verifies and names its URL', () => {
    const d = decodeServerDescriptor(s, h('descriptor'));
    expect(d.ok && d.value.urls).toEqual(['http://127.0.0.1:8470']);
    expect(d.ok && toHex(d.value.server.agreement)).toBe(V.serverAgreementPublic);
    const bad = h('descriptor');
    bad[70]! ^= 1;
    expect(decodeServerDescriptor(s, bad).ok).toBe(false);
  });
});
