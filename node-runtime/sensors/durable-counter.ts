/**
 * The sensor relay's message counter, durable across restarts and power
 * cuts: the nonce of a sealed sensor envelope is its counter, so a counter
 * used twice under one key would reuse a ChaCha20-Poly1305 nonce (and the
 * collector would refuse the second as a replay anyway).
 *
 * Counters are reserved in blocks: the file holds the first counter not yet
 * reserved, written (temporary file, fsync, rename, fsync of the directory)
 * before any counter of the block is handed out. A restart starts at the
 * file's value, skipping at most a block's unused counters, and the SD card
 * sees one write per `block` envelopes instead of one per envelope.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { NodeRuntimeError } from '../errors.ts';
import type { SensorCounter } from './sensor-relay.ts';

const MAX_COUNTER = 0xffffffff;

export class SensorCounterError extends NodeRuntimeError<'sensor-counter'> {
  override readonly name = 'SensorCounterError';
  constructor(message: string, fields: Record<string, unknown> = {}) {
    super('sensor-counter', message, fields);
  }
}

function readReserved(path: string): number {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new SensorCounterError(`cannot read the sensor counter ${path}: ${(e as Error).message}`, { path });
  }
  const value = Number(text.trim());
  // A damaged file must not restart the counter at 0 (nonce reuse): refuse to send instead.
  if (!/^\d+$/.test(text.trim()) || value > MAX_COUNTER + 1) {
    throw new SensorCounterError(`the sensor counter ${path} is damaged ("${text.trim().slice(0, 20)}"): `
      + 'a new counter needs a new sensor key (give the sensor and its collector a new keyHex)', { path });
  }
  return value;
}

function writeDurably(path: string, value: number): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${value}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export class FileSensorCounter implements SensorCounter {
  private nextValue: number;
  private reservedUpTo: number;

  constructor(private readonly path: string, private readonly block = 64) {
    if (!Number.isInteger(block) || block < 1) throw new RangeError('block must be a positive integer');
    this.nextValue = readReserved(path);
    this.reservedUpTo = this.nextValue;
  }

  async next(): Promise<number> {
    if (this.nextValue > MAX_COUNTER) {
      throw new SensorCounterError('the sensor counter is exhausted (2^32 envelopes): give the sensor and its collector a new keyHex');
    }
    if (this.nextValue >= this.reservedUpTo) {
      const upTo = Math.min(this.nextValue + this.block, MAX_COUNTER + 1);
      writeDurably(this.path, upTo);
      this.reservedUpTo = upTo;
    }
    return this.nextValue++;
  }
}
