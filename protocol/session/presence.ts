/**
 * Presence through a session (envelope layout: protocol/envelope/presence.ts).
 * The address is sealed with the presence key of the epoch I send under, so
 * only the peer reads it; it is filed under my own current mailbox tag, the
 * one the peer already writes to.
 */
import { type OpenResult, openFail } from '../envelope/errors.ts';
import {
  MAX_PRESENCE_ADDRESS_BYTES, PRESENCE_HEADER_BYTES, decodePresence, presenceHeader,
} from '../envelope/presence.ts';
import { fromUtf8Exact } from '../envelope/utf8.ts';
import { concatBytes, utf8 } from '../codec/bytes.ts';
import { AEAD_TAG_BYTES, type CryptoSuite, XAEAD_NONCE_BYTES } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';
import { SessionError } from './errors.ts';
import { mailboxTag } from './key-schedule.ts';
import type { Session } from './session.ts';

export interface Presence {
  readonly address: string;
  readonly expiresAtSeconds: number;
}

export function sealPresence(
  suite: CryptoSuite, session: Session, address: string, expiresAtMs: number, random: RandomSource,
): Uint8Array {
  const s = session.exportState();
  const body = utf8(address);
  if (body.length > MAX_PRESENCE_ADDRESS_BYTES) {
    throw new SessionError('content-too-long', `address of ${body.length} bytes exceeds ${MAX_PRESENCE_ADDRESS_BYTES}`);
  }
  const epoch = s.next?.origin === 'theirs' ? s.next.epoch : s.current;
  const nonce = random.bytes(XAEAD_NONCE_BYTES);
  const header = presenceHeader(mailboxTag(suite, s.mailboxes.current.publicKey), Math.floor(expiresAtMs / 1000), nonce);
  return concatBytes(header, suite.xaeadSeal(epoch.keys.presenceSendKey, nonce, body, header));
}

/** Opens the peer's presence: its mailbox tag, a key of a live epoch, and an unexpired time to live. */
export function openPresence(suite: CryptoSuite, session: Session, bytes: Uint8Array, nowMs: number): OpenResult<Presence> {
  const d = decodePresence(bytes);
  if (!d.ok) return d;
  const p = d.value;
  const peerTag = session.peerMailboxTag;
  if (p.mailboxTag.length !== peerTag.length || !p.mailboxTag.every((b, i) => b === peerTag[i])) {
    return openFail('unknown-mailbox', 1, 'presence of another mailbox');
  }
  const s = session.exportState();
  for (const epoch of [s.current, s.next?.epoch, s.previous?.epoch]) {
    if (!epoch) continue;
    const plain = suite.xaeadOpen(epoch.keys.presenceReceiveKey, p.nonce, p.sealed, p.header);
    if (!plain) continue;
    if (nowMs >= p.expiresAtSeconds * 1000) return openFail('expired', 7, 'presence has expired');
    const address = fromUtf8Exact(plain);
    if (address === undefined) return openFail('bad-encoding', PRESENCE_HEADER_BYTES, 'address is not valid UTF-8');
    return { ok: true, value: { address, expiresAtSeconds: p.expiresAtSeconds } };
  }
  return openFail('bad-mac', bytes.length - AEAD_TAG_BYTES, 'no key of this session authenticates the presence');
}
