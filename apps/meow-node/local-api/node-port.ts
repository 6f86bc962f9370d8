/**
 * The in-process NodePort (seams/node-port.ts) of the daemon: what the
 * node-hosted agent and the /v1/envelopes routes use.
 *
 *  - submit(): a row in the agents' durable outbox (store/agent-submissions.ts)
 *    before it resolves; a send loop then hands it to the mesh node that hosts
 *    the mailbox (router.sendDirect, settled by that node's end-to-end ack:
 *    'sent'; this node itself: deposited locally) and, when that fails or
 *    there is none, to the relays in order ('deposited'); retried with
 *    backoff until then or until it expires ('failed').
 *  - watched tags: envelopes delivered into this node's mailboxes under one
 *    of them (mesh-node.ts calls deposited()) and the ones already there are
 *    given to onEnvelope handlers; release() deletes them.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { ArrivedEnvelope, NodePort, SubmissionUpdate, SubmitRequest, WatchedMailbox } from '../../../seams/node-port.ts';
import type { RelayPort } from '../../../seams/relay-port.ts';
import { backoffDelayMs, DEFAULT_BACKOFF, type Store } from '../../../node-runtime/store/index.ts';
import { AgentSubmissions, type SubmissionRow } from '../../../node-runtime/store/agent-submissions.ts';

export const DEFAULT_SUBMISSION_TTL_MS = 7 * 24 * 3_600_000;
const SEND_LOOP_MS = 1_000;
const MAX_IN_FLIGHT = 16;

export interface InProcessNodePortDeps {
  readonly nodeId: Uint8Array;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  readonly sendDirect: (nodeId: Uint8Array, envelope: Uint8Array) => Promise<unknown>;
  /** Opens a relay port for a URL (gateway/client relayPort in the daemon). */
  readonly relay?: (url: string) => RelayPort;
}

export interface InProcessNodePort extends NodePort {
  /** mesh-node.ts: an envelope was just stored in this node's mailboxes under `tag`. */
  deposited(tag: Uint8Array, id: Uint8Array, envelope: Uint8Array): void;
  /** Runs the send loop once now (tests, and right after a submit). */
  pump(): void;
  stop(): void;
}

export function createInProcessNodePort(deps: InProcessNodePortDeps): InProcessNodePort {
  const { store, clock, suite, log } = deps;
  const submissions = new AgentSubmissions(store.database());
  const stateHandlers = new Set<(u: SubmissionUpdate) => void | Promise<void>>();
  const envelopeHandlers = new Set<(a: ArrivedEnvelope) => void | Promise<void>>();
  const inFlight = new Set<string>();
  const relays = new Map<string, RelayPort>();
  let watched = new Map<string, WatchedMailbox>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer = clock.setTimer(SEND_LOOP_MS, loop);
  function loop(): void {
    port.pump();
    if (!stopped) timer = clock.setTimer(SEND_LOOP_MS, loop);
  }

  function announce(u: SubmissionUpdate): void {
    for (const h of stateHandlers) {
      Promise.resolve().then(() => h(u)).catch((e: unknown) => log.warn('state handler failed', { error: (e as Error).message }));
    }
  }

  function give(arrived: ArrivedEnvelope): void {
    // One at a time, in arrival order: a handler's save finishes before the next envelope is opened.
    chain = chain.then(async () => {
      for (const h of envelopeHandlers) {
        try {
          await h(arrived);
        } catch (e) {
          log.warn('envelope handler failed', { error: (e as Error).message });
        }
      }
    });
  }

  function relayFor(url: string): RelayPort | undefined {
    if (!deps.relay) return undefined;
    let p = relays.get(url);
    if (!p) {
      p = deps.relay(url);
      relays.set(url, p);
    }
    return p;
  }

  async function attempt(row: SubmissionRow): Promise<void> {
    const attempts = row.attempts + 1;
    const settle = (state: 'sent' | 'deposited' | 'failed', failure?: string): void => {
      submissions.settle(row.id, state, { attempts, nextAttemptAt: 0, ...(failure ? { failure } : {}) });
      announce({ receiptId: toHex(row.id), state, ...(failure ? { failure } : {}) });
    };
    if (clock.now() >= row.expiresAt) return settle('failed', 'expired: no mesh node or relay took it in time');
    const problems: string[] = [];
    if (row.meshNode) {
      if (toHex(row.meshNode) === toHex(deps.nodeId)) {
        store.mailboxes.deposit(row.tag, envelopeId(suite, row.envelope), row.envelope);
        port.deposited(row.tag, envelopeId(suite, row.envelope), row.envelope);
        return settle('sent');
      }
      try {
        await deps.sendDirect(row.meshNode, row.envelope);
        return settle('sent');
      } catch (e) {
        problems.push(`mesh node ${toHex(row.meshNode)}: ${(e as Error).message}`);
      }
    }
    for (const url of row.relays) {
      const relay = relayFor(url);
      if (!relay) continue;
      try {
        await relay.deposit(row.tag, row.envelope);
        return settle('deposited');
      } catch (e) {
        problems.push(`${url}: ${(e as Error).message}`);
      }
    }
    const next = clock.now() + backoffDelayMs(attempts, DEFAULT_BACKOFF, deps.random);
    submissions.settle(row.id, 'queued', { attempts, nextAttemptAt: next, failure: problems.join('; ') || 'no route' });
    log.debug('agent envelope not delivered yet', { attempts, problems });
  }

  const port: InProcessNodePort = {
    meshNodeId: deps.nodeId,
    async submit(request: SubmitRequest): Promise<string> {
      const id = envelopeId(suite, request.envelope);
      const now = clock.now();
      submissions.add({
        id, tag: request.tag, envelope: request.envelope, relays: request.relays, nowMs: now,
        expiresAt: now + (request.ttlMs ?? DEFAULT_SUBMISSION_TTL_MS), ...(request.meshNode ? { meshNode: request.meshNode } : {}),
      });
      queueMicrotask(() => port.pump());
      return toHex(id);
    },
    receiptState(receiptId: string): SubmissionUpdate | undefined {
      const bytes = Uint8Array.from(Buffer.from(receiptId, 'hex'));
      const row = submissions.get(bytes);
      return row ? { receiptId, state: row.state, ...(row.failure && row.state === 'failed' ? { failure: row.failure } : {}) } : undefined;
    },
    onState(handler) {
      stateHandlers.add(handler);
      return () => stateHandlers.delete(handler);
    },
    watch(mailboxes: readonly WatchedMailbox[]): void {
      const before = watched;
      watched = new Map(mailboxes.map((m) => [toHex(m.tag), m]));
      for (const [hex, m] of watched) {
        if (before.has(hex)) continue;
        for (const stored of store.mailboxes.list(m.tag, { limit: 1000 })) {
          give({ tag: m.tag, id: stored.id, envelope: stored.bytes, receivedAt: stored.storedAt });
        }
      }
    },
    onEnvelope(handler) {
      envelopeHandlers.add(handler);
      return () => envelopeHandlers.delete(handler);
    },
    release(tag: Uint8Array, id: Uint8Array): void {
      store.mailboxes.delete(tag, [id]);
    },
    deposited(tag: Uint8Array, id: Uint8Array, envelope: Uint8Array): void {
      if (watched.has(toHex(tag))) give({ tag, id, envelope, receivedAt: clock.now() });
    },
    pump(): void {
      if (stopped) return;
      for (const row of submissions.due(clock.now(), MAX_IN_FLIGHT)) {
        const key = toHex(row.id);
        if (inFlight.has(key) || inFlight.size >= MAX_IN_FLIGHT) continue;
        inFlight.add(key);
        attempt(row).catch((e: unknown) => log.warn('agent envelope attempt failed', { error: (e as Error).message }))
          .finally(() => inFlight.delete(key));
      }
    },
    stop(): void {
      stopped = true;
      timer.cancel();
      for (const r of relays.values()) void r.close();
    },
  };
  return port;
}
