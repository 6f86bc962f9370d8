/**
 * Card decoder (layout: protocol/card/types.ts). Never throws on hostile
 * bytes; every refusal is a DecodeResult with the offset of the problem:
 *   too-long       input above MAX_CARD_BYTES, or more than 8 servers
 *   bad-kind       wrong magic (not a card) or unknown kind / scheme code
 *   bad-version    a version this code does not speak
 *   truncated      input ends inside a field
 *   trailing-bytes bytes after the signature
 *   bad-value      a server URL that is invalid, not canonical, or listed twice
 *   bad-encoding   a URL that is not UTF-8
 *   bad-key        low-order or non-canonical X25519 key, invalid or small-order Ed25519 key
 *   bad-signature  the Ckp signature does not verify (tampered card)
 * Structure is checked first, keys next, the signature last (the costly step).
 */
import { constantTimeEqual } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { KEY_BYTES, SIGNATURE_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import { isAcceptableEd25519PublicKey, isAcceptableX25519PublicKey } from '../keys/validate.ts';
import { cardSigningInput } from './encode.ts';
import type { ServerUrl } from './server-url.ts';
import { readServerUrl } from './server-url.ts';
import {
  type Card, CARD_KINDS, CARD_MAGIC, CARD_OFFSETS, CARD_VERSION, type CardKind, INVITE_HASH_BYTES,
  MAX_CARD_BYTES, MAX_CARD_SERVERS,
} from './types.ts';

function kindOf(code: number): CardKind | undefined {
  if (code === CARD_KINDS.invite) return 'invite';
  if (code === CARD_KINDS.answer) return 'answer';
  return undefined;
}

export function decodeCard(suite: CryptoSuite, input: Uint8Array): DecodeResult<Card> {
  if (input.length > MAX_CARD_BYTES) return fail('too-long', MAX_CARD_BYTES, `a card is at most ${MAX_CARD_BYTES} bytes`);
  const r = new ByteReader(input);
  const magic = r.bytes(CARD_MAGIC.length, 'magic');
  if (r.error) return r.error;
  if (!constantTimeEqual(magic, CARD_MAGIC)) return fail('bad-kind', 0, 'not a Meow card (wrong magic)');
  const version = r.u8('version');
  if (r.error) return r.error;
  if (version !== CARD_VERSION) return fail('bad-version', 2, `card version ${version} is not supported`);
  const kind = kindOf(r.u8('kind'));
  if (r.error) return r.error;
  if (!kind) return fail('bad-kind', 3, 'unknown card kind');

  const signing = r.copy(KEY_BYTES, 'Ckp Ed25519 key');
  const agreement = r.copy(KEY_BYTES, 'Ckp X25519 key');
  const encryptionKey = r.copy(KEY_BYTES, 'Ekp key');
  const mailboxId = r.copy(KEY_BYTES, 'Lkp key (mailbox id)');
  const hash = kind === 'answer' ? r.copy(INVITE_HASH_BYTES, 'invite hash') : undefined;
  const countAt = r.offset;
  const count = r.u8('server count');
  if (r.error) return r.error;
  if (count > MAX_CARD_SERVERS) return fail('too-long', countAt, `${count} servers, at most ${MAX_CARD_SERVERS}`);
  const servers: ServerUrl[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const s = readServerUrl(r);
    if (!s || r.error) {
      const e = r.error ?? fail('bad-value', at, 'bad server entry');
      // A refused URL is reported at the start of its entry; truncation and caps where they happened.
      return e.code === 'truncated' || e.code === 'too-long' ? e : fail(e.code, at, `server ${i}: ${e.message}`);
    }
    if (seen.has(s.url)) return fail('bad-value', at, `server listed twice: ${s.url}`);
    seen.add(s.url);
    servers.push(s);
  }
  const signedLength = r.offset;
  const signature = r.copy(SIGNATURE_BYTES, 'signature');
  r.end('card');
  if (r.error) return r.error;

  if (!isAcceptableEd25519PublicKey(signing)) return fail('bad-key', CARD_OFFSETS.contactSigning, 'invalid Ckp Ed25519 key');
  if (!isAcceptableX25519PublicKey(suite, agreement)) return fail('bad-key', CARD_OFFSETS.contactAgreement, 'low-order or invalid Ckp X25519 key');
  if (!isAcceptableX25519PublicKey(suite, encryptionKey)) return fail('bad-key', CARD_OFFSETS.encryptionKey, 'low-order or invalid Ekp X25519 key');
  if (!isAcceptableEd25519PublicKey(mailboxId)) return fail('bad-key', CARD_OFFSETS.mailboxId, 'invalid Lkp Ed25519 key (mailbox id)');

  if (!suite.ed25519Verify(signing, cardSigningInput(input.subarray(0, signedLength)), signature)) {
    return fail('bad-signature', signedLength, 'the card signature does not verify: tampered or corrupted');
  }
  const bytes = input.slice();
  const contactKey = { role: 'contact' as const, signing, agreement };
  return kind === 'answer'
    ? ok({ kind, contactKey, encryptionKey, mailboxId, inviteHash: hash as Uint8Array, servers, signature, bytes })
    : ok({ kind, contactKey, encryptionKey, mailboxId, servers, signature, bytes });
}
