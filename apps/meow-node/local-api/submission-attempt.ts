/**
 * One delivery attempt of an agent's submission (node-port.ts runs them from
 * its send loop): straight to the contact's node when its presence gave a
 * direct address (node-runtime/direct), else to the mesh node hosting the
 * mailbox (this node itself: a local deposit), else to the relays in order; a failure is announced as
 * `queued` with its reason and retried with backoff, a refusal by every
 * relay with no mesh node left is final (`failed`), and so is expiry.
 *
 * The mesh node is named by its 8-byte node id (a card's `mesh://` entry) or
 * by its 32-byte Ed25519 node key: with the key the message carries an origin
 * block even when this node never heard that node's announce (it is farther
 * than one hop), so the destination knows which node sent it and only the
 * destination can acknowledge it (node-runtime/router/sources.ts). With an id
 * alone the router uses a key it holds (a neighbour's announce, an earlier
 * authenticated message from that node) or sends without an origin.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { meshNodeId } from '../../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { DeliveryPath, SubmissionUpdate } from '../../../seams/node-port.ts';
import { type RelayPort, RelayRefusedError } from '../../../seams/relay-port.ts';
import { redactUrl } from '../../../gateway/bridge/redact-url.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, type Store } from '../../../node-runtime/store/index.ts';
import type { AgentSubmissions, SubmissionRow } from '../../../node-runtime/store/agent-submissions.ts';
import { attemptOnion, OnionLedger, splitOnionRoute } from './onion-attempt.ts';

/** This node's mailboxes file envelopes under the 6-byte tag they carry; relays under the 16-byte one. */
const MESH_TAG_BYTES = 6;
const RELAY_TAG_BYTES = 16;
/** A submission's mesh node: its node id, or its node key (the id is derived from it). */
const NODE_KEY_BYTES = 32;

export interface AttemptContext {
  readonly nodeId: Uint8Array;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  readonly submissions: AgentSubmissions;
  /** The router's sendDirect; `destPublicKey` when the submission named the node by its key. */
  readonly sendDirect: (nodeId: Uint8Array, envelope: Uint8Array, destPublicKey?: Uint8Array) => Promise<unknown>;
  readonly relayFor: (url: string) => RelayPort | undefined;
  readonly announce: (update: SubmissionUpdate) => void;
  readonly deposited: (tag: Uint8Array, id: Uint8Array, envelope: Uint8Array) => void;
  /** The contact's direct address for this submission (from its presence), when there is one. */
  readonly directFor?: (id: Uint8Array) => string | undefined;
  /** Sends to a direct address (node-runtime/direct/sender.ts); rejects when the path fails. */
  readonly sendToAddress?: (address: string, envelope: Uint8Array) => Promise<unknown>;
  /** Matriochka submissions' chains awaiting their receipt (onion-attempt.ts). */
  readonly onions?: OnionLedger;
}

/** One relay port per URL, opened on first use and kept for the node's life. */
export class RelayPortCache {
  private readonly ports = new Map<string, RelayPort>();

  constructor(private readonly open: ((url: string) => RelayPort) | undefined) {}

  get(url: string): RelayPort | undefined {
    if (!this.open) return undefined;
    let port = this.ports.get(url);
    if (!port) {
      port = this.open(url);
      this.ports.set(url, port);
    }
    return port;
  }

  closeAll(): void {
    for (const port of this.ports.values()) void port.close();
  }
}

export async function attemptDelivery(ctx: AttemptContext, row: SubmissionRow): Promise<void> {
const { submissions, clock, suite, store, announce, relayFor, log } = ctx;
  const attempts = row.attempts + 1;
  const settle = (state: 'sent' | 'deposited' | 'failed', failure?: string, via?: DeliveryPath): void => {
    submissions.settle(row.id, state, { attempts, nextAttemptAt: 0, ...(failure ? { failure } : {}) });
    announce({ receiptId: toHex(row.id), state, ...(failure ? { failure } : {}), ...(via ? { via } : {}) });
  };
  const onion = splitOnionRoute(row.relays);
  // An onion goes only as an onion: never by the mesh, a direct address or a plain deposit.
  if (onion.route) return attemptOnion({ ...ctx, onions: ctx.onions ?? new OnionLedger() }, row, onion.route, onion.relays);
  if (clock.now() >= row.expiresAt) return settle('failed', 'expired: no mesh node or relay took it in time');
  const problems: string[] = [];
  let refusals = 0;
  const direct = ctx.directFor?.(row.id);
  if (direct && ctx.sendToAddress) {
    try {
      await ctx.sendToAddress(direct, row.envelope);
      return settle('sent', undefined, 'direct');
    } catch (e) {
      // The address itself is not shown: it is the contact's, and the user's history may be read by others.
      problems.push(`direct path: ${(e as Error).message}`);
    }
  }
  const mesh = row.meshNode && meshTarget(suite, row.meshNode);
  if (mesh) {
    if (toHex(mesh.nodeId) === toHex(ctx.nodeId)) {
      // This node's mailboxes are filed under the 6-byte tag envelopes carry (a prefix of the relay's).
      const meshTag = row.tag.slice(0, MESH_TAG_BYTES);
      store.mailboxes.deposit(meshTag, envelopeId(suite, row.envelope), row.envelope);
      ctx.deposited(meshTag, envelopeId(suite, row.envelope), row.envelope);
      return settle('sent', undefined, 'mesh');
    }
    try {
      await (mesh.publicKey ? ctx.sendDirect(mesh.nodeId, row.envelope, mesh.publicKey) : ctx.sendDirect(mesh.nodeId, row.envelope));
      return settle('sent', undefined, 'mesh');
    } catch (e) {
      problems.push(`mesh node ${toHex(mesh.nodeId)}: ${(e as Error).message}`);
    }
  }
  for (const url of row.relays) {
    const relay = relayFor(url);
    if (!relay) continue;
    if (row.tag.length !== RELAY_TAG_BYTES) {
      problems.push(`relay ${redactUrl(url)}: the envelope came without its relay mailbox tag`);
      refusals++;
      continue;
    }
    try {
      await relay.deposit(row.tag, row.envelope);
      return settle('deposited', undefined, 'relay');
    } catch (e) {
      const refused = e instanceof RelayRefusedError;
      if (refused) refusals++;
      // Shown to the user and logged: without the `user:pass` a card may carry.
      problems.push(`relay ${redactUrl(url)} ${refused ? 'refused it' : 'unreachable'}: ${(e as Error).message}`);
    }
  }
  // Every relay refused it for good (too large, malformed) and no mesh node is left to try: retrying changes nothing.
  if (!row.meshNode && row.relays.length > 0 && refusals === row.relays.length) return settle('failed', problems.join('; '));
  const next = clock.now() + backoffDelayMs(attempts, DEFAULT_BACKOFF, ctx.random);
  const failure = problems.join('; ') || 'no route';
  submissions.settle(row.id, 'queued', { attempts, nextAttemptAt: next, failure });
  announce({ receiptId: toHex(row.id), state: 'queued', failure });
  log.debug('agent envelope not delivered yet', { attempts, problems });
}

/** The node id to send to, and the node key when the submission gave it (32 bytes) rather than the id (8). */
export function meshTarget(suite: CryptoSuite, meshNode: Uint8Array): { nodeId: Uint8Array; publicKey?: Uint8Array } {
  return meshNode.length === NODE_KEY_BYTES ? { nodeId: meshNodeId(suite, meshNode), publicKey: meshNode } : { nodeId: meshNode };
}
