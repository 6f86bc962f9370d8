/**
 * Errors of the durable store (STYLE.md rule 6): each has a stable `name`
 * and `code` so that the router, the relay and the gateway can branch on
 * them (a relay answers a QuotaExceededError with "mailbox full", a daemon
 * refuses to start on a StoreCorruptError and says which file).
 */

import type { ErrorDetails } from '../../protocol/errors.ts';
import { NodeRuntimeError } from '../errors.ts';

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

export abstract class StoreError extends NodeRuntimeError<StoreErrorCode> {}

/** A caller passed a value outside the contract (an id of 0 bytes, a tag of 40 bytes, a negative limit). */
export class StoreArgumentError extends StoreError {
  override readonly name = 'StoreArgumentError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('bad-argument', message, details.fields, details);
  }
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
  constructor(
    readonly quota: QuotaKind,
    /** The configured limit (bytes or messages, per `quota`). */
    readonly limit: number,
    /** What is used now, before the refused write. */
    readonly used: number,
  ) {
    super('quota-exceeded', `quota ${quota} exceeded: ${used} used of ${limit}`, { quota, limit, used });
  }
}

/** The store was used after close(). */
export class StoreClosedError extends StoreError {
  override readonly name = 'StoreClosedError';
  constructor() {
    super('store-closed', 'store is closed');
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
    code: 'store-open-failed' | 'not-a-database' | 'not-a-meow-store',
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${path}: ${message}`, { path }, options);
  }
}

/** SQLite's integrity check found damage (or SQLite reported SQLITE_CORRUPT). */
export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError';
  constructor(
    readonly path: string,
    /** The first problems quick_check reported, as SQLite words them. */
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super('store-corrupt', `${path}: database is corrupt: ${problems.slice(0, 3).join('; ')}`, { path, problems }, options);
  }
}

/** The file was written by a newer version of this code; opening it could lose data. */
export class SchemaTooNewError extends StoreError {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly path: string,
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super('schema-too-new', `${path}: schema version ${fileVersion} is newer than this code supports (${supportedVersion})`, { path, fileVersion, supportedVersion });
  }
}

/** A schema migration failed; the transaction was rolled back and the file keeps its old version. */
export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  constructor(
    readonly path: string,
    readonly toVersion: number,
    options?: { cause?: unknown },
  ) {
    super('migration-failed', `${path}: migration to schema version ${toVersion} failed`, { path, toVersion }, options);
  }
}

/**
 * The disk (or the configured `maxFileBytes`) is full. The write was rolled
 * back whole; nothing accepted before is lost. A relay answers "insufficient
 * storage"; a node keeps running and retries after expiry frees room.
 */
export class StoreFullError extends StoreError {
  override readonly name = 'StoreFullError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('store-full', message, details.fields, details);
  }
}

/** A write on a store opened with `readOnly: true` (a status command beside the daemon). */
export class StoreReadOnlyError extends StoreError {
  override readonly name = 'StoreReadOnlyError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('store-read-only', message, details.fields, details);
  }
}

/** Another connection held the write lock for longer than busy_timeout. The write did not happen. */
export class StoreBusyError extends StoreError {
  override readonly name = 'StoreBusyError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('store-busy', message, details.fields, details);
  }
}

/** The operating system reported an I/O error (a failing SD card). The write did not happen. */
export class StoreIoError extends StoreError {
  override readonly name = 'StoreIoError';
  constructor(message: string, details: ErrorDetails = {}) {
    super('store-io-error', message, details.fields, details);
  }
}
