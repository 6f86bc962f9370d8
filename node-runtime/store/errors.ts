/**
 * Errors of the durable store (STYLE.md rule 6): each has a stable `name`
 * and `code` so that the router, the relay and the gateway can branch on
 * them (a relay answers a QuotaExceededError with "mailbox full", a daemon
 * refuses to start on a StoreCorruptError and says which file).
 */

export type StoreErrorCode =
  | 'bad-argument'
  | 'quota-exceeded'
  | 'store-closed'
  | 'store-open-failed'
  | 'not-a-database'
  | 'not-a-meow-store'
  | 'store-corrupt'
  | 'schema-too-new'
  | 'migration-failed'
  | 'store-full'
  | 'store-read-only'
  | 'store-busy'
  | 'store-io-error';

export abstract class StoreError extends Error {
  abstract readonly code: StoreErrorCode;
}

/** A caller passed a value outside the contract (an id of 0 bytes, a tag of 40 bytes, a negative limit). */
export class StoreArgumentError extends StoreError {
  override readonly name = 'StoreArgumentError';
  readonly code = 'bad-argument';
}

/** Which limit refused a write. */
export type QuotaKind =
  | 'outbox-bytes'
  | 'outbox-messages'
  | 'mailbox-bytes'
  | 'mailbox-messages'
  | 'mailboxes-total-bytes'
  | 'mailboxes-total-messages';

/**
 * A write would exceed a quota. Nothing was written and nothing accepted
 * before was evicted to make room: a full store refuses, it never drops an
 * accepted message silently.
 */
export class QuotaExceededError extends StoreError {
  override readonly name = 'QuotaExceededError';
  readonly code = 'quota-exceeded';
  constructor(
    readonly quota: QuotaKind,
    /** The configured limit (bytes or messages, per `quota`). */
    readonly limit: number,
    /** What is used now, before the refused write. */
    readonly used: number,
  ) {
    super(`quota ${quota} exceeded: ${used} used of ${limit}`);
  }
}

/** The store was used after close(). */
export class StoreClosedError extends StoreError {
  override readonly name = 'StoreClosedError';
  readonly code = 'store-closed';
  constructor() {
    super('store is closed');
  }
}

/**
 * The file could not be opened as a Meow store. `code` says why:
 *  - store-open-failed: missing directory, permissions, a lock held too long;
 *  - not-a-database: the file exists but is not SQLite (wrong header);
 *  - not-a-meow-store: an SQLite file of some other application.
 */
export class StoreOpenError extends StoreError {
  override readonly name = 'StoreOpenError';
  constructor(
    readonly code: 'store-open-failed' | 'not-a-database' | 'not-a-meow-store',
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}

/** SQLite's integrity check found damage (or SQLite reported SQLITE_CORRUPT). */
export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError';
  readonly code = 'store-corrupt';
  constructor(
    readonly path: string,
    /** The first problems quick_check reported, as SQLite words them. */
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${path}: database is corrupt: ${problems.slice(0, 3).join('; ')}`, options);
  }
}

/** The file was written by a newer version of this code; opening it could lose data. */
export class SchemaTooNewError extends StoreError {
  override readonly name = 'SchemaTooNewError';
  readonly code = 'schema-too-new';
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(`${path}: schema version ${fileVersion} is newer than this code supports (${supportedVersion})`);
  }
}

/** A schema migration failed; the transaction was rolled back and the file keeps its old version. */
export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  readonly code = 'migration-failed';
  constructor(
    readonly path: string,
    readonly toVersion: number,
    options?: { cause?: unknown },
  ) {
    super(`${path}: migration to schema version ${toVersion} failed`, options);
  }
}

/**
 * The disk (or the configured `maxFileBytes`) is full. The write was rolled
 * back whole; nothing accepted before is lost. A relay answers "insufficient
 * storage"; a node keeps running and retries after expiry frees room.
 */
export class StoreFullError extends StoreError {
  override readonly name = 'StoreFullError';
  readonly code = 'store-full';
}

/** A write on a store opened with `readOnly: true` (a status command beside the daemon). */
export class StoreReadOnlyError extends StoreError {
  override readonly name = 'StoreReadOnlyError';
  readonly code = 'store-read-only';
}

/** Another connection held the write lock for longer than busy_timeout. The write did not happen. */
export class StoreBusyError extends StoreError {
  override readonly name = 'StoreBusyError';
  readonly code = 'store-busy';
}

/** The operating system reported an I/O error (a failing SD card). The write did not happen. */
export class StoreIoError extends StoreError {
  override readonly name = 'StoreIoError';
  readonly code = 'store-io-error';
}
