/**
 * Mailboxes, registrations and replay counters survive a relay restart
 * (SQLite, same data directory and key), all in the one store file; the
 * relay.sqlite of an older version is imported once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { encodeSignedRequest } from '../../../protocol/server/request-encode.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { RELAY_DB_FILE, startRelay, STORE_FILE } from '../../../gateway/server/relay.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { connect, suite, tempDir, TEST_LIMITS } from './support.ts';

const RELAY_TABLES = ['mailboxes', 'counters', 'presence', 'broadcasts', 'directory', 'catalog'] as const;

/** Turns a data directory into the two-file layout of older relays: relay rows moved out to relay.sqlite, unprefixed. */
function splitIntoLegacyLayout(dataDir: string): void {
  const db = new Database(join(dataDir, STORE_FILE));
  db.prepare('ATTACH DATABASE ? AS legacy').run(join(dataDir, RELAY_DB_FILE));
  for (const t of RELAY_TABLES) {
    db.exec(`CREATE TABLE legacy.${t} AS SELECT ${t === 'directory' ? 'rowid, ' : ''}* FROM relay_${t}`);
    db.exec(`DELETE FROM relay_${t}`);
  }
  db.exec('DETACH DATABASE legacy');
  db.close();
}

describe('relay restart', () => {
  it.each([
    ['one file', false],
    ['importing the relay.sqlite of an older version', true],
  ])('keeps mailboxes, messages, the server key and replay counters (%s)', async (_name, legacy) => {
    const dir = tempDir('restart');
    const owner = generateLookupKeyPair(suite, new SeededRandom('restart-owner'));
    const tag = mailboxTagOf(suite, owner.publicKey);
    const start = () => startRelay({ dataDir: dir.path, suite, random: new SeededRandom('restart'), clock: systemClock, limits: TEST_LIMITS });
    try {
      const first = await start();
      const c1 = await connect(first.urls[0]!, 'restart-1');
      await c1.register(owner);
      await c1.deposit(tag, utf8('kept across restarts'), { stampBits: 8 });
      const replayable = encodeSignedRequest(suite, c1.serverKey.signing, owner.secretKey, { kind: 'fetch', counter: c1.nextCounter(), limit: 8, acks: [] });
      expect((await c1.send('fetch', replayable)).messages).toHaveLength(1);
      await c1.close();
      await first.close();
      // One database file: the relay's tables live in the store's.
      expect(existsSync(join(dir.path, RELAY_DB_FILE))).toBe(false);
      if (legacy) splitIntoLegacyLayout(dir.path);

      const second = await start();
      expect(second.key.publicKey.signing).toEqual(first.key.publicKey.signing);
      const c2 = await connect(second.urls[0]!, 'restart-2', { server: first.key.publicKey });
      const page = await c2.fetch(owner);
      expect(page.messages.map((m) => new TextDecoder().decode(m.envelope))).toEqual(['kept across restarts']);
      // A fetch captured before the restart is still a replay after it.
      await expect(c2.send('fetch', replayable)).rejects.toSatisfy((e: unknown) => e instanceof RelayError && e.code === 'replayed');
      await c2.close();
      await second.close();
      expect(existsSync(join(dir.path, RELAY_DB_FILE))).toBe(false);
      expect(existsSync(join(dir.path, `${RELAY_DB_FILE}.imported`))).toBe(legacy);
    } finally {
      dir.remove();
    }
  });
});
