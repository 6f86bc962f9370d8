/**
 * How an answer card is bound to the invite it answers, so that an answer
 * meant for someone else (a "foreign" answer) is refused:
 *
 *   inviteHash = SHA-256("meow-card-invite-v1" || 0x00 || invite card bytes)[0..16)
 *
 * The hash covers the whole signed invite, signature included, so the
 * answer names exactly the card its author scanned. 128 bits leave a
 * second preimage out of reach; the invite's author cannot gain anything by
 * a collision between two of its own invites.
 */
import { concatBytes, constantTimeEqual, utf8 } from '../codec/bytes.ts';
import { fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { CardCheckResult } from './errors.ts';
import { type AnswerCard, type Card, CARD_OFFSETS, INVITE_HASH_BYTES, type InviteCard } from './types.ts';

const INVITE_HASH_DOMAIN = concatBytes(utf8('meow-card-invite-v1'), new Uint8Array([0]));

export function inviteHash(suite: CryptoSuite, inviteBytes: Uint8Array): Uint8Array {
  return suite.sha256(concatBytes(INVITE_HASH_DOMAIN, inviteBytes)).slice(0, INVITE_HASH_BYTES);
}

/**
 * Checks that a decoded (hence signature-checked) card is an answer to our
 * invite. Both cards must come from decodeCard or the encoders.
 */
export function checkAnswer(suite: CryptoSuite, answer: Card, invite: InviteCard): CardCheckResult<AnswerCard> {
  if (answer.kind !== 'answer') return fail('bad-kind', 3, 'expected an answer card, got an invite');
  if (!constantTimeEqual(answer.inviteHash, inviteHash(suite, invite.bytes))) {
    return {
      ok: false,
      code: 'foreign',
      offset: CARD_OFFSETS.inviteHash,
      message: 'this answer card answers another invite, not ours',
    };
  }
  return ok(answer);
}
