/**
 * The node's own Ed25519 key (it signs announces; its hash is the node id).
 * Created on first start in the data directory with mode 0600, written
 * atomically. It is an infrastructure key, not a user identity: a seized
 * node reveals which node it was, not who talked through it.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { ConfigError } from './config.ts';

export interface NodeKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

const FILE = 'node.key';

export function loadOrCreateNodeKey(dataDir: string, suite: CryptoSuite, random: RandomSource): { key: NodeKey; created: boolean } {
  const path = join(dataDir, FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot read node key ${path}: ${(e as Error).message}`);
  }
  if (text !== undefined) {
    const parsed = JSON.parse(text) as { version?: number; ed25519Seed?: string };
    const seed = typeof parsed.ed25519Seed === 'string' ? fromHex(parsed.ed25519Seed) : undefined;
    if (parsed.version !== 1 || !seed || seed.length !== 32) throw new ConfigError(`node key ${path} is malformed`);
    return { key: { seed, publicKey: suite.ed25519PublicKey(seed) }, created: false };
  }
  const seed = random.bytes(32);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify({ version: 1, ed25519Seed: toHex(seed) })}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { key: { seed, publicKey: suite.ed25519PublicKey(seed) }, created: true };
}
