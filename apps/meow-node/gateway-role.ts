/**
 * The gateway role of a mesh node configured with relay URLs: it queues
 * Internet-bound envelopes that mesh users hand it, flushes them when a
 * relay is reachable, and fetches the mail of users who registered with it
 * (gateway/bridge/). Requests arrive over the mesh (protocol/gateway/request.ts).
 * It also carries mesh users' Matriochka onions to their first relay and
 * answers what became of them (gateway/bridge/onion-carrier.ts).
 */
import { join } from 'node:path';
import { constantTimeEqual, fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { GatewayRequest } from '../../protocol/gateway/request.ts';
import { gatewayAgreementSecret, openRegistration } from '../../protocol/gateway/registration.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { ConnectivityMonitor, type RelayState } from '../../gateway/bridge/connectivity.ts';
import { InternetOutbox, type InternetOutboxStats } from '../../gateway/bridge/internet-outbox.ts';
import { MailFetcher, type MailFetcherStats } from '../../gateway/bridge/mail-fetcher.ts';
import { MeshInjector, type MeshInjectorStats } from '../../gateway/bridge/mesh-injector.ts';
import type { RelayPort } from '../../seams/relay-port.ts';
import { KnownRelayKeys, parseRelayKey, pinnedRelayPort } from '../../gateway/bridge/pinned-relay-port.ts';
import { RegistrationBook } from '../../gateway/bridge/registration-book.ts';
import { type RegistrationAdmission, RegistrationAllowance } from '../../gateway/bridge/registration-allowance.ts';
import { ceilingRelayPort, GatewayAllowance } from '../../gateway/bridge/gateway-allowance.ts';
import { redactUrl } from '../../gateway/bridge/redact-url.ts';
import { type CarriedRelay, OnionCarrier, type OnionCarrierStats } from '../../gateway/bridge/onion-carrier.ts';
import { connectRelay } from '../../gateway/client/connect.ts';
import type { Clock } from '../../seams/clock.ts';
import { DEFAULT_CARRY_PER_SENDER_PER_HOUR } from './onion-config.ts';
import { GATEWAY_OUTBOX_QUEUE, type Store } from '../../node-runtime/store/index.ts';
import type { NodeConfig } from './config.ts';
import type { Logger } from '../../seams/logger.ts';
import type { NodeKey } from './node-key.ts';

/** How far in the future a registration's issue time may be (clocks of mesh devices drift). */
const MAX_CLOCK_SKEW_SEC = 600;
/**
 * How long a deposit sent to a relay is remembered, so that a copy captured
 * on air and replayed later is a duplicate (free) rather than a new deposit
 * charged to its sender and stamped again: a month, past the outbox's 14
 * days and the store's default week. Bounded by the allowances (one id per
 * admitted deposit).
 */
const SENT_DEPOSIT_RETENTION_MS = 30 * 24 * 3_600_000;

export interface GatewayStatus {
  readonly relays: readonly RelayState[];
  readonly outbox: InternetOutboxStats;
  readonly fetcher: MailFetcherStats;
  readonly injector: MeshInjectorStats;
  readonly onions: OnionCarrierStats;
}

export interface RunningGateway {
  /**
   * Handles a request from the mesh; true once it is durably accepted, false
   * when its sender is over its allowance (not acknowledged: it retries later).
   * `sender` is the mesh node the router authenticated (hex node id); without
   * one the request draws on the allowance all unauthenticated senders share
   * (gateway-allowance.ts), and a registration is kept only when its
   * `deliverTo` is that sender. `senderPublicKey`: that sender's node key
   * (DeliverMeta.sourcePublicKey), kept with its registration so the mail
   * injected for it is sent authenticated even after a restart, and used for
   * the answer to its onion request; ignored unless it is that sender's key.
   * Registrations are bounded per node (registration-allowance.ts).
   */
  handle(request: GatewayRequest, sender?: string, senderPublicKey?: Uint8Array): boolean;
  status(): GatewayStatus;
  stop(): Promise<void>;
}

export interface GatewayDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  readonly log: Logger;
  readonly store: Store;
  readonly nodeKey: NodeKey;
  /**
   * Sends an envelope to a mesh node, resolving on its end-to-end
   * acknowledgement (the router); `destPublicKey`, the node's key when the
   * gateway knows it, makes the message sourced (SendOptions.destPublicKey).
   */
  readonly sendToNode: (nodeId: Uint8Array, envelope: Uint8Array, destPublicKey?: Uint8Array) => Promise<unknown>;
  /** Relay ports by URL; default: the relay client library (gateway/client). */
  readonly openRelay?: (url: string) => RelayPort;
}

export async function startGateway(config: NodeConfig, deps: GatewayDeps): Promise<RunningGateway> {
  const { clock, random, suite, log, store } = deps;
  // Every relay is talked to under a known key: pinned in the config, or remembered from first contact (review H1).
  const known = new KnownRelayKeys(join(config.dataDir, 'relay-keys.json'));
  const open = deps.openRelay ?? ((url: string) => {
    const pin = config.gateway.relayKeys[url];
    return pinnedRelayPort(url, { suite, random, clock, stampBits: config.gateway.depositStampBits }, pin ? parseRelayKey(pin) : undefined, known);
  });
  // Stamp work for mesh users is bounded: per sender, and over all of them per minute (issue 9 item 6).
  const allowance = new GatewayAllowance({ stampBits: config.gateway.depositStampBits });
  const relays = config.gateway.relays.map((url) => ceilingRelayPort(open(url), allowance, clock));
  // Onions cost no stamp here (the sender minted it for the last relay) but radio time for the answers: a bucket of their own.
  const carryPerHour = config.onion?.carryPerSenderPerHour ?? DEFAULT_CARRY_PER_SENDER_PER_HOUR;
  const onionAllowance = new GatewayAllowance({ stampBits: 0, perSender: { capacity: carryPerHour, refillPerSecond: carryPerHour / 3600 } });
  // `key` when it is the node key of `nodeId`, else nothing: a wrong caller or a damaged book
  // must not key a send to another node (its origin would not verify there; none is better).
  const keyOf = (nodeId: Uint8Array | undefined, key: Uint8Array | undefined): Uint8Array | undefined =>
    nodeId && key && constantTimeEqual(meshNodeId(suite, key), nodeId) ? key : undefined;
  const openCarried = async (url: string): Promise<CarriedRelay> => {
    // Under the key the gateway knows for the relay, as its deposits are (review H1).
    const pin = config.gateway.relayKeys[url];
    const key = (pin ? parseRelayKey(pin) : undefined) ?? known.get(url);
    const client = await connectRelay(url, { suite, random, clock, ...(key ? { server: key } : {}) });
    if (!key) known.remember(url, client.serverKey);
    return client;
  };
  const onions = new OnionCarrier({
    relays: config.gateway.relays, open: openCarried, allowance: onionAllowance, clock,
    // Keyed to the asking node when its key came with the request, as injected mail is: the answer carries an origin.
    reply: (nodeId, answer, nodeKey) => deps.sendToNode(nodeId, answer, nodeKey), log: (event, fields) => log.info(event, fields),
  });
  const connectivity = new ConnectivityMonitor({
    clock, relays, onlineProbeMs: config.gateway.onlineProbeMs, offlineProbeMs: config.gateway.offlineProbeMs,
  });
  connectivity.onChange((url, online) => log.info(online ? 'relay reachable' : 'relay unreachable', { relay: redactUrl(url) }));
  // Error messages from the transports may quote a URL: strip any basic-auth credentials from every field.
  const emit = (event: string, fields: Record<string, unknown>): void => log.info(event, Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/\/\/[^/@\s]*@/g, '//') : v]),
  ));
  const outbox = new InternetOutbox({ outbox: store.outbox(GATEWAY_OUTBOX_QUEUE, { sentRetentionMs: SENT_DEPOSIT_RETENTION_MS }), relays, connectivity, clock, suite, log: emit, transaction: (fn) => store.batch(fn) });
  const fetcher = new MailFetcher({
    relays, connectivity, mailboxes: store.mailboxes, clock, suite, log: emit, pollMs: config.gateway.pollMs, onStored: (node) => void injector.drain(node),
  });
  // Node keys of registered nodes (hex node id -> key), kept in the book: after a restart the router
  // has forgotten them, and mail sent without one would be settled by the forgeable network-key ack.
  const nodeKeys = new Map<string, Uint8Array>();
  const injector = new MeshInjector({
    mailboxes: store.mailboxes, clock, send: (nodeId, envelope) => deps.sendToNode(nodeId, envelope, nodeKeys.get(toHex(nodeId))), destinations: () => fetcher.destinations(), log: emit,
  });
  // Registrations are sealed to the X25519 form of the announced node key (registration.ts).
  const agreementSecret = gatewayAgreementSecret(deps.nodeKey.seed);
  const secrets = { signingPublic: deps.nodeKey.publicKey, agreementSecret, agreementPublic: suite.x25519PublicKey(agreementSecret) };
  // Registrations survive restarts (kept sealed, as they arrived); expired ones are dropped on load.
  const book = new RegistrationBook(join(config.dataDir, 'gateway-registrations.bin'));
  // Each registration is a mailbox polled until it expires: a few per node, a rate of new ones, a fair share of the book.
  const registrations = new RegistrationAllowance();
  // `sender`: the node the router authenticated; 'restored' for one read back from the book (checked when it came).
  const accept = (sealed: Uint8Array, sender: string | undefined | 'restored', senderPublicKey?: Uint8Array): void => {
    const opened = openRegistration(suite, secrets, sealed);
    if (!opened.ok) {
      log.warn('gateway registration refused', { code: opened.code });
      return;
    }
    const reg = opened.value;
    // Mail goes only to the node that asked for it: the Lkp signature proves the mailbox is the
    // sender's, not that `deliverTo` is, so anyone could otherwise aim a gateway's airtime at a
    // node that never asked. A registrant seals to this node's key, so it can always send authenticated.
    if (sender !== 'restored' && sender !== toHex(reg.deliverTo)) {
      log.warn('gateway registration refused', { code: 'not-the-sender', authenticated: sender !== undefined });
      return;
    }
    const nowSec = Math.floor(clock.now() / 1000);
    // Expired, or issued in the future (beyond clock skew): ignored, and never
    // allowed to touch the registration kept for the same key (review M2).
    if (reg.expiresAtSec <= nowSec || reg.issuedAtSec > nowSec + MAX_CLOCK_SKEW_SEC) {
      log.warn('gateway registration out of its time window', { issuedAtSec: reg.issuedAtSec, expiresAtSec: reg.expiresAtSec });
      return;
    }
    const node = toHex(reg.deliverTo);
    const lookup = toHex(reg.lookup.publicKey);
    // One read back from the book was admitted when it came: it counts toward its node's bound, it is not charged.
    let admission: RegistrationAdmission | 'restored' = 'restored';
    if (sender !== 'restored') {
      admission = registrations.admit(node, lookup, clock.now());
      if (admission !== 'new' && admission !== 'replacement') {
        log.warn('gateway registration refused', { code: admission });
        return;
      }
    }
    const outcome = fetcher.register(reg);
    if (outcome === 'registered') {
      registrations.kept(node, lookup, reg.expiresAtSec);
      // Kept only when it is deliverTo's own key (a damaged book or a wrong caller must not key mail to another node).
      const key = keyOf(reg.deliverTo, senderPublicKey);
      if (key) nodeKeys.set(node, key.slice());
      book.put(lookup, sealed, key);
    } else {
      if (admission === 'new') registrations.refund(node);
      log.warn('gateway registration not kept', { outcome, relay: redactUrl(reg.relayUrl) });
    }
  };
  for (const entry of book.load()) accept(entry.sealed, 'restored', entry.senderPublicKey);
  book.save(); // forget expired and superseded registrations on disk too
  connectivity.start();
  fetcher.start();
  injector.start();

  return {
    handle(request, sender, senderPublicKey) {
      switch (request.kind) {
        case 'relay-deposit': {
          if (!config.gateway.relays.includes(request.relayUrl)) {
            log.warn('deposit for a relay this gateway does not serve', { relay: redactUrl(request.relayUrl) });
            return true; // final: acknowledged and dropped, never retried
          }
          if (!allowance.admit(sender, clock.now())) return false;
          let queued: ReturnType<typeof outbox.enqueue>;
          try {
            queued = outbox.enqueue(request.relayUrl, request.tag, request.envelope);
          } catch (error) {
            // Not queued (outbox full, disk error): not acknowledged, the sender retries, and is not charged.
            allowance.refund(sender);
            throw error;
          }
          // A replay after the router's window (or a retry) of a deposit queued or sent within the
          // outbox's retention is a duplicate: acknowledged, never deposited again, and free.
          if (queued !== 'added') allowance.refund(sender);
          return true;
        }
        case 'registration':
          accept(request.sealed, sender, senderPublicKey);
          return true;
        case 'onion':
        case 'onion-catalog':
          return onions.handle(request, sender, keyOf(sender === undefined ? undefined : fromHex(sender), senderPublicKey));
      }
    },
    status: () => ({ relays: connectivity.snapshot(), outbox: outbox.stats(), fetcher: fetcher.stats(), injector: injector.stats(), onions: { ...onions.stats } }),
    async stop() {
      await onions.close();
      connectivity.close();
      await outbox.close();
      await fetcher.close();
      await injector.close();
      await Promise.all(relays.map((r) => r.close().catch(() => undefined)));
    },
  };
}
