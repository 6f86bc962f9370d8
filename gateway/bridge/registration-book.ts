/**
 * Keeps the registrations a gateway accepted across restarts: each is kept
 * as it arrived, sealed to the gateway's node key, in one file written
 * atomically (temp file, fsync, rename). The file holds lookup keys once
 * opened with the node key, which lives on the same disk: a seized gateway
 * gives them up (docs/THREAT-MODEL.md, "Gateway nodes").
 *
 *   file   = record*
 *   record = length (u16, big-endian) | sealed registration
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class RegistrationBook {
  private readonly records = new Map<string, Uint8Array>();

  constructor(private readonly path: string) {}

  /** Reads the file; a missing file is an empty book, a damaged tail is ignored (it was never acknowledged). */
  load(): Uint8Array[] {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: Uint8Array[] = [];
    for (let at = 0; at + 2 <= bytes.length;) {
      const length = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
      if (length === 0 || at + 2 + length > bytes.length) break;
      out.push(new Uint8Array(bytes.subarray(at + 2, at + 2 + length)));
      at += 2 + length;
    }
    return out;
  }

  /** Replaces the record kept under `key` (the lookup public key, hex) and rewrites the file. */
  put(key: string, sealed: Uint8Array): void {
    if (sealed.length === 0 || sealed.length > 0xffff) throw new RangeError('sealed registration must be 1..65535 bytes');
    this.records.set(key, sealed.slice());
    this.save();
  }

  delete(key: string): void {
    if (this.records.delete(key)) this.save();
  }

  /** Rewrites the file with the records kept now (drops what load() found but nobody put back). */
  save(): void {
    const parts: Uint8Array[] = [];
    for (const r of this.records.values()) parts.push(new Uint8Array([r.length >> 8, r.length & 0xff]), r);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const p of parts) writeSync(fd, p);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
