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
 *  - watched mailboxes with an Lkp secret and relays are fetched from those
 *    relays (relay-fetch.ts) every `fetchEveryMs`, at once when a new one is
 *    watched, and on demand (fetchNow).
 *  - direct path (docs/PROTOCOL.md, "Presence and direct messaging"): a
 *    submission with the contact's presence address goes straight to that
 *    node first (`direct.send`); envelopes arriving at this node's direct
 *    endpoint are filed by receiveDirect() only under a watched mailbox,
 *    once (a replay is a duplicate), and handed to the agent like a fetched
 *    one. The address is kept in memory only: after a restart the message
 *    goes by the mesh or the relays.
 *  - an attempt that fails is announced as `queued` with the reason
 *    ("relay unreachable: ..."), so the user sees why it is not out yet.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { decodeEnvelopeFields } from '../../../protocol/envelope/clear-fields.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { ArrivedEnvelope, NodePort, SubmissionUpdate, SubmitRequest, WatchedMailbox } from '../../../seams/node-port.ts';
import type { RelayPort } from '../../../seams/relay-port.ts';
import type { Store } from '../../../node-runtime/store/index.ts';
import type { DirectAcceptOutcome } from '../../../node-runtime/direct/endpoint.ts';
import { AgentSubmissions } from '../../../node-runtime/store/agent-submissions.ts';
import { createRelayFetcher, type RelayFetchStatus } from './relay-fetch.ts';
import { attemptDelivery, RelayPortCache } from './submission-attempt.ts';
import { OnionLedger, withOnionRoute } from './onion-attempt.ts';

export const DEFAULT_SUBMISSION_TTL_MS = 7 * 24 * 3_600_000;
const SEND_LOOP_MS = 1_000;
const MAX_IN_FLIGHT = 16;
/** Direct addresses remembered for submissions in flight; past it the oldest is forgotten (that one goes by relay). */
const MAX_DIRECT_ADDRESSES = 1024;
/** How often watched mailboxes are fetched from relays: a message through a relay waits at most this long, plus the sender's side. */
export const DEFAULT_RELAY_FETCH_MS = 10_000;

export interface InProcessNodePortDeps {
  readonly nodeId: Uint8Array;
  /** The node's Ed25519 public key (never its secret): agents put it on their cards (NodePort.meshNodeKey). */
  readonly nodePublicKey?: Uint8Array;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  readonly sendDirect: (nodeId: Uint8Array, envelope: Uint8Array) => Promise<unknown>;
  /** Opens a relay port for a URL (gateway/client relayPort in the daemon). */
  readonly relay?: (url: string) => RelayPort;
  /** Period of the relay fetch (DEFAULT_RELAY_FETCH_MS). */
  readonly fetchEveryMs?: number;
  /** This node's direct endpoint (its advertised address) and the sender to contacts' endpoints. */
  readonly direct?: {
    /** The address to advertise now (it may change: a reflector's observation). */
    readonly address: () => string | undefined;
    readonly send: (address: string, envelope: Uint8Array) => Promise<unknown>;
    readonly punch?: (address: string) => void;
  };
}

export interface InProcessNodePort extends NodePort {
  /** mesh-node.ts: an envelope was just stored in this node's mailboxes under `tag`. */
  deposited(tag: Uint8Array, id: Uint8Array, envelope: Uint8Array): void;
  /** Runs the send loop once now (tests, and right after a submit). */
  pump(): void;
  /**
   * Sets the mailboxes one watcher wants ('agent' is the node-hosted agent's
   * watch(); 'api' the browser's registrations): the node watches their union.
   */
  watchFor(source: string, mailboxes: readonly WatchedMailbox[]): void;
  /** An envelope that came to this node's direct endpoint: filed only under a watched mailbox, once. */
  receiveDirect(envelope: Uint8Array): DirectAcceptOutcome;
  /** Stores an envelope kept elsewhere (a locked compartment's, now opened) in this node's mailboxes and hands it to the watchers. */
  inject(envelope: Uint8Array): void;
  /** The envelopes this node holds under `tag`, oldest first. */
  held(tag: Uint8Array): ArrivedEnvelope[];
  /** Fetches every watched mailbox from its relays now; resolves with how many envelopes arrived. */
  fetchNow(): Promise<number>;
  /** What the last fetch learnt of each relay. */
  relayStatus(): RelayFetchStatus[];
  stop(): void;
}

/** Runs `step` every `periodMs` on the injected clock, the next period counted from when a slow step finishes. */
function repeat(clock: Clock, periodMs: number, step: () => unknown): { cancel(): void } {
  let cancelled = false;
  let timer = clock.setTimer(periodMs, tick);
  function tick(): void {
    void Promise.resolve(step()).finally(() => {
      if (!cancelled) timer = clock.setTimer(periodMs, tick);
    });
  }
  return { cancel: () => { cancelled = true; timer.cancel(); } };
}

export function createInProcessNodePort(deps: InProcessNodePortDeps): InProcessNodePort {
  const { store, clock, suite, log } = deps;
  const submissions = new AgentSubmissions(store.database());
  const onions = new OnionLedger();
  const stateHandlers = new Set<(u: SubmissionUpdate) => void | Promise<void>>();
  const envelopeHandlers = new Set<(a: ArrivedEnvelope) => void | Promise<void>>();
  const inFlight = new Set<string>();
  const watchers = new Map<string, readonly WatchedMailbox[]>();
  const directAddresses = new Map<string, string>();
  let watched = new Map<string, WatchedMailbox>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const sendLoop = repeat(clock, SEND_LOOP_MS, () => port.pump());
  const relays = new RelayPortCache(deps.relay);
  const relayFor = (url: string): RelayPort | undefined => relays.get(url);
  const fetcher = createRelayFetcher({ store, suite, clock, log, relayFor, stored: (tag, id, envelope) => port.deposited(tag, id, envelope) });
  const fetchEveryMs = deps.fetchEveryMs ?? DEFAULT_RELAY_FETCH_MS;
  const fetchLoop = repeat(clock, fetchEveryMs, () => port.fetchNow().catch(() => 0));

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

  const port: InProcessNodePort = {
    meshNodeId: deps.nodeId,
    ...(deps.nodePublicKey ? { meshNodeKey: deps.nodePublicKey } : {}),
    get directAddress(): string | undefined {
      return deps.direct?.address();
    },
    ...(deps.direct?.punch ? { punch: deps.direct.punch } : {}),
    async lookupPresence(tag: Uint8Array, urls: readonly string[]): Promise<Uint8Array | undefined> {
      for (const url of urls) {
        try {
          const blob = await relayFor(url)?.lookupPresence?.(tag);
          if (blob) return blob;
        } catch (e) {
          log.debug('presence lookup failed', { error: (e as Error).message });
        }
      }
      return undefined;
    },
    async submit(request: SubmitRequest): Promise<string> {
      const id = envelopeId(suite, request.envelope);
      const now = clock.now();
      if (request.direct && deps.direct) {
        if (directAddresses.size >= MAX_DIRECT_ADDRESSES) directAddresses.delete(directAddresses.keys().next().value!);
        directAddresses.set(toHex(id), request.direct);
      }
      submissions.add({
        id, tag: request.tag, envelope: request.envelope, relays: request.onion ? withOnionRoute(request.relays, request.onion) : request.relays, nowMs: now,
        expiresAt: now + (request.ttlMs ?? DEFAULT_SUBMISSION_TTL_MS), ...(request.meshNode ? { meshNode: request.meshNode } : {}),
      });
      queueMicrotask(() => port.pump());
      return toHex(id);
    },
    receiptState(receiptId: string): SubmissionUpdate | undefined {
      const bytes = Uint8Array.from(Buffer.from(receiptId, 'hex'));
      const row = submissions.get(bytes);
      return row ? { receiptId, state: row.state, ...(row.failure && (row.state === 'failed' || row.state === 'queued') ? { failure: row.failure } : {}) } : undefined;
    },
    onState(handler) {
      stateHandlers.add(handler);
      return () => stateHandlers.delete(handler);
    },
    watch(mailboxes: readonly WatchedMailbox[]): void {
      port.watchFor('agent', mailboxes);
    },
    watchFor(source: string, mailboxes: readonly WatchedMailbox[]): void {
      const before = watched;
      watchers.set(source, mailboxes);
      watched = new Map([...watchers.values()].flat().map((m) => [toHex(m.tag), m]));
      let fresh = false;
      for (const [hex, m] of watched) {
        // A new or changed presence is published by a fetch pass at once.
        const blob = m.presence?.blob;
        if (blob && m.relays?.length && toHex(before.get(hex)?.presence?.blob ?? new Uint8Array(0)) !== toHex(blob)) fresh = true;
        if (before.has(hex)) continue;
        if (m.lookupSecret && m.relays?.length) fresh = true;
        for (const stored of store.mailboxes.list(m.tag, { limit: 1000 })) {
          give({ tag: m.tag, id: stored.id, envelope: stored.bytes, receivedAt: stored.storedAt });
        }
      }
      // A new mailbox is registered on its relays at once: a contact's first deposit is refused until then.
      if (fresh) void port.fetchNow().catch(() => 0);
    },
    onEnvelope(handler) {
      envelopeHandlers.add(handler);
      return () => envelopeHandlers.delete(handler);
    },
    inject(envelope: Uint8Array): void {
      const fields = decodeEnvelopeFields(envelope);
      if (!fields.ok || fields.value.kind !== 'direct') return;
      const id = envelopeId(suite, envelope);
      // 'duplicate' is the usual answer: the node released this very envelope when the vault took it (its seen log
      // remembers the id). It is handed over all the same; the vault keeps its copy until the agent's next save.
      if (store.mailboxes.deposit(fields.value.mailboxTag, id, envelope) !== 'expired') port.deposited(fields.value.mailboxTag, id, envelope);
    },
    receiveDirect(envelope: Uint8Array): DirectAcceptOutcome {
      const fields = decodeEnvelopeFields(envelope);
      if (!fields.ok || fields.value.kind !== 'direct') return 'malformed';
      // Only a mailbox an agent here watches: anyone on the network can send to the endpoint.
      if (!watched.has(toHex(fields.value.mailboxTag))) return 'unknown-mailbox';
      const id = envelopeId(suite, envelope);
      const outcome = store.mailboxes.deposit(fields.value.mailboxTag, id, envelope);
      if (outcome !== 'stored') return outcome === 'duplicate' ? 'duplicate' : 'malformed';
      port.deposited(fields.value.mailboxTag, id, envelope);
      return 'stored';
    },
    held(tag: Uint8Array): ArrivedEnvelope[] {
      return store.mailboxes.list(tag, { limit: 1000 }).map((m) => ({ tag, id: m.id, envelope: m.bytes, receivedAt: m.storedAt }));
    },
    confirmed(receiptId: string): void {
      onions.confirmed(submissions, receiptId);
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
        attemptDelivery({
          ...deps, submissions, relayFor, announce, deposited: port.deposited, onions,
          ...(deps.direct ? { directFor: (id: Uint8Array) => directAddresses.get(toHex(id)), sendToAddress: deps.direct.send } : {}),
        }, row).catch((e: unknown) => log.warn('agent envelope attempt failed', { error: (e as Error).message }))
          .finally(() => inFlight.delete(key));
      }
    },
    fetchNow(): Promise<number> {
      if (stopped) return Promise.resolve(0);
      return fetcher.fetchAll([...watched.values()]);
    },
    relayStatus: () => fetcher.status(),
    stop(): void {
      stopped = true;
      sendLoop.cancel();
      fetchLoop.cancel();
      relays.closeAll();
    },
  };
  return port;
}
