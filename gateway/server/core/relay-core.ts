/**
 * The relay core: one request-in, response-out function that every front
 * door (HTTP/S, MQTT, UDP) drives (issue 4, "one core with several front
 * doors"). Order of work for a frame, cheapest refusal first:
 *   1. per-source token bucket                      -> clear refusal 'rate-limited'
 *   2. frame decode, size cap                       -> clear refusal 'malformed' / 'too-large'
 *   3. server id, X25519 + AEAD open                -> clear refusal 'wrong-server' / 'bad-seal'
 *   4. request decode, signature / stamp checks     -> sealed error
 *   5. storage step in a group commit (durable before the answer) -> sealed answer
 * Nothing is stored before step 5, so a refused request leaves no trace.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { ServerKeyPair } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { describeError } from '../../../protocol/codec/result.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { createServerDescriptor, type ServerDescriptor } from '../../../protocol/server/descriptor.ts';
import type { OnionKeyAnnouncement } from '../../../protocol/server/descriptor-onion.ts';
import {
  decodeRequestFrame, encodeDescriptorFrame, encodeRefusalFrame, replyIdOf, SEALED_RESPONSE_HEADER_BYTES,
} from '../../../protocol/server/frame.ts';
import { openRequest, serverIdOf, sealResponse } from '../../../protocol/server/seal.ts';
import { decodeRequest } from '../../../protocol/server/request-decode.ts';
import type { RelayRequest } from '../../../protocol/server/request-types.ts';
import { encodeErrorResponse, encodeOkResponse, type OkBody } from '../../../protocol/server/response.ts';
import { AEAD_TAG_BYTES } from '../../../protocol/crypto/suite.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { DoorCore, DoorRequest } from '../../../seams/door.ts';
import type { Store } from '../../../seams/store.ts';
import { createGroupCommit, type GroupCommit, type GroupCommitStats } from '../../../node-runtime/store/group-commit.ts';
import { type RelayLimits, relayLimits } from '../config.ts';
import type { RelayDb } from '../store/relay-db.ts';
import { TokenBuckets } from '../token-bucket.ts';
import { type CoreContext, KeyInterner, type StorageStep } from './context.ts';
import { SpentStamps } from './spent-stamps.ts';
import * as mailbox from './mailbox-handlers.ts';
import * as board from './public-handlers.ts';

const DESCRIPTOR_LIFETIME_SEC = 30 * 86_400;
const DESCRIPTOR_REFRESH_SEC = 86_400;

export interface RelayCoreOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly key: ServerKeyPair;
  /** The URLs this relay publishes in its descriptor. */
  readonly urls: readonly string[];
  /** The node store: its mailboxes hold the messages, its batch() gives the group commit. */
  readonly store: Pick<Store, 'mailboxes' | 'batch' | 'database'>;
  readonly db: RelayDb;
  readonly limits?: Partial<RelayLimits>;
  /** Where refusals are counted and internal failures reported (never key material). */
  readonly log?: (event: string, detail: string) => void;
  /** Longest wait for a group commit to fill, in ms on `clock` (node-runtime/store/group-commit.ts). Default 2. */
  readonly commitWaitMs?: number;
}

/** What a door tells the core about a request (seams/door.ts). */
export type RequestContext = DoorRequest;

/** A relay batch holds at most this many requests (one transaction). */
const MAX_COMMIT_BATCH = 512;
/** The adaptive group-commit window's default (docs/BENCHMARKS.md, "adaptive group-commit window"). */
const DEFAULT_COMMIT_WAIT_MS = 2;

function sameKey(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

export interface RelayCounters {
  requests: number;
  refused: number;
  internalErrors: number;
}

export class RelayCore implements DoorCore {
  readonly serverId: Uint8Array;
  readonly limits: RelayLimits;
  readonly counters: RelayCounters = { requests: 0, refused: 0, internalErrors: 0 };
  private readonly ctx: CoreContext;
  private readonly perSource: TokenBuckets;
  private readonly commit: GroupCommit;
  private own: ServerDescriptor;
  private urls: readonly string[];
  private onionKeys: (() => OnionKeyAnnouncement) | undefined;

  constructor(private readonly options: RelayCoreOptions) {
    this.limits = relayLimits(options.limits);
    this.urls = [...options.urls];
    const max = this.limits.maxTrackedKeys;
    this.ctx = {
      suite: options.suite, random: options.random, clock: options.clock, key: options.key, limits: this.limits,
      db: options.db, mailboxes: options.store.mailboxes,
      perMailbox: new TokenBuckets(this.limits.perMailbox, max),
      perMailboxStamped: new TokenBuckets(this.limits.perMailboxStamped, max),
      spentStamps: new SpentStamps(this.limits.maxSpentStamps),
      broadcastGlobal: new TokenBuckets(this.limits.broadcastGlobal, 1),
      broadcastPerAuthor: new TokenBuckets(this.limits.broadcastPerAuthor, max),
      signers: new KeyInterner(10_000),
    };
    this.perSource = new TokenBuckets(this.limits.perSource, max);
    this.serverId = serverIdOf(options.suite, options.key.publicKey);
    const { db, store } = options;
    // startRelay keeps the relay tables on the store's own connection: then the
    // store's transaction is the relay's too (one commit, one fsync) and each op
    // needs one savepoint. A separate RelayDb (tests) nests its own transaction.
    // Either way the outer call is the batch's transaction and a nested one an op's savepoint.
    const shared = db.db === store.database();
    this.commit = createGroupCommit(shared ? store : { batch: (fn) => store.batch(() => db.transaction(fn)) }, {
      clock: options.clock, maxBatch: MAX_COMMIT_BATCH, maxWaitMs: options.commitWaitMs ?? DEFAULT_COMMIT_WAIT_MS,
    });
    this.own = this.makeDescriptor();
  }

  private makeDescriptor(): ServerDescriptor {
    const nowSec = Math.floor(this.options.clock.now() / 1000);
    const onion = this.onionKeys?.();
    return createServerDescriptor(this.options.suite, this.options.key, this.urls, nowSec, nowSec + DESCRIPTOR_LIFETIME_SEC, onion);
  }

  /**
   * Announces the onion front's current key in this relay's descriptor
   * (gateway/server/onion/onion-relay.ts), so catalog answers and catalog
   * exchanges carry it: senders build chains from the catalog alone.
   */
  announceOnionKeys(current: () => OnionKeyAnnouncement): void {
    this.onionKeys = current;
    this.own = this.makeDescriptor();
  }

  /** Publishes new URLs (once the doors know their ports): the descriptor is signed again. */
  setUrls(urls: readonly string[]): void {
    this.urls = [...urls];
    this.own = this.makeDescriptor();
  }

  /** This relay's signed descriptor (its keys and URLs), re-signed once a day. */
  descriptor(): ServerDescriptor {
    const stale = Math.floor(this.options.clock.now() / 1000) - this.own.issuedSec > DESCRIPTOR_REFRESH_SEC;
    // A rotated onion key is signed in at once (issued now: catalogs keep the newer descriptor).
    const rotated = this.onionKeys !== undefined && !sameKey(this.own.onion?.key, this.onionKeys().key);
    if (stale || rotated) this.own = this.makeDescriptor();
    return this.own;
  }

  /** Answers one request frame. Never rejects: every failure becomes a response frame. */
  async handle(frameBytes: Uint8Array, request: RequestContext): Promise<Uint8Array> {
    this.counters.requests++;
    const now = this.options.clock.now();
    if (!this.perSource.take(request.source, now)) return this.refuse(replyIdOf(frameBytes), 'rate-limited', 'too many requests from this source');
    const frame = decodeRequestFrame(frameBytes);
    if (!frame.ok) {
      return this.refuse(replyIdOf(frameBytes), frame.code === 'too-long' ? 'too-large' : 'malformed', describeError(frame));
    }
    if (frame.value.type === 'descriptor-query') return encodeDescriptorFrame(frame.value.queryId, this.descriptor().bytes);
    const opened = openRequest(this.options.suite, this.options.key, this.serverId, frame.value);
    if (!opened.ok) {
      return this.refuse(opened.replyId, opened.code,
        opened.code === 'wrong-server' ? 'sealed to another server key' : 'request does not open with this server key');
    }
    const reply = opened.value;
    const maxBody = request.maxResponseBytes - SEALED_RESPONSE_HEADER_BYTES - AEAD_TAG_BYTES;
    let plaintext: Uint8Array;
    try {
      const decoded = decodeRequest(reply.plaintext, this.options.key.publicKey.signing);
      if (!decoded.ok) throw new RelayError(decoded.code === 'too-long' ? 'too-large' : 'malformed', describeError(decoded));
      plaintext = await this.run(decoded.value, maxBody);
    } catch (e) {
      if (e instanceof RelayError) {
        this.counters.refused++;
        plaintext = encodeErrorResponse(e.code, e.detail);
      } else {
        this.counters.internalErrors++;
        this.options.log?.('internal-error', e instanceof Error ? `${e.name}: ${e.message}` : 'unknown');
        plaintext = encodeErrorResponse('internal', 'the relay could not complete this request');
      }
    }
    return sealResponse(this.options.suite, this.options.random, reply, plaintext);
  }

  private refuse(replyId: Uint8Array, code: RelayError['code'], message: string): Uint8Array {
    this.counters.refused++;
    return encodeRefusalFrame(replyId, code, message);
  }

  private async run(r: RelayRequest, maxBody: number): Promise<Uint8Array> {
    const c = this.ctx;
    const go = async <K extends RelayRequest['kind']>(kind: K, step: StorageStep<OkBody[K]>): Promise<Uint8Array> =>
      encodeOkResponse(kind, await this.commit.run(step));
    switch (r.kind) {
      case 'deposit': return go(r.kind, mailbox.deposit(c, r));
      case 'register': return go(r.kind, mailbox.register(c, r));
      case 'fetch': return go(r.kind, mailbox.fetch(c, r, maxBody));
      case 'presence-publish': return go(r.kind, mailbox.publishPresence(c, r));
      case 'presence-lookup': return go(r.kind, mailbox.lookupPresence(c, r));
      case 'broadcast-post': return go(r.kind, board.postBroadcast(c, r));
      case 'broadcast-list': return go(r.kind, board.listBroadcasts(c, r, maxBody));
      case 'directory-publish': return go(r.kind, board.publishEntry(c, r));
      case 'directory-withdraw': return go(r.kind, board.withdrawEntry(c, r));
      case 'directory-search': return go(r.kind, board.searchEntries(c, r, maxBody));
      case 'directory-random': return go(r.kind, board.randomEntries(c, r, maxBody));
      case 'catalog-list': return go(r.kind, board.listCatalog(c, this.descriptor().bytes, maxBody));
      case 'catalog-announce': return go(r.kind, board.announceCatalog(c, r));
    }
  }

  /** Adds descriptors learned from a peer relay (catalog exchange); returns how many were new or newer. */
  importCatalog(descriptors: readonly Uint8Array[]): Promise<number> {
    return this.commit.run(board.importDescriptors(this.ctx, descriptors));
  }

  /** This relay's catalog as signed descriptors, its own first (what catalog-list answers). */
  catalogBytes(): Promise<Uint8Array[]> {
    return this.commit.run(board.listCatalog(this.ctx, this.descriptor().bytes, Number.MAX_SAFE_INTEGER)).then((b) => [...b.descriptors]);
  }

  /** Commits what waits for a group commit now (before the files close). */
  flushCommits(): void {
    this.commit.flush();
  }

  /** How many group commits ran and how many requests they carried. */
  commitStats(): Readonly<GroupCommitStats> {
    return this.commit.stats;
  }

  /** Housekeeping, to run on a timer: expired relay rows and idle mailboxes. */
  expire(): Promise<number> {
    return this.commit.run(() => {
      const now = this.options.clock.now();
      this.ctx.spentStamps.expire(now);
      let n = this.ctx.db.expire(now, now - this.limits.mailboxIdleTtlMs);
      for (const tag of this.ctx.db.idleMailboxes(now - this.limits.mailboxIdleTtlMs)) {
        const ids = this.ctx.mailboxes.list(tag, { limit: 10_000 }, now).map((m) => m.id);
        if (ids.length > 0) this.ctx.mailboxes.delete(tag, ids, now);
        this.ctx.db.dropMailbox(tag);
        n++;
      }
      return n + this.ctx.mailboxes.expire(now);
    });
  }
}
