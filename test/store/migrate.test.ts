/**
 * Schema versioning (node-runtime/store/schema.ts): each migration runs in
 * one transaction with its user_version bump, so a failing step leaves the
 * file whole at the previous version.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MigrationError, SchemaTooNewError } from '../../node-runtime/store/index.ts';
import type { Migration } from '../../node-runtime/store/schema.ts';
import { latestVersion, MEOW_APPLICATION_ID, migrate, MIGRATIONS } from '../../node-runtime/store/schema.ts';
import { decodeLegacyGatewayRecord } from '../../node-runtime/store/migrate-outbox-tag.ts';
import { GATEWAY_OUTBOX_QUEUE, openStore, type Store } from '../../node-runtime/store/index.ts';
import { constantRandom, hex, id, makeTempDir, ManualClock, patterned } from './helpers.ts';
import { packV1GatewayRecord, writeV1Store } from './legacy-v1.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let n = 0;
const fresh = (): Database.Database => new Database(dir.file(`migrate-${n++}.db`));
const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

/** The released version 1 alone: the mechanism's tests below stack a test step on it. */
const V1 = MIGRATIONS.slice(0, 1);

const v2: Migration = {
  version: 2,
  description: 'test: a column on outbox',
  up: (db) => db.exec('ALTER TABLE outbox ADD COLUMN note TEXT'),
};
const v2Broken: Migration = {
  version: 2,
  description: 'test: fails half-way',
  up: (db) => {
    db.exec('CREATE TABLE half_done (x INTEGER)');
    db.exec('THIS IS NOT SQL');
  },
};

describe('migrate', () => {
  it('creates the v1 schema on an empty file and marks it as a Meow store', () => {
    const db = fresh();
    expect(migrate(db, 'x', V1)).toEqual({ from: 0, to: 1 });
    expect(latestVersion()).toBe(MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(MEOW_APPLICATION_ID);
    expect(tables(db)).toEqual(['mailbox_messages', 'mailboxes', 'outbox', 'outbox_queues', 'seen_ids', 'totals']);
    expect(migrate(db, 'x', V1)).toEqual({ from: 1, to: 1 });
    db.close();
  });

  it('applies only the steps a file lacks', () => {
    const db = fresh();
    migrate(db, 'x', V1);
    expect(migrate(db, 'x', [...V1, v2])).toEqual({ from: 1, to: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const columns = (db.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('note');
    db.close();
  });

  it('rolls a failing step back entirely and keeps the old version', () => {
    const db = fresh();
    migrate(db, 'x', V1);
    let error: unknown;
    try {
      migrate(db, 'x', [...V1, v2Broken]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'migration-failed', toVersion: 2 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });

  it('refuses a file newer than the code, and a list with gaps', () => {
    const db = fresh();
    db.pragma('user_version = 5');
    expect(() => migrate(db, 'x')).toThrow(SchemaTooNewError);
    expect(() => migrate(fresh(), 'x', [{ ...v2 }])).toThrow(/expected 1/);
    db.close();
  });
});

describe('schema version 2: the outbox keeps the mailbox tag in its own column', () => {
  const clock = new ManualClock();
  const openAt = (path: string): Store => openStore({ path, clock, random: constantRandom(0) });
  const tag4 = new Uint8Array([1, 2, 3, 4]);
  const tag16 = patterned(16, 9);
  const tag32 = patterned(32, 5);
  const envelopeA = patterned(40, 1);
  const envelopeB = patterned(200, 2);
  const envelopeC = new Uint8Array([0x11]);
  // Written by a version-1 gateway: the tag packed in front of the envelope.
  const gatewayRows = [
    { queue: GATEWAY_OUTBOX_QUEUE, id: id(1), destination: 'http://relay-a.example', bytes: packV1GatewayRecord(tag4, envelopeA) },
    { queue: GATEWAY_OUTBOX_QUEUE, id: id(2), destination: 'http://relay-b.example', bytes: packV1GatewayRecord(tag16, envelopeB) },
    { queue: GATEWAY_OUTBOX_QUEUE, id: id(3), destination: 'http://relay-a.example', bytes: packV1GatewayRecord(tag32, envelopeC) },
  ];
  // Disk damage in the gateway queue: a tag length of 2 and a record with no envelope.
  const damaged = [
    { queue: GATEWAY_OUTBOX_QUEUE, id: id(4), destination: 'http://relay-a.example', bytes: new Uint8Array([2, 9, 9, 0x11]) },
    { queue: GATEWAY_OUTBOX_QUEUE, id: id(5), destination: 'http://relay-a.example', bytes: packV1GatewayRecord(tag4, new Uint8Array(0)) },
  ];
  // Another queue's envelope that happens to parse as a record: not the gateway's, left alone.
  const routerRow = { queue: 'router', id: id(6), destination: 'node-1', bytes: packV1GatewayRecord(tag4, envelopeA) };

  it('unpacks every gateway row of a version-1 file into (tag, envelope), in order, and leaves other queues alone', () => {
    const path = dir.file(`v1-${n++}.db`);
    writeV1Store(path, [...gatewayRows, ...damaged, routerRow]);
    const store = openAt(path);
    expect(store.info().schemaVersion).toBe(2);
    const gateway = store.outbox(GATEWAY_OUTBOX_QUEUE);
    const due = gateway.due(10, 2_000_000);
    expect(due.map((i) => [hex(i.id), i.tag && hex(i.tag), hex(i.bytes), i.destination])).toEqual([
      [hex(id(1)), hex(tag4), hex(envelopeA), 'http://relay-a.example'],
      [hex(id(2)), hex(tag16), hex(envelopeB), 'http://relay-b.example'],
      [hex(id(3)), hex(tag32), hex(envelopeC), 'http://relay-a.example'],
      // Damaged rows keep their bytes and get no tag: the gateway drops them when due.
      [hex(id(4)), undefined, hex(damaged[0]!.bytes), 'http://relay-a.example'],
      [hex(id(5)), undefined, hex(damaged[1]!.bytes), 'http://relay-a.example'],
    ]);
    // The byte counter counts envelopes now, and agrees with the rows.
    const envelopeBytes = envelopeA.length + envelopeB.length + envelopeC.length + damaged[0]!.bytes.length + damaged[1]!.bytes.length;
    expect(gateway.depth()).toEqual({ messages: 5, bytes: envelopeBytes });
    expect(gateway.depth({ destination: 'http://relay-b.example' })).toEqual({ messages: 1, bytes: envelopeB.length });
    const router = store.outbox('router').get(id(6));
    expect(router?.bytes).toEqual(routerRow.bytes);
    expect(router?.tag).toBeUndefined();
    expect(store.outbox('router').depth()).toEqual({ messages: 1, bytes: routerRow.bytes.length });
    expect(store.integrityCheck()).toEqual(['ok']);
    store.close();
  });

  it('keeps ids and the sent log: a queued or already sent deposit is still a duplicate', () => {
    const path = dir.file(`v1-${n++}.db`);
    writeV1Store(path, gatewayRows, [{ queue: GATEWAY_OUTBOX_QUEUE, id: id(9) }]);
    const store = openAt(path);
    const gateway = store.outbox(GATEWAY_OUTBOX_QUEUE);
    const again = { destination: 'http://relay-a.example', tag: tag4, bytes: envelopeA, priority: 3, expiresAt: clock.now() + 1e6 };
    expect(gateway.enqueue({ ...again, id: id(1) })).toBe('duplicate');
    expect(gateway.enqueue({ ...again, id: id(9) })).toBe('duplicate');
    expect(gateway.enqueue({ ...again, id: id(10) })).toBe('added');
    expect(gateway.get(id(10))?.tag).toEqual(tag4);
    store.close();
  });

  it('runs as one step from version 1 to 2, and refuses a tag outside 4..32 bytes afterwards', () => {
    const db = fresh();
    migrate(db, 'x', V1);
    expect(migrate(db, 'x')).toEqual({ from: 1, to: 2 });
    const columns = (db.pragma('table_info(outbox)') as { name: string; type: string }[]).map((c) => [c.name, c.type]);
    expect(columns).toContainEqual(['tag', 'BLOB']);
    db.prepare("INSERT INTO outbox_queues (queue) VALUES ('q')").run();
    const insert = db.prepare(
      `INSERT INTO outbox (queue, id, destination, priority, bytes, tag, size, created_at, expires_at, next_attempt_at)
       VALUES ('q', ?, 'd', 3, x'11', ?, 1, 0, 1, 0)`,
    );
    expect(() => insert.run(id(1), new Uint8Array(3))).toThrow(/CHECK/);
    expect(() => insert.run(id(2), new Uint8Array(33))).toThrow(/CHECK/);
    expect(() => insert.run(id(3), 'text')).toThrow(/CHECK/);
    insert.run(id(4), new Uint8Array(4));
    insert.run(id(5), null);
    db.close();
  });
});

describe('decodeLegacyGatewayRecord (the version-1 record, read once by the migration)', () => {
  it('reads every valid record and refuses each damaged one with an offset, never throwing', () => {
    expect(decodeLegacyGatewayRecord(packV1GatewayRecord(tag(6), new Uint8Array([7, 8])))).toEqual({ ok: true, value: { tag: tag(6), envelope: new Uint8Array([7, 8]) } });
    expect(decodeLegacyGatewayRecord(new Uint8Array(0))).toMatchObject({ ok: false, code: 'truncated', offset: 0 });
    expect(decodeLegacyGatewayRecord(new Uint8Array([3, 1, 2, 3, 4]))).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeLegacyGatewayRecord(new Uint8Array([33, ...new Uint8Array(40)]))).toMatchObject({ ok: false, code: 'bad-value' });
    expect(decodeLegacyGatewayRecord(new Uint8Array([8, 1, 2, 3]))).toMatchObject({ ok: false, code: 'truncated', offset: 1 });
    expect(decodeLegacyGatewayRecord(packV1GatewayRecord(tag(4), new Uint8Array(0)))).toMatchObject({ ok: false, code: 'truncated' });
    for (let seed = 0; seed < 2000; seed++) {
      const input = patterned(seed % 50, seed);
      expect(() => decodeLegacyGatewayRecord(input)).not.toThrow();
    }
  });
});

function tag(length: number): Uint8Array {
  return patterned(length, length);
}
