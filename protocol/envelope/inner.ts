/**
 * The plaintext inside a 1:1 envelope's ciphertext. Its first byte says what
 * the message carries, so relays (who only see ciphertext) cannot tell a
 * text from an acknowledgement or a key rotation.
 *
 *   byte 0   bit 7     reserved, must be 0
 *            bit 6     L: Lkp rotation present (new lookup public key, Ed25519)
 *            bit 5     E: Ekp rotation present (new encryption public key, X25519)
 *            bit 4     A: acknowledgement block present
 *            bits 3-0  body type: 0 none, 1 text (UTF-8), 2 data (opaque bytes)
 *   [A]      u8 count (1..16), then count x { u8 epoch (low byte), u24 counter }
 *   [E]      32 bytes
 *   [L]      32 bytes
 *   body     the rest: strict UTF-8 for text, bytes for data, empty for none
 *
 * A rotation "rides inside a user message" (whitepaper 2.3-2.4) by setting
 * E or L beside a text body; an ack-only or rotation-ack message has body
 * type none.
 */
import { utf8 } from '../codec/bytes.ts';
import { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ByteWriter } from '../codec/writer.ts';
import { KEY_BYTES } from '../crypto/suite.ts';
import { EnvelopeError } from './errors.ts';
import { fromUtf8Exact } from './utf8.ts';

export const MAX_ACKS_PER_MESSAGE = 16;
const FLAG_ACKS = 0x10;
const FLAG_EKP = 0x20;
const FLAG_LKP = 0x40;
const FLAG_RESERVED = 0x80;

export const BodyType = { none: 0, text: 1, data: 2 } as const;

export type InnerBody =
  | { readonly type: 'none' }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'data'; readonly bytes: Uint8Array };

/** A message acknowledged: epoch low byte and counter of the peer's message. */
export interface AckRef {
  readonly epochByte: number;
  readonly counter: number;
}

export interface InnerMessage {
  readonly body: InnerBody;
  readonly acks: readonly AckRef[];
  /** A new Ekp public key (X25519) proposed by the sender. */
  readonly encryptionKey?: Uint8Array | undefined;
  /** A new Lkp public key (Ed25519) proposed by the sender. */
  readonly lookupKey?: Uint8Array | undefined;
}

function checkKey(what: string, key: Uint8Array | undefined): void {
  if (key !== undefined && key.length !== KEY_BYTES) throw new EnvelopeError('bad-argument', `${what} must be ${KEY_BYTES} bytes`);
}

export function encodeInner(m: InnerMessage): Uint8Array {
  if (m.acks.length > MAX_ACKS_PER_MESSAGE) {
    throw new EnvelopeError('bad-argument', `at most ${MAX_ACKS_PER_MESSAGE} acks per message`);
  }
  checkKey('encryption key', m.encryptionKey);
  checkKey('lookup key', m.lookupKey);
  const body = m.body.type === 'text' ? utf8(m.body.text) : m.body.type === 'data' ? m.body.bytes : new Uint8Array(0);
  let flags: number = BodyType[m.body.type];
  if (m.acks.length > 0) flags |= FLAG_ACKS;
  if (m.encryptionKey) flags |= FLAG_EKP;
  if (m.lookupKey) flags |= FLAG_LKP;
  const w = new ByteWriter(1 + 4 * m.acks.length + 65 + body.length);
  w.u8(flags);
  if (m.acks.length > 0) {
    w.u8(m.acks.length);
    for (const a of m.acks) w.u8(a.epochByte).u24(a.counter);
  }
  if (m.encryptionKey) w.bytes(m.encryptionKey);
  if (m.lookupKey) w.bytes(m.lookupKey);
  return w.bytes(body).finish();
}

/** Strict: reserved bit, unknown body type, bad ack count, invalid UTF-8 and a body on type none are refused. */
export function decodeInner(bytes: Uint8Array, baseOffset = 0): DecodeResult<InnerMessage> {
  const r = new ByteReader(bytes, baseOffset);
  const flags = r.u8('inner type');
  if (r.failed) return r.error!;
  if (flags & FLAG_RESERVED) return fail('bad-value', baseOffset, 'reserved inner flag set');
  const bodyCode = flags & 0x0f;
  if (bodyCode > BodyType.data) return fail('bad-kind', baseOffset, `unknown body type ${bodyCode}`);
  const acks: AckRef[] = [];
  if (flags & FLAG_ACKS) {
    const countAt = r.offset;
    const count = r.u8('ack count');
    if (r.failed) return r.error!;
    if (count < 1 || count > MAX_ACKS_PER_MESSAGE) return fail('bad-value', countAt, `ack count ${count} not in 1..${MAX_ACKS_PER_MESSAGE}`);
    for (let i = 0; i < count; i++) {
      const epochByte = r.u8('ack epoch');
      const counter = r.u24('ack counter');
      if (r.failed) return r.error!;
      acks.push({ epochByte, counter });
    }
  }
  const encryptionKey = flags & FLAG_EKP ? r.copy(KEY_BYTES, 'Ekp rotation') : undefined;
  const lookupKey = flags & FLAG_LKP ? r.copy(KEY_BYTES, 'Lkp rotation') : undefined;
  if (r.failed) return r.error!;
  const bodyAt = r.offset;
  const rest = r.rest();
  let body: InnerBody;
  if (bodyCode === BodyType.text) {
    const text = fromUtf8Exact(rest);
    if (text === undefined) return fail('bad-encoding', bodyAt, 'text is not valid UTF-8');
    body = { type: 'text', text };
  } else if (bodyCode === BodyType.data) {
    body = { type: 'data', bytes: rest };
  } else {
    if (rest.length !== 0) return fail('trailing-bytes', bodyAt, 'body type none with a body');
    body = { type: 'none' };
  }
  return ok({ body, acks, encryptionKey, lookupKey });
}
