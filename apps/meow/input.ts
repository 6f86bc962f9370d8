/**
 * Reads an object given on the command line: a file path or "-" for stdin,
 * holding raw bytes, armoured text, the QR text ("MEOW:..."), or hex.
 */
import { readFile, stat } from 'node:fs/promises';
import { fromHex, fromUtf8 } from '../../protocol/codec/bytes.ts';
import { type DecodeResult, describeError, fail, ok } from '../../protocol/codec/result.ts';
import { dearmor, looksArmored } from '../../protocol/card/armor.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { fromQrText, looksLikeQrText } from '../../protocol/card/qr-text.ts';
import type { Card } from '../../protocol/card/types.ts';
import { badInput } from './errors.ts';
import { type CliIo, inputTooLarge, MAX_INPUT_BYTES, resolvePath } from './io.ts';

export type InputForm = 'binary' | 'text' | 'armor' | 'qr-text' | 'hex';

export interface InputBytes {
  readonly form: InputForm;
  readonly bytes: Uint8Array;
  /** The armour label, for armoured input. */
  readonly label?: string;
}

export async function readSource(io: CliIo, source: string): Promise<Uint8Array> {
  if (source === '-') return io.readStdin();
  const path = resolvePath(io, source);
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw badInput(`cannot read ${source}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (info.isDirectory()) throw badInput(`${source} is a directory: give a file (or - for standard input)`);
  if (info.size > MAX_INPUT_BYTES) throw inputTooLarge(source);
  return new Uint8Array(await readFile(path));
}

/** Printable UTF-8 (tabs and line ends allowed): shown as "text", not "binary", when no textual form matches. */
const PRINTABLE_TEXT = /^[^\p{Cc}]*$/u;
const isPrintable = (text: string): boolean => PRINTABLE_TEXT.test(text.replace(/[\t\r\n]/g, ''));

/** Recognises the textual forms; other printable text is "text", anything else raw bytes. */
export function decodeInput(raw: Uint8Array): DecodeResult<InputBytes> {
  if (raw.length === 0) return fail('truncated', 0, 'empty input');
  const text = fromUtf8(raw);
  if (text !== undefined) {
    if (looksArmored(text)) {
      const d = dearmor(text);
      return d.ok ? ok({ form: 'armor', bytes: d.value.bytes, label: d.value.label }) : d;
    }
    if (looksLikeQrText(text)) {
      const d = fromQrText(text);
      return d.ok ? ok({ form: 'qr-text', bytes: d.value }) : d;
    }
    if (/^[\s0-9a-fA-F]+$/.test(text)) {
      const bytes = fromHex(text);
      return bytes ? ok({ form: 'hex', bytes }) : fail('bad-encoding', 0, 'odd number of hex digits');
    }
    if (isPrintable(text)) return ok({ form: 'text', bytes: raw });
  }
  return ok({ form: 'binary', bytes: raw });
}

/** Reads and verifies a card in any input form; exit 2 with the decoder's reason otherwise. */
export async function readCard(io: CliIo, source: string): Promise<Card> {
  const input = decodeInput(await readSource(io, source));
  if (!input.ok) throw badInput(`${source}: unreadable input: ${describeError(input)}`);
  const card = decodeCard(io.suite, input.value.bytes);
  if (!card.ok) throw badInput(`${source}: not a valid Meow card: ${describeError(card)}`);
  return card.value;
}
