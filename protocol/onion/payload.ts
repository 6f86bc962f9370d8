/**
 * The final payload: what the last relay deposits in the contact's mailbox
 * (docs/PROTOCOL.md "Matriochka message packing").
 *
 *   0          2                          2+L                P
 *   +----------+--------------------------+------------------+
 *   | L u16 BE | deposit request L bytes  | zero padding     |
 *   |          | (0x01 | tag | flags ...) |                  |
 *   +----------+--------------------------+------------------+
 *
 * The deposit request is the relay protocol's own (protocol/server
 * request-encode.ts), so the last relay checks its pass or stamp exactly as
 * for a direct deposit. Padding is zeros: the payload is encrypted under
 * every hop's keystream, so the zeros are seen by the last relay only.
 */
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { REQUEST_KIND } from '../server/request-types.ts';
import { ONION_PAYLOAD_LENGTH_BYTES, type OnionClass } from './constants.ts';
import { OnionUsageError } from './errors.ts';

/** The largest deposit request a class carries. */
export function maxDepositBytes(c: OnionClass): number {
  return c.payloadBytes - ONION_PAYLOAD_LENGTH_BYTES;
}

export function encodeFinalPayload(c: OnionClass, depositRequest: Uint8Array): Uint8Array {
  if (depositRequest.length > maxDepositBytes(c)) {
    throw new OnionUsageError(`deposit of ${depositRequest.length} bytes exceeds class ${c.name} (${maxDepositBytes(c)})`);
  }
  if (depositRequest[0] !== REQUEST_KIND.deposit) throw new OnionUsageError('an onion carries a deposit request only');
  const out = new Uint8Array(c.payloadBytes);
  out[0] = depositRequest.length >>> 8;
  out[1] = depositRequest.length & 0xff;
  out.set(depositRequest, ONION_PAYLOAD_LENGTH_BYTES);
  return out;
}

/**
 * A cover packet's final payload (Loopix "drop" and "loop" messages): all
 * zeros, L = 0. The last relay drops it; every relay before sees a packet
 * of the class like any other (the payload is encrypted at every hop).
 */
export function coverPayload(c: OnionClass): Uint8Array {
  return new Uint8Array(c.payloadBytes);
}

export function isCoverPayload(payload: Uint8Array): boolean {
  return payload.every((b) => b === 0);
}

/** The deposit request inside a final payload; the relay decodes it as any request. */
export function decodeFinalPayload(payload: Uint8Array): DecodeResult<Uint8Array> {
  if (payload.length < ONION_PAYLOAD_LENGTH_BYTES) return fail('truncated', payload.length, 'payload shorter than its length field');
  const length = ((payload[0] as number) << 8) | (payload[1] as number);
  const end = ONION_PAYLOAD_LENGTH_BYTES + length;
  if (length === 0) return fail('bad-value', 0, 'empty deposit');
  if (end > payload.length) return fail('too-long', 0, `deposit of ${length} bytes overruns the payload`);
  if (payload[ONION_PAYLOAD_LENGTH_BYTES] !== REQUEST_KIND.deposit) return fail('bad-kind', ONION_PAYLOAD_LENGTH_BYTES, 'not a deposit');
  for (let i = end; i < payload.length; i++) if (payload[i] !== 0) return fail('trailing-bytes', i, 'non-zero padding');
  return ok(payload.slice(ONION_PAYLOAD_LENGTH_BYTES, end));
}
