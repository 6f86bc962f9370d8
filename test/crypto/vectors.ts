/** Loads a vector file from test/vectors/crypto. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../../protocol/codec/bytes.ts';

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../vectors/crypto/${file}`, import.meta.url), 'utf8')) as T;
}

export function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (!bytes) throw new Error(`bad hex in vector file: ${text.slice(0, 16)}...`);
  return bytes;
}
