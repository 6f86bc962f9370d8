/**
 * Strict UTF-8 for envelope texts. Not codec/bytes.ts fromUtf8: that decoder
 * strips a leading U+FEFF, so a text starting with a byte order mark would
 * not survive a round trip.
 */
const exactUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function fromUtf8Exact(bytes: Uint8Array): string | undefined {
  try {
    return exactUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
