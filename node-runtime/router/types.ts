/**
 * The router's boundary (docs/ARCHITECTURE.md section "router"): what it
 * receives (keys, suite, clock, random, links, optional transmit queues and
 * store hook, a logger) and what it offers (send, broadcast, deliver, stats).
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';
import type { TransmitQueue } from '../scheduler/transmit-queue.ts';

/** Durable delivery hook (node-runtime/store): the router acknowledges only after accept() resolves true. */
export interface RouterStore {
  accept(envelope: Uint8Array, meta: DeliverMeta): Promise<boolean> | boolean;
}

export interface DeliverMeta {
  readonly broadcast: boolean;
  /**
   * Message key (one-frame data), message id (fragmented) or frame id
   * (broadcast): an unsigned 32-bit number. Format it as hex only for logs
   * and status (STYLE.md rule 17).
   */
  readonly messageId: number;
  /** Relays the frame crossed. */
  readonly hops: number;
  readonly receivedAtMs: number;
  /**
   * The node that sent a direct message, authenticated by its origin block
   * (protocol/mesh/origin.ts: a MAC under the key only that node and this
   * one share). Absent for broadcasts, for messages without an origin and
   * for origins this node cannot verify: such a sender is unauthenticated,
   * and nothing in the frame (hints, route) may stand in for it.
   */
  readonly source?: Uint8Array;
  /**
   * The node key (Ed25519 public key) of `source`, as this router holds it
   * for that peer: present exactly when `source` is. A caller that keeps it
   * (the gateway, with a registration) can send back authenticated
   * (SendOptions.destPublicKey) after this router forgot the peer.
   */
  readonly sourcePublicKey?: Uint8Array;
}

export interface NodeKeys {
  /** Ed25519 seed of the node key (signs announces). */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface RouterLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: RouterLogger = { debug: () => {}, warn: () => {} };

export interface RouterConfig {
  /** Shared network key (32 bytes); default: the public default key (integrity only). */
  meshKey?: Uint8Array;
  /** Hop limit of floods (direct discovery and broadcasts), 1..31. */
  floodHopLimit: number;
  /** Relays that must be heard rebroadcasting a flood before a waiting relay cancels its own. */
  floodSuppressDirect: number;
  floodSuppressBroadcast: number;
  /** Contention window, in units of the frame's time on air: low SNR (far) waits least. */
  contentionMinAirtimes: number;
  contentionMaxAirtimes: number;
  /** SNR range mapped onto the window, dB. */
  snrFloorDb: number;
  snrCeilDb: number;
  /** End-to-end attempts per message (1..4; the attempt number is in the header). */
  maxAttempts: number;
  /** Retransmissions of a routed frame by each hop that does not hear the next hop forward it. */
  hopRetries: number;
  /**
   * Above this measured channel use a node does not fall back from a failed
   * route to a flood (it retries the route): on a congested channel a lost
   * ack is far likelier than a broken route, and a flood would feed the congestion.
   */
  politeChannelUse: number;
  /**
   * Window of the router's short-term channel use (frames it decoded from
   * other nodes), ms: it tells a hop that a burst (a flood) is crossing the
   * neighbourhood now, which the one-minute channel use shows only later.
   */
  recentUseWindowMs: number;
  /** Times a hop retry is put off (one more hop wait) while that short-term use is above politeChannelUse. */
  hopRetryDeferrals: number;
  /**
   * With no route, an envelope longer than this is not flooded: a 14-byte
   * route request is, and the envelope follows the route the reply teaches.
   * 0 (default): every envelope. Measured (1000 nodes, seeds 1-2), flooding
   * short envelopes instead made the busiest minutes: docs/BENCHMARKS.md router.
   */
  routeRequestAboveBytes: number;
  /** Hops assumed for a destination with no route, to size the first ack timeout. */
  expectedHops: number;
  /** Extra slack added to every ack timeout. */
  ackSlackMs: number;
  /** Routes unused or unconfirmed for this long are forgotten. */
  routeTtlMs: number;
  /** Announces: interval, relays allowed (0: neighbours only), flags, airtime share cap (own + relayed, like Reticulum's 2 %). */
  announceIntervalMs: number;
  announceHopLimit: number;
  announceFlags: number;
  announceAirtimeShare: number;
  /** The first announce comes at a random point of this window (default: one interval). */
  firstAnnounceWithinMs?: number;
  /** Largest envelope accepted for fragmentation. */
  maxEnvelopeBytes: number;
  /**
   * Share of the time this node may spend relaying floods of envelopes
   * (broadcasts; and, separately, the same share again for flooded direct
   * messages and fragments), and, separately, route requests: budgets so that one node flooding junk at its duty-cycle
   * limit is not amplified by every relay (issue 9), and so that junk
   * broadcasts cannot starve the route requests direct messages need. An
   * honest 100-node mesh spends far below either (docs/BENCHMARKS.md).
   */
  floodRelayShare: number;
  requestRelayShare: number;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  floodHopLimit: 20,
  floodSuppressDirect: 1,
  floodSuppressBroadcast: 2,
  contentionMinAirtimes: 1,
  contentionMaxAirtimes: 6,
  snrFloorDb: -20,
  snrCeilDb: 10,
  maxAttempts: 4,
  hopRetries: 3,
  politeChannelUse: 0.25,
  recentUseWindowMs: 10_000,
  hopRetryDeferrals: 2,
  routeRequestAboveBytes: 0,
  floodRelayShare: 0.01,
  requestRelayShare: 0.03,
  expectedHops: 8,
  ackSlackMs: 3000,
  routeTtlMs: 60 * 60_000,
  announceIntervalMs: 60 * 60_000,
  announceHopLimit: 0,
  announceFlags: 1,
  announceAirtimeShare: 0.02,
  maxEnvelopeBytes: 4096,
};

export interface SendOptions {
  readonly priority?: 'direct' | 'bulk';
  /**
   * The destination's Ed25519 node key, when the caller knows it (from a
   * card or a gateway's announce): the message then carries an origin block
   * so the destination learns who sent it, and only the destination can ack
   * it. Without it the router uses a key it holds (announces, earlier
   * messages); with none the message goes without an origin.
   */
  readonly destPublicKey?: Uint8Array;
}

export interface NeighbourInfo {
  /** Relay hint (first byte of the node id); the full id when an announce named it. */
  readonly hint: number;
  readonly nodeId?: string;
  readonly snrDb?: number;
  readonly rssiDbm?: number;
  readonly lastHeardMs: number;
  readonly frames: number;
}

export interface RouteInfo {
  readonly destHint: number;
  /** Relay hints in order, hex. */
  readonly path: string;
  readonly learnedAtMs: number;
  /** 'ack': a message's ack came back along it (data crossed it); 'reply': only a route request's reply did. */
  readonly source: 'ack' | 'reply' | 'announce' | 'fragment' | 'flood';
}

export interface CatalogEntry {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly flags: number;
  readonly sequence: number;
  readonly hops: number;
  readonly lastHeardMs: number;
}

export interface RouterCounters {
  framesReceived: number;
  framesSent: number;
  malformed: number;
  oversized: number;
  forged: number;
  duplicates: number;
  replayedAnnounces: number;
  badAnnounces: number;
  relayed: number;
  routedForwards: number;
  floods: number;
  relaysSuppressed: number;
  hopRetransmits: number;
  hopRepeats: number;
  hopRetriesDeferred: number;
  delivered: number;
  acksSent: number;
  acked: number;
  retries: number;
  failed: number;
  routeFallbacks: number;
  fragmentRequests: number;
  announcesSent: number;
  announcesThrottled: number;
  /** Flood relays not sent because this node's flood relay budget was spent (relay.ts). */
  floodRelaysThrottled: number;
  /** Direct messages for this node whose origin verified, and whose origin named a key or hint it holds but did not verify. */
  sourcesAuthenticated: number;
  forgedSources: number;
  /** Acks whose proof did not verify (a sourced message accepts only its pairwise proof). */
  badAckProofs: number;
  /** Second replies to route requests, along a path disjoint from the first (handlers/route-request.ts). */
  altReplies: number;
  /** Retries sent along such a second path after the first swallowed the message (outbox.ts). */
  altPathRetries: number;
}

export interface RouterStats {
  readonly nodeId: string;
  readonly counters: Readonly<RouterCounters>;
  readonly neighbours: readonly NeighbourInfo[];
  readonly routes: readonly RouteInfo[];
  readonly queueDepths: readonly number[];
  readonly pendingMessages: number;
  readonly reassembly: { partials: number; bytes: number; evicted: number; expired: number };
}

export function emptyCounters(): RouterCounters {
  return {
    framesReceived: 0, framesSent: 0, malformed: 0, oversized: 0, forged: 0, duplicates: 0, replayedAnnounces: 0,
    badAnnounces: 0, relayed: 0, routedForwards: 0, floods: 0, relaysSuppressed: 0, hopRetransmits: 0, hopRepeats: 0, hopRetriesDeferred: 0, delivered: 0, acksSent: 0, acked: 0,
    retries: 0, failed: 0, routeFallbacks: 0, fragmentRequests: 0, announcesSent: 0, announcesThrottled: 0, floodRelaysThrottled: 0,
    sourcesAuthenticated: 0, forgedSources: 0, badAckProofs: 0, altReplies: 0, altPathRetries: 0,
  };
}

export interface RouterOptions {
  readonly nodeKeys: NodeKeys;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly links: readonly Link[];
  /** One transmit queue per link (same order); default: scheduler/transmit-queue.ts with no carrier sense. */
  readonly queues?: readonly TransmitQueue[];
  readonly store?: RouterStore;
  readonly log?: RouterLogger;
  readonly config?: Partial<RouterConfig>;
}

/** What createRouter (router.ts) returns. */
export interface Router {
  readonly nodeId: Uint8Array;
  /** Resolves with the message id on the destination's end-to-end ack; rejects (RouterError 'delivery-failed') after the last attempt. */
  sendDirect(destNodeId: Uint8Array, envelope: Uint8Array, options?: SendOptions): Promise<string>;
  /** Floods an envelope to every node (no acknowledgement). */
  broadcast(envelope: Uint8Array): void;
  onDeliver(handler: (envelope: Uint8Array, meta: DeliverMeta) => void): void;
  /** Sends this node's announce now (also sent periodically). */
  announce(): boolean;
  /** The server catalog (whitepaper 6.1): announced nodes, filtered by flags (AnnounceFlag). */
  catalog(flags?: number): CatalogEntry[];
  stats(): RouterStats;
  close(): Promise<void>;
}
