/**
 * The local API's bearer token: 32 random bytes, hex, in `<dataDir>/api.token`
 * with mode 0600, created at the first start and kept after (the CLI reads it).
 * Whoever can read the data directory is the node's user.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { RandomSource } from '../../../protocol/random.ts';
import { API_TOKEN_FILE } from '../../../seams/local-api.ts';

export function loadOrCreateApiToken(dataDir: string, random: RandomSource): Uint8Array {
  const path = join(dataDir, API_TOKEN_FILE);
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(text)) {
      chmodSync(path, 0o600);
      return new Uint8Array(Buffer.from(text, 'hex'));
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = random.bytes(32);
  writeFileSync(path, `${Buffer.from(token).toString('hex')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
