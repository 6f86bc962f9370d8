/**
 * The durable store's interfaces (STYLE.md rule 2): the outbox, the hosted
 * mailboxes and the duplicate log, as the router, the relay server and the
 * gateway see them. The SQLite implementation is `openStore()` in
 * node-runtime/store/open-store.ts; `openStore({ path: ':memory:' })` gives the same code on
 * an in-memory database for the simulator and unit tests.
 *
 * Contract shared by every method:
 *  - Every write is one SQLite transaction committed with synchronous=FULL:
 *    when a write method returns, its effect is on disk and survives kill -9
 *    and power loss (docs/ARCHITECTURE.md, section "store"). Acknowledge a
 *    message to its sender only after the write returned.
 *  - Ids, tags and bytes are copied in and fresh copies come out: a caller
 *    may reuse its buffers.
 *  - Bad arguments throw StoreArgumentError; a write over a quota throws
 *    QuotaExceededError and changes nothing; any use after close() throws
 *    StoreClosedError (node-runtime/store/errors.ts).
 *  - `nowMs` parameters are optional: they default to the injected clock.
 *    Expiry is `expiresAt <= nowMs` (an item expiring at t is gone at t).
 */
import type { Clock } from './clock.ts';
import type { RandomSource } from '../protocol/random.ts';

/** Bounds of the opaque values the store accepts. */
export const STORE_LIMITS = {
  /** A message or envelope id (a content hash, a random nonce): 1 to 64 bytes. */
  idMinBytes: 1,
  idMaxBytes: 64,
  /** A mailbox tag (DESIGN.md: derived from the lookup key Lkp): 4 to 32 bytes. */
  tagMinBytes: 4,
  tagMaxBytes: 32,
  /** Outbox destination label (a node id in hex, a relay URL): 1 to 512 characters. */
  destinationMaxChars: 512,
  /** Outbox queue and seen-log namespace names: 1 to 64 characters. */
  nameMaxChars: 64,
  /** Priorities 0 (most urgent) to 7 (bulk). */
  priorityMax: 7,
  /** One stored message or envelope: at most 1 MiB (a mesh envelope is at most 4 KiB by default). */
  messageMaxBytes: 1024 * 1024,
} as const;

/**
 * The queue the gateway keeps Internet-bound deposits in (gateway/bridge/
 * internet-outbox.ts). The store names it because schema version 2 moved
 * the mailbox tag of that queue's rows out of the envelope bytes into their
 * own column (node-runtime/store/migrate-outbox-tag.ts).
 */
export const GATEWAY_OUTBOX_QUEUE = 'gateway';

/** Suggested priorities (DESIGN.md, scheduler: acks before user traffic before bulk). */
export const OutboxPriority = {
  control: 0,
  user: 3,
  bulk: 7,
} as const;

// ---------------------------------------------------------------- outbox

export interface EnqueueRequest {
  /** Unique within the queue; a second enqueue of the same id is a no-op returning 'duplicate'. */
  readonly id: Uint8Array;
  /** Where it goes: a next-hop node id in hex, a mailbox host, a relay URL. Opaque to the store. */
  readonly destination: string;
  /** The envelope; the queue's byte quota counts these bytes. */
  readonly bytes: Uint8Array;
  /**
   * The mailbox tag (4 to 32 bytes) the envelope goes to, when the
   * destination files envelopes by tag (a relay); omitted for a queue of
   * envelopes that carry their own address (the next hop reads it).
   */
  readonly tag?: Uint8Array;
  /** 0 (most urgent) to 7; lower numbers are leased first. */
  readonly priority: number;
  /** Absolute time (ms) after which it is dropped by expire() and never leased. */
  readonly expiresAt: number;
  /** Earliest first attempt (ms); defaults to now. */
  readonly notBefore?: number;
}

export interface OutboxItem {
  readonly id: Uint8Array;
  readonly destination: string;
  readonly bytes: Uint8Array;
  /** The mailbox tag given to enqueue(); absent when none was. */
  readonly tag?: Uint8Array;
  readonly priority: number;
  /** When it was enqueued (clock time). */
  readonly createdAt: number;
  readonly expiresAt: number;
  /** Attempts started so far (leaseNext counts one per lease). */
  readonly attempts: number;
  /** Earliest time it is due again. */
  readonly nextAttemptAt: number;
}

export interface QueueDepth {
  readonly messages: number;
  readonly bytes: number;
}

export interface DueOptions {
  /** Only items for this destination (a gateway flushing one relay, a router sending to one neighbour). */
  readonly destination?: string;
}

/**
 * A durable queue of envelopes to send, named so that the router's queue
 * and the gateway's Internet-bound queue live side by side in one file.
 *
 * Order: items due at `nowMs` (nextAttemptAt <= now, not expired, not
 * leased) by priority (0 first), then oldest first (enqueue order).
 *
 * Delivery loop: leaseNext() hands items out and hides them for `leaseMs`
 * (so two flush loops never send one item twice); then markSent() when the
 * far side acknowledged, or markFailed() to retry later with backoff. A
 * lease that ends without either (the sender crashed) makes the item due
 * again: at-least-once sending, exactly-once removal.
 */
export interface Outbox {
  readonly queue: string;
  /**
   * 'added'; 'duplicate' when the id is queued or was sent within the
   * retention period; 'expired' (nothing stored) when expiresAt <= now.
   * QuotaExceededError when the queue's byte or message quota is full.
   */
  enqueue(request: EnqueueRequest): 'added' | 'duplicate' | 'expired';
  /** Up to `limit` due items without changing them (a peek, for status and planning). */
  due(limit: number, nowMs?: number, options?: DueOptions): OutboxItem[];
  /** Up to `limit` due items, each leased for `leaseMs` and its attempt count increased. */
  leaseNext(limit: number, nowMs?: number, options?: DueOptions): OutboxItem[];
  /**
   * Removes the item and remembers its id for the retention period (a late
   * re-enqueue is a 'duplicate'). True the first time, false when it was
   * not queued (already sent, expired, never enqueued): exactly once.
   */
  markSent(id: Uint8Array, nowMs?: number): boolean;
  /**
   * Releases the lease and sets the next attempt: at `nextAttemptAt`, or
   * after the exponential backoff with jitter for its attempt count when
   * omitted. False when the item is not queued.
   */
  markFailed(id: Uint8Array, nextAttemptAt?: number, nowMs?: number): boolean;
  /** The item, leased or not; undefined when not queued. */
  get(id: Uint8Array): OutboxItem | undefined;
  depth(options?: DueOptions): QueueDepth;
  /** Drops expired items; returns their ids. */
  expire(nowMs?: number): Uint8Array[];
}

export interface OutboxOptions {
  /** Byte quota of the queue (sum of envelope sizes). Default 64 MiB: no small fixed cap. */
  readonly maxBytes?: number;
  /** Message quota of the queue. Default 1,000,000. */
  readonly maxMessages?: number;
  /** How long a lease hides an item. Default 60 s. */
  readonly leaseMs?: number;
  /** How long a sent id is remembered against re-enqueue. Default 7 days. */
  readonly sentRetentionMs?: number;
  readonly backoff?: BackoffPolicy;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits
 * min(maxMs, baseMs * factor^(n-1)) scaled by a uniform draw in
 * [1 - jitter, 1] from the injected RandomSource, so that nodes that failed
 * together do not retry together.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
  /** 0 (no jitter) to 1 (full jitter). */
  readonly jitter: number;
}

// ---------------------------------------------------------------- mailboxes

export interface StoredMessage {
  readonly tag: Uint8Array;
  readonly id: Uint8Array;
  readonly bytes: Uint8Array;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** Position in the store, increasing with each deposit: pass it as `after` to page on. */
  readonly cursor: number;
}

export interface ListOptions {
  /** Only messages deposited after this cursor (from a previous page). */
  readonly after?: number;
  /** At most this many (1 to 10,000). */
  readonly limit: number;
}

export interface DepositOptions {
  /** Absolute expiry (ms); defaults to now + defaultTtlMs; clamped to now + maxTtlMs. */
  readonly expiresAt?: number;
}

export interface MailboxCounts {
  readonly messages: number;
  readonly bytes: number;
}

export interface MailboxTotals extends MailboxCounts {
  /** Mailboxes holding at least one message. */
  readonly mailboxes: number;
}

/**
 * Messages a node or relay hosts for mailbox tags (opaque 4-32 byte
 * values). A message is delivered once even when it arrives twice: a
 * deposit of an id already stored under the tag, or deleted or expired
 * within the seen-retention period, returns 'duplicate' and stores nothing.
 * Use a content hash as id so that two different messages never share one.
 */
export interface MailboxStore {
  /**
   * 'stored'; 'duplicate' (nothing changed) for an id stored, deleted or
   * expired under this tag within the seen retention; 'expired' (nothing
   * stored) for an explicit expiresAt <= now. QuotaExceededError when a
   * per-mailbox or global quota is full (expired messages are dropped first).
   */
  deposit(
    tag: Uint8Array,
    id: Uint8Array,
    bytes: Uint8Array,
    nowMs?: number,
    options?: DepositOptions,
  ): 'stored' | 'duplicate' | 'expired';
  /** Unexpired messages of the mailbox, oldest first. */
  list(tag: Uint8Array, options: ListOptions, nowMs?: number): StoredMessage[];
  /** Deletes (after the recipient acknowledged) and remembers the ids; returns how many were stored. */
  delete(tag: Uint8Array, ids: readonly Uint8Array[], nowMs?: number): number;
  /** Drops expired messages and forgets seen ids past retention; returns how many messages expired. */
  expire(nowMs?: number): number;
  counts(tag: Uint8Array): MailboxCounts;
  totals(): MailboxTotals;
}

export interface MailboxOptions {
  /** Per mailbox. Defaults: 4 MiB and 2,000 messages. */
  readonly maxBytesPerMailbox?: number;
  readonly maxMessagesPerMailbox?: number;
  /** Over all mailboxes. Defaults: 512 MiB and 500,000 messages. */
  readonly maxBytesTotal?: number;
  readonly maxMessagesTotal?: number;
  /** Expiry of a deposit without one. Default 7 days. */
  readonly defaultTtlMs?: number;
  /** Longest expiry a depositor may ask for. Default 30 days. */
  readonly maxTtlMs?: number;
  /** How long a deleted or expired id is remembered against late duplicates. Default 30 days. */
  readonly seenRetentionMs?: number;
}

// ---------------------------------------------------------------- seen ids

/**
 * A durable duplicate log with expiry, in one namespace ("relay.fetch-nonce",
 * "outbox.sent:router"). Used by the outbox and the mailboxes, and free for
 * other replay defences (a relay's fetch nonces).
 */
export interface SeenLog {
  readonly namespace: string;
  /** 'added' the first time; 'seen' while an unexpired entry exists (its expiry is then extended to the later one). */
  add(id: Uint8Array, expiresAt: number, nowMs?: number): 'added' | 'seen';
  has(id: Uint8Array, nowMs?: number): boolean;
  /** Forgets expired entries of this namespace; returns how many. */
  purge(nowMs?: number): number;
  count(): number;
}

// ---------------------------------------------------------------- the store

/**
 * The database connection under a store, as its implementation names it.
 * Empty here so that seams/ depends on no I/O package; the SQLite store
 * (node-runtime/store/sqlite-connection.ts) merges better-sqlite3's
 * `Database` into it, so that a caller of `database()` gets the full type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface StoreConnection {}

export interface ExpirySummary {
  readonly outboxExpired: number;
  readonly mailboxExpired: number;
  readonly seenPurged: number;
}

/** How the file is set up, for `meow status` and for tests that hold the store to its durability promise. */
export interface StoreInfo {
  readonly path: string;
  readonly schemaVersion: number;
  /** 'wal' for a file, 'memory' for ':memory:'. */
  readonly journalMode: string;
  /** SQLite's number: 2 = FULL. */
  readonly synchronous: number;
  readonly foreignKeys: boolean;
  readonly secureDelete: boolean;
  readonly busyTimeoutMs: number;
}

export interface Store {
  readonly path: string;
  /** The durable queue `name` ("router", "gateway"); options apply to this handle. */
  outbox(name: string, options?: OutboxOptions): Outbox;
  readonly mailboxes: MailboxStore;
  /** A duplicate log; 'mailbox' and names starting 'outbox.sent:' are the store's own and refused. */
  seenLog(namespace: string): SeenLog;
  /**
   * Runs fn in one transaction: many writes, one fsync (group commit for
   * a relay under load). If fn throws, none of its writes happen. Writes
   * inside are durable when batch() returns, not before.
   */
  batch<T>(fn: () => T): T;
  /** Housekeeping for every queue, mailbox and seen log; run it on a timer. */
  expireAll(nowMs?: number): ExpirySummary;
  /** SQLite's full integrity_check: ['ok'] when sound. Slow on big files; openStore runs quick_check. */
  integrityCheck(): string[];
  info(): StoreInfo;
  /**
   * The store's own better-sqlite3 connection, for a trusted caller that
   * keeps tables of its own in the same file (the relay server), so that
   * one batch() covers the store's writes and its writes: one transaction,
   * one WAL fsync, atomic as a whole. The file is already set up (WAL,
   * synchronous=FULL, foreign keys, secure_delete, trusted_schema off).
   * The caller must:
   *  - name its tables with a prefix of its own (e.g. `relay_`): the
   *    store's tables (outbox*, mailbox*, totals, seen_ids) and any it adds
   *    in later schema versions are reserved, and `CREATE TABLE IF NOT
   *    EXISTS` keeps such tables across openings (migrations leave them be);
   *  - do its writes inside batch(), or in a transaction of this connection
   *    (which then nests as a savepoint in a batch);
   *  - change no pragma and never close the connection: close() the store.
   * Throws StoreClosedError after close(). A read-only store gives its
   * read-only connection.
   */
  database(): StoreConnection;
  /** Idempotent. Checkpoints the WAL and closes the file. */
  close(): void;
}

export interface OpenStoreOptions {
  /** The SQLite file (created if missing; its directory must exist), or ':memory:' for a throwaway store. */
  readonly path: string;
  readonly clock: Clock;
  /** Backoff jitter (STYLE.md rule 7): systemRandom in the daemon, SeededRandom in tests. */
  readonly random: RandomSource;
  /** How long a write waits for another connection's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Defaults for every outbox queue opened on this store. */
  readonly outbox?: OutboxOptions;
  readonly mailbox?: MailboxOptions;
  /**
   * Hard cap on the database file (PRAGMA max_page_count): a write that would
   * grow it further throws StoreFullError and changes nothing. Default: none
   * (the disk's size). The quotas are the normal limit; this is the backstop.
   */
  readonly maxFileBytes?: number;
  /**
   * Open for reading only (`meow status` beside a running daemon): no
   * migration, no lease release, no integrity scan; every write throws
   * StoreReadOnlyError. The file must exist at the current schema version.
   */
  readonly readOnly?: boolean;
  /**
   * Overwrite deleted messages in the database file (PRAGMA secure_delete).
   * Default true: a seized SD card should not give back delivered mail.
   */
  readonly secureDelete?: boolean;
}
