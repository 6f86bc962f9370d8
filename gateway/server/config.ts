/**
 * Relay limits: every size, rate and lifetime the relay enforces, with the
 * defaults `meow-relay` runs with. A deployment overrides any of them.
 */
export interface TokenBucketSpec {
  /** Burst size. */
  readonly capacity: number;
  /** Tokens regained per second. */
  readonly refillPerSecond: number;
}

export interface RelayLimits {
  /** Difficulty (leading zero bits) of the stamp a deposit without a valid sender pass needs; 0 = none. */
  readonly depositStampBits: number;
  /** Difficulty for directory entries. */
  readonly directoryStampBits: number;
  /** Difficulty for an emergency broadcast by an author not in `broadcastAuthors`. */
  readonly openBroadcastStampBits: number;
  /** Ed25519 keys allowed to broadcast without a stamp; when `broadcastOpen` is false, the only ones allowed. */
  readonly broadcastAuthors: readonly Uint8Array[];
  readonly broadcastOpen: boolean;
  /** How long broadcasts stay listed, so that users who connect later still see them. */
  readonly broadcastRetentionMs: number;
  /** Accepted clock skew of record creation times (broadcasts, directory entries). */
  readonly recordSkewMs: number;
  readonly mailboxMessageTtlMs: number;
  /** How far a signed request's counter (the client's clock in ms) may be ahead of the relay's clock. */
  readonly counterAheadMs: number;
  /** Registrations unused (no fetch) for this long are dropped with their messages. */
  readonly mailboxIdleTtlMs: number;
  /** Per request source (IP address, MQTT client id). */
  readonly perSource: TokenBucketSpec;
  /** Deposits per mailbox by contacts (a valid sender pass). */
  readonly perMailbox: TokenBucketSpec;
  /** Deposits per mailbox by stamped strangers (a separate allowance, issue 9 item 1). */
  readonly perMailboxStamped: TokenBucketSpec;
  /** Spent deposit stamps remembered for their validity window; past it new stamps are refused. */
  readonly maxSpentStamps: number;
  /** Broadcasts over the whole relay, and per author. */
  readonly broadcastGlobal: TokenBucketSpec;
  readonly broadcastPerAuthor: TokenBucketSpec;
  /** Cap on the tracked sources/mailboxes of each bucket table (oldest forgotten first). */
  readonly maxTrackedKeys: number;
  readonly maxDirectoryEntries: number;
  readonly maxCatalogEntries: number;
  readonly maxPresenceRecords: number;
  readonly maxMailboxes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  depositStampBits: 16,
  directoryStampBits: 18,
  openBroadcastStampBits: 22,
  broadcastAuthors: [],
  broadcastOpen: true,
  broadcastRetentionMs: 3 * 86_400_000,
  recordSkewMs: 10 * 60_000,
  mailboxMessageTtlMs: 14 * 86_400_000,
  mailboxIdleTtlMs: 90 * 86_400_000,
  // As for records and stamps: ten minutes covers clocks kept by NTP, a phone's network time and a
  // Pi's RTC-less drift between syncs; a client further ahead is told so ('stale').
  counterAheadMs: 10 * 60_000,
  perSource: { capacity: 600, refillPerSecond: 200 },
  perMailbox: { capacity: 120, refillPerSecond: 2 },
  perMailboxStamped: { capacity: 60, refillPerSecond: 1 },
  maxSpentStamps: 200_000,
  broadcastGlobal: { capacity: 3, refillPerSecond: 1 / 600 },
  broadcastPerAuthor: { capacity: 1, refillPerSecond: 1 / 3600 },
  maxTrackedKeys: 100_000,
  maxDirectoryEntries: 50_000,
  maxCatalogEntries: 2_000,
  maxPresenceRecords: 200_000,
  maxMailboxes: 1_000_000,
};

export function relayLimits(overrides: Partial<RelayLimits> = {}): RelayLimits {
  return { ...DEFAULT_RELAY_LIMITS, ...overrides };
}
