/**
 * The direct path's datagrams (docs/PROTOCOL.md, "Presence and direct
 * messaging"): a sealed envelope sent straight to a contact's node, and that
 * node's answer. The envelope is the same bytes a relay or a mesh node would
 * carry; the node that receives it files it in the mailbox it names and the
 * agent opens it with the session (tag, AEAD, replay window), exactly as
 * it would open one fetched from a relay. The datagram adds no
 * authentication of its own: it needs none, the envelope carries it.
 *
 *   envelope   offset 0      1
 *              +------+-------------------------------+
 *              | 0x01 | envelope (1..8192 bytes)       |
 *              +------+-------------------------------+
 *
 *   answer     offset 0      1        2                           18
 *              +------+--------+----------------------------------+
 *              | 0x02 | status | envelope id (SHA-256[0..16])     |
 *              +------+--------+----------------------------------+
 *   status: 0 stored, 1 duplicate (already held or seen: a replay),
 *           2 unknown mailbox (no agent here watches it), 3 malformed,
 *           4 busy (the sender's budget is spent)
 *
 * For two nodes behind NATs (hole punching, docs/PROTOCOL.md), three more:
 *
 *   punch      0x03 | token 16
 *              sent by each node to the other's observed address at the same
 *              time, so that each NAT has seen an outgoing packet to the
 *              other before the other's arrives; counted, never answered
 *   observe    0x10 | token 16 | zero padding to 36 bytes
 *              to a relay's address reflector (gateway/server/reflector.ts)
 *   observed   0x11 | token 16 | family u8 (4 or 6) | port u16 | address 4 or 16
 *              the source address and port the reflector saw; the request is
 *              padded to the largest answer, so a reflector never sends more
 *              than it received
 *
 * The answer names the envelope by its id, so a sender with several
 * envelopes in flight to one node matches each answer to its envelope; an
 * answer for an envelope not in flight is ignored.
 */
import { type DecodeResult, fail, ok } from '../../protocol/codec/result.ts';
import { ENVELOPE_ID_BYTES } from '../../protocol/envelope/envelope-id.ts';
import { MAX_ENVELOPE_BYTES } from '../../protocol/envelope/kinds.ts';

export const DIRECT_ENVELOPE = 0x01;
export const DIRECT_ANSWER = 0x02;
export const DIRECT_ANSWER_BYTES = 2 + ENVELOPE_ID_BYTES;
export const DIRECT_PUNCH = 0x03;
export const DIRECT_OBSERVE = 0x10;
export const DIRECT_OBSERVED = 0x11;
export const TOKEN_BYTES = 16;
/** observe is padded to this: the largest observed answer (IPv6). */
export const OBSERVE_BYTES = 1 + TOKEN_BYTES + 1 + 2 + 16;

export const DIRECT_STATUSES = ['stored', 'duplicate', 'unknown-mailbox', 'malformed', 'busy'] as const;
export type DirectStatus = (typeof DIRECT_STATUSES)[number];

export type DirectDatagram =
  | { readonly type: 'envelope'; readonly envelope: Uint8Array }
  | { readonly type: 'answer'; readonly status: DirectStatus; readonly envelopeId: Uint8Array }
  | { readonly type: 'punch'; readonly token: Uint8Array }
  | { readonly type: 'observe'; readonly token: Uint8Array }
  | { readonly type: 'observed'; readonly token: Uint8Array; readonly host: string; readonly port: number };

export function encodePunch(token: Uint8Array): Uint8Array {
  checkToken(token);
  return Uint8Array.of(DIRECT_PUNCH, ...token);
}

export function encodeObserve(token: Uint8Array): Uint8Array {
  checkToken(token);
  const out = new Uint8Array(OBSERVE_BYTES);
  out[0] = DIRECT_OBSERVE;
  out.set(token, 1);
  return out;
}

/** `host` is an IPv4 dotted quad or an IPv6 address in Node's text form (as dgram's RemoteInfo gives it). */
export function encodeObserved(token: Uint8Array, host: string, port: number): Uint8Array {
  checkToken(token);
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d: they are IPv4.
  const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1] ?? host;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(plain);
  if (v4 && v4.slice(1).some((o) => Number(o) > 255)) throw new RangeError(`direct: not an IP address: ${host}`);
  const address = v4 ? Uint8Array.from(v4.slice(1).map(Number)) : ipv6Bytes(plain);
  const out = new Uint8Array(1 + TOKEN_BYTES + 3 + address.length);
  out[0] = DIRECT_OBSERVED;
  out.set(token, 1);
  out[1 + TOKEN_BYTES] = v4 ? 4 : 6;
  new DataView(out.buffer).setUint16(2 + TOKEN_BYTES, port);
  out.set(address, 4 + TOKEN_BYTES);
  return out;
}

function checkToken(token: Uint8Array): void {
  if (token.length !== TOKEN_BYTES) throw new RangeError(`direct: a token is ${TOKEN_BYTES} bytes`);
}

function ipv6Bytes(host: string): Uint8Array {
  const [head, tail] = host.split('::') as [string, string | undefined];
  const groups = (part: string | undefined): number[] => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) throw new RangeError(`direct: not an IP address: ${host}`);
  const out = new Uint8Array(16);
  all.forEach((g, i) => new DataView(out.buffer).setUint16(i * 2, g));
  return out;
}

function ipv6Text(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Array.from({ length: 8 }, (_, i) => view.getUint16(i * 2).toString(16)).join(':');
}

export function encodeDirectEnvelope(envelope: Uint8Array): Uint8Array {
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new RangeError(`direct: an envelope is 1..${MAX_ENVELOPE_BYTES} bytes`);
  const out = new Uint8Array(1 + envelope.length);
  out[0] = DIRECT_ENVELOPE;
  out.set(envelope, 1);
  return out;
}

export function encodeDirectAnswer(status: DirectStatus, envelopeId: Uint8Array): Uint8Array {
  if (envelopeId.length !== ENVELOPE_ID_BYTES) throw new RangeError(`direct: an envelope id is ${ENVELOPE_ID_BYTES} bytes`);
  const out = new Uint8Array(DIRECT_ANSWER_BYTES);
  out[0] = DIRECT_ANSWER;
  out[1] = DIRECT_STATUSES.indexOf(status);
  out.set(envelopeId, 2);
  return out;
}

/** Hostile bytes give a result, never an exception; the envelope is a view into `bytes`. */
export function decodeDirectDatagram(bytes: Uint8Array): DecodeResult<DirectDatagram> {
  if (bytes.length === 0) return fail('truncated', 0, 'empty datagram');
  if (bytes[0] === DIRECT_ENVELOPE) {
    if (bytes.length === 1) return fail('truncated', 1, 'direct datagram without an envelope');
    if (bytes.length - 1 > MAX_ENVELOPE_BYTES) return fail('too-long', 1 + MAX_ENVELOPE_BYTES, `envelope exceeds ${MAX_ENVELOPE_BYTES} bytes`);
    return ok({ type: 'envelope', envelope: bytes.subarray(1) });
  }
  if (bytes[0] === DIRECT_ANSWER) {
    if (bytes.length < DIRECT_ANSWER_BYTES) return fail('truncated', bytes.length, `an answer is ${DIRECT_ANSWER_BYTES} bytes`);
    if (bytes.length > DIRECT_ANSWER_BYTES) return fail('trailing-bytes', DIRECT_ANSWER_BYTES, `an answer is ${DIRECT_ANSWER_BYTES} bytes`);
    const status = DIRECT_STATUSES[bytes[1]!];
    if (!status) return fail('bad-value', 1, `unknown answer status ${bytes[1]}`);
    return ok({ type: 'answer', status, envelopeId: bytes.slice(2) });
  }
  if (bytes[0] === DIRECT_PUNCH || bytes[0] === DIRECT_OBSERVE) {
    const size = bytes[0] === DIRECT_PUNCH ? 1 + TOKEN_BYTES : OBSERVE_BYTES;
    if (bytes.length < size) return fail('truncated', bytes.length, `a ${bytes[0] === DIRECT_PUNCH ? 'punch' : 'observe'} is ${size} bytes`);
    if (bytes.length > size) return fail('trailing-bytes', size, `a ${bytes[0] === DIRECT_PUNCH ? 'punch' : 'observe'} is ${size} bytes`);
    return ok({ type: bytes[0] === DIRECT_PUNCH ? 'punch' : 'observe', token: bytes.slice(1, 1 + TOKEN_BYTES) });
  }
  if (bytes[0] === DIRECT_OBSERVED) {
    if (bytes.length < 4 + TOKEN_BYTES) return fail('truncated', bytes.length, 'observed: header');
    const family = bytes[1 + TOKEN_BYTES];
    if (family !== 4 && family !== 6) return fail('bad-value', 1 + TOKEN_BYTES, `unknown address family ${family}`);
    const size = 4 + TOKEN_BYTES + (family === 4 ? 4 : 16);
    if (bytes.length < size) return fail('truncated', bytes.length, `observed: IPv${family} address`);
    if (bytes.length > size) return fail('trailing-bytes', size, 'observed: bytes after the address');
    const address = bytes.subarray(4 + TOKEN_BYTES, size);
    const host = family === 4 ? Array.from(address).join('.') : ipv6Text(address);
    const port = new DataView(bytes.buffer, bytes.byteOffset).getUint16(2 + TOKEN_BYTES);
    return ok({ type: 'observed', token: bytes.slice(1, 1 + TOKEN_BYTES), host, port });
  }
  return fail('bad-kind', 0, `unknown direct datagram type 0x${bytes[0]!.toString(16).padStart(2, '0')}`);
}
