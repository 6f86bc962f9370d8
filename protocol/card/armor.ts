/**
 * ASCII armour for binary objects (cards here; envelopes may reuse it),
 * for files and copy-paste, in the spirit of OpenPGP armour (RFC 4880
 * section 6.2):
 *
 *   -----BEGIN MEOW CARD-----
 *   <base64 of the bytes, 64 characters per line>
 *   =<4 base64 characters: the first 3 bytes of SHA-256(bytes)>
 *   -----END MEOW CARD-----
 *
 * Tolerant of whitespace: CRLF or LF, blank lines, indentation, spaces
 * inside base64 lines, any line width. Strict on content: one BEGIN and one
 * matching END, nothing else but whitespace around them, canonical base64
 * (RFC 4648 section 4 with padding, zero pad bits), the checksum line
 * required and matching. The checksum catches copy-paste damage with a clear
 * message; integrity against tampering comes from the card's signature.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';
import { constantTimeEqual } from '../codec/bytes.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';

export const ARMOR_LINE_CHARS = 64;
/** Longest armoured text accepted (a maximal card armours to under 2.6 KiB). */
export const MAX_ARMOR_CHARS = 16_384;
const CHECKSUM_BYTES = 3;
const LABEL = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;

export interface Armored {
  readonly label: string;
  readonly bytes: Uint8Array;
}

function checksum(bytes: Uint8Array): Uint8Array {
  return sha256(bytes).slice(0, CHECKSUM_BYTES);
}

export function armor(label: string, bytes: Uint8Array): string {
  if (!LABEL.test(label)) throw new TypeError(`armour label must be uppercase words: ${label}`);
  const body = base64.encode(bytes);
  const lines = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < body.length; i += ARMOR_LINE_CHARS) lines.push(body.slice(i, i + ARMOR_LINE_CHARS));
  lines.push(`=${base64.encode(checksum(bytes))}`, `-----END ${label}-----`, '');
  return lines.join('\n');
}

/** True when the text looks like armour (so a caller can choose this decoder). */
export function looksArmored(text: string): boolean {
  return /^\s*-----BEGIN [A-Z0-9 ]+-----/.test(text);
}

interface Line {
  readonly text: string;
  readonly offset: number;
}

function nonEmptyLines(text: string): Line[] {
  const out: Line[] = [];
  let offset = 0;
  // The capture group keeps the separators in the split, so offsets stay exact.
  const parts = text.split(/(\r\n|\r|\n)/);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i % 2 === 0) {
      const trimmed = part.trim();
      if (trimmed !== '') out.push({ text: trimmed, offset: offset + part.indexOf(trimmed) });
    }
    offset += part.length;
  }
  return out;
}

export function dearmor(text: string, expectedLabel?: string): DecodeResult<Armored> {
  if (text.length > MAX_ARMOR_CHARS) return fail('too-long', MAX_ARMOR_CHARS, `armoured text above ${MAX_ARMOR_CHARS} characters`);
  const lines = nonEmptyLines(text);
  const first = lines[0];
  if (!first) return fail('truncated', text.length, 'empty input: no armour');
  const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(first.text);
  if (!begin || !LABEL.test(begin[1] as string)) return fail('bad-encoding', first.offset, 'expected a "-----BEGIN ...-----" line');
  const label = begin[1] as string;
  if (expectedLabel !== undefined && label !== expectedLabel) {
    return fail('bad-kind', first.offset, `expected ${expectedLabel}, found ${label}`);
  }
  let i = 1;
  let body = '';
  for (; i < lines.length && !(lines[i] as Line).text.startsWith('=') && !(lines[i] as Line).text.startsWith('-----'); i++) {
    const line = lines[i] as Line;
    const compact = line.text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/=]+$/.test(compact)) return fail('bad-encoding', line.offset, 'invalid base64 character');
    body += compact;
  }
  const sumLine = lines[i];
  if (!sumLine) return fail('truncated', text.length, 'armour ends before its checksum line');
  if (!/^=[A-Za-z0-9+/]{4}$/.test(sumLine.text)) return fail('bad-encoding', sumLine.offset, 'expected a checksum line "=XXXX"');
  const endLine = lines[i + 1];
  if (!endLine) return fail('truncated', text.length, 'armour ends before its END line');
  if (endLine.text !== `-----END ${label}-----`) return fail('bad-encoding', endLine.offset, `expected "-----END ${label}-----"`);
  const extra = lines[i + 2];
  if (extra) return fail('trailing-bytes', extra.offset, 'text after the END line');

  let bytes: Uint8Array;
  try {
    bytes = base64.decode(body);
  } catch {
    return fail('bad-encoding', (lines[1] ?? first).offset, 'malformed base64 body');
  }
  const sum = base64.decode(sumLine.text.slice(1)); // 4 chars of the base64 alphabet always decode to 3 bytes
  if (!constantTimeEqual(sum, checksum(bytes))) {
    return fail('bad-checksum', sumLine.offset, 'armour checksum mismatch: the text was damaged in transit');
  }
  return ok({ label, bytes });
}
