/** Reads and checks byte 0 (version | kind) for a decoder that expects one kind. */
import type { ByteReader } from '../codec/reader.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import { ENVELOPE_VERSION, kindName } from './kinds.ts';

/** Reads byte 0; a version we do not speak is 'bad-version', another kind 'bad-kind'. */
export function checkVersionKind(r: ByteReader, expectedKind: number): DecodeResult<number> {
  const at = r.offset;
  const b = r.u8('version/kind');
  if (r.failed) return r.error!;
  const version = b >> 4;
  const kind = b & 0x0f;
  if (version !== ENVELOPE_VERSION) return fail('bad-version', at, `envelope version ${version} is not ${ENVELOPE_VERSION}`);
  if (kind !== expectedKind) {
    return fail('bad-kind', at, `envelope kind ${kindName(kind) ?? kind} where ${kindName(expectedKind) ?? expectedKind} was expected`);
  }
  return ok(kind);
}
