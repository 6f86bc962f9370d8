/**
 * An answer card dropped into the mailbox of the invitation it answers, for
 * invitations met where no hand can carry the answer back: a "free for
 * chat" directory entry (whitepaper 1.9). Only the invitation's author can
 * open it (sealed to the invitation's Ekp with a fresh X25519 key), and it
 * travels as an ordinary 1:1 envelope to the invitation's mailbox, so relays
 * and mesh nodes file and carry it like any message:
 *
 *   offset 0      1           7             10               42                len-16    len
 *          +------+-----------+-------------+----------------+-----------------+---------+
 *          | 0x11 | mailbox   | 3 random    | ephemeral      | sealed answer   | AEAD    |
 *          |      | tag (Lkp) | bytes       | X25519 public  | card            | tag     |
 *          +------+-----------+-------------+----------------+-----------------+---------+
 *   key = HKDF-SHA-256(ikm = X25519(ephemeral, invitation Ekp),
 *                      salt = "meow/answer-drop/v1", info = ephemeral public || Ekp public)
 *   nonce = 12 zero bytes (the key is used once); associated data = bytes 0..42
 *
 * The 3 random bytes stand where a direct envelope's masked counter is, so
 * the drop has the shape of a direct envelope (protocol/envelope/direct.ts).
 * Opening proves nothing about who dropped it: the answer card inside is
 * signed and must bind to the invitation (protocol/card/binding.ts), and an
 * invitation takes one answer only.
 */
import { concatBytes, utf8 } from '../../protocol/codec/bytes.ts';
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, type CryptoSuite } from '../../protocol/crypto/suite.ts';
import { DIRECT_HEADER_BYTES } from '../../protocol/envelope/direct.ts';
import { EnvelopeKind, MAX_ENVELOPE_BYTES, versionKindByte } from '../../protocol/envelope/kinds.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import type { InviteCard } from '../../protocol/card/types.ts';
import { SocialError } from './errors.ts';

const SALT = utf8('meow/answer-drop/v1');
const KEY_BYTES = 32;
const HEAD_BYTES = DIRECT_HEADER_BYTES + KEY_BYTES;

function dropKey(suite: CryptoSuite, shared: Uint8Array, ephemeral: Uint8Array, ekp: Uint8Array): Uint8Array {
  return suite.hkdf(shared, SALT, concatBytes(ephemeral, ekp), KEY_BYTES);
}

/** Seals `answer` for the author of `invite`, addressed to the invitation's mailbox. */
export function sealAnswerDrop(suite: CryptoSuite, random: RandomSource, invite: InviteCard, answer: Uint8Array): Uint8Array {
  if (HEAD_BYTES + answer.length + AEAD_TAG_BYTES > MAX_ENVELOPE_BYTES) throw new SocialError('bad-argument', `an answer card of ${answer.length} bytes does not fit one envelope`);
  const secret = random.bytes(KEY_BYTES);
  try {
    const ephemeral = suite.x25519PublicKey(secret);
    const shared = suite.x25519(secret, invite.encryptionKey);
    if (!shared) throw new SocialError('bad-argument', 'the invitation carries an unusable encryption key');
    const head = concatBytes(Uint8Array.of(versionKindByte(EnvelopeKind.direct)), mailboxTag(suite, invite.mailboxId), random.bytes(3), ephemeral);
    const sealed = suite.aeadSeal(dropKey(suite, shared, ephemeral, invite.encryptionKey), new Uint8Array(AEAD_NONCE_BYTES), answer, head);
    shared.fill(0);
    return concatBytes(head, sealed);
  } finally {
    secret.fill(0);
  }
}

/** The answer card inside a drop for my invitation (its Ekp secret), or undefined: not a drop, or not for this key. */
export function openAnswerDrop(suite: CryptoSuite, encryptionSecret: Uint8Array, envelope: Uint8Array): Uint8Array | undefined {
  if (envelope.length < HEAD_BYTES + AEAD_TAG_BYTES + 1 || envelope[0] !== versionKindByte(EnvelopeKind.direct)) return undefined;
  const head = envelope.subarray(0, HEAD_BYTES);
  const ephemeral = head.subarray(DIRECT_HEADER_BYTES);
  const shared = suite.x25519(encryptionSecret, ephemeral);
  if (!shared) return undefined;
  const key = dropKey(suite, shared, ephemeral, suite.x25519PublicKey(encryptionSecret));
  shared.fill(0);
  const opened = suite.aeadOpen(key, new Uint8Array(AEAD_NONCE_BYTES), envelope.subarray(HEAD_BYTES), head);
  key.fill(0);
  return opened;
}

