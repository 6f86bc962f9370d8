/**
 * The payload of a card's QR code: "MEOW:" followed by the binary card in
 * base45 (RFC 9285). Every character is in the QR alphanumeric set (ISO/IEC
 * 18004 section 7.4.4: 0-9 A-Z space $ % * + - . / :), which packs 11 bits
 * per 2 characters: 8.25 bits per card byte, as dense as byte mode, and
 * text-safe for scanner apps that hand over a string. The largest card the
 * caps allow (1965 bytes, 2953 characters) fits QR version 40 at error
 * correction level M (3391 alphanumeric characters).
 */
import { decode as base45Decode, encode as base45Encode } from 'base45-ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';

export const QR_TEXT_PREFIX = 'MEOW:';
/** 3391 is the alphanumeric capacity of QR version 40-M. */
export const MAX_QR_TEXT_CHARS = 3391;

export function toQrText(bytes: Uint8Array): string {
  return QR_TEXT_PREFIX + base45Encode(bytes);
}

export function looksLikeQrText(text: string): boolean {
  return text.trimStart().startsWith(QR_TEXT_PREFIX);
}

/**
 * Strict: the prefix, then canonical base45 only (the library decoder
 * accepts out-of-range triples, so the result is re-encoded and compared).
 * Surrounding whitespace (a scanner's trailing newline) is ignored.
 */
export function fromQrText(text: string): DecodeResult<Uint8Array> {
  const t = text.trim();
  if (t.length > MAX_QR_TEXT_CHARS) return fail('too-long', MAX_QR_TEXT_CHARS, 'QR text longer than one QR code holds');
  if (!t.startsWith(QR_TEXT_PREFIX)) return fail('bad-kind', 0, `expected the "${QR_TEXT_PREFIX}" prefix`);
  const body = t.slice(QR_TEXT_PREFIX.length);
  let bytes: Uint8Array;
  try {
    bytes = base45Decode(body);
  } catch {
    return fail('bad-encoding', QR_TEXT_PREFIX.length, 'malformed base45');
  }
  if (base45Encode(bytes) !== body) return fail('bad-encoding', QR_TEXT_PREFIX.length, 'non-canonical base45');
  return ok(bytes);
}
