/**
 * What a node does with an envelope the router delivers to it: keep it in
 * the hosted mailboxes (1:1 and presence under their mailbox tag, group
 * messages under the group tag, emergency broadcasts under a reserved tag,
 * sensor readings under the sensor id), or hand a gateway request to the
 * gateway role. The router acknowledges end to end only when this returns
 * true, i.e. after the write returned (synchronous=FULL): nothing accepted
 * is lost (test/daemon/crash.test.ts).
 *
 * What an open radio can send is budgeted before it is stored (issue 9
 * item 2; anyone holding the default network key can send anything):
 *  - broadcasts from a trusted broadcaster's key id are verified first (a
 *    forged one is dropped) and kept apart, under TRUSTED_BROADCAST_TAG,
 *    where nobody without the key can push them out; broadcasts from other
 *    keys cannot be verified (the envelope names only a key id) and share
 *    BROADCAST_TAG under a per-key-id budget, the oldest evicted first when
 *    it is full, so a flood delays genuine ones but never locks them out;
 *  - direct, group, presence and sensor envelopes: a budget per mailbox tag
 *    and one for mailboxes new to this node, and new mailboxes only while
 *    the store is below its mesh share, so tags of a sender's choosing
 *    cannot fill the node's total. Over budget, the acknowledgement is
 *    withheld: an honest sender keeps the message and retries later
 *    (costing it airtime), nothing acknowledged is ever evicted.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { type EnvelopeFields, decodeEnvelopeFields } from '../../protocol/envelope/clear-fields.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import { decodeGatewayRequest, isGatewayRequest } from '../../protocol/gateway/request.ts';
import type { DeliverMeta } from '../../node-runtime/router/types.ts';
import type { Store } from '../../node-runtime/store/index.ts';
import type { RunningGateway } from './gateway-role.ts';
import type { Logger } from '../../seams/logger.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { broadcastKeyId, decodeBroadcast, openBroadcast } from '../../protocol/envelope/broadcast.ts';
import { MAILBOX_DEFAULTS, QuotaExceededError } from '../../node-runtime/store/index.ts';
import type { TokenBucketSpec } from '../../gateway/server/config.ts';
import { TokenBuckets } from '../../gateway/server/token-bucket.ts';

/** Mailbox tag under which flooded emergency broadcasts are kept for local users (unverified authors). */
export const BROADCAST_TAG = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** Mailbox tag of broadcasts whose signature verified under a trusted broadcaster's key. */
export const TRUSTED_BROADCAST_TAG = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);

const HOUR_S = 3600;

/** The budgets of what the mesh may store here (defaults: DEFAULT_DELIVERY_BUDGET). */
export interface DeliveryBudget {
  /** Broadcasts per unverified key id (a new key costs nothing, so this bounds one key, not a flooder). */
  readonly perBroadcastKey: TokenBucketSpec;
  /** Envelopes per mailbox tag (direct, group, presence, sensor). */
  readonly perMailbox: TokenBucketSpec;
  /** Mailboxes new to this node, over all senders. */
  readonly newMailboxes: TokenBucketSpec;
  /** Share of the store's total (messages and bytes) past which no new mailbox is opened from the mesh. */
  readonly meshShare: number;
  /** The store's totals, to apply meshShare (node-runtime/store MAILBOX_DEFAULTS unless configured otherwise). */
  readonly maxMessagesTotal: number;
  readonly maxBytesTotal: number;
  /** Keys tracked per bucket table, least recently used forgotten first. */
  readonly maxTrackedKeys: number;
}

export const DEFAULT_DELIVERY_BUDGET: DeliveryBudget = {
  perBroadcastKey: { capacity: 3, refillPerSecond: 3 / HOUR_S },
  perMailbox: { capacity: 120, refillPerSecond: 120 / HOUR_S },
  newMailboxes: { capacity: 60, refillPerSecond: 60 / HOUR_S },
  meshShare: 0.5,
  maxMessagesTotal: MAILBOX_DEFAULTS.maxMessagesTotal,
  maxBytesTotal: MAILBOX_DEFAULTS.maxBytesTotal,
  maxTrackedKeys: 10_000,
};

export interface DeliveryDeps {
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly log: Logger;
  /** The gateway role, once started (undefined on a node without relays). */
  readonly gateway: () => RunningGateway | undefined;
  /** Ed25519 public keys of the broadcasters this node trusts (their broadcasts are verified and kept apart). */
  readonly broadcasters?: readonly Uint8Array[];
  readonly budget?: Partial<DeliveryBudget>;
}

/** What delivery refused or dropped, by reason (for status and tests). */
export interface DeliveryCounters {
  forgedBroadcasts: number;
  expiredBroadcasts: number;
  overBudget: number;
  evictedBroadcasts: number;
}

export type Delivery = ((envelope: Uint8Array, meta: DeliverMeta) => boolean) & { readonly counters: DeliveryCounters };

/** Returns the router's store hook: true once the envelope is durably handled (or can never be). */
export function createDelivery(deps: DeliveryDeps): Delivery {
  const { store, suite, log } = deps;
  const budget = { ...DEFAULT_DELIVERY_BUDGET, ...deps.budget };
  const counters: DeliveryCounters = { forgedBroadcasts: 0, expiredBroadcasts: 0, overBudget: 0, evictedBroadcasts: 0 };
  const trusted = new Map<string, Uint8Array>((deps.broadcasters ?? []).map((k) => [toHex(broadcastKeyId(suite, k)), k]));
  const perKey = new TokenBuckets(budget.perBroadcastKey, budget.maxTrackedKeys);
  const perMailbox = new TokenBuckets(budget.perMailbox, budget.maxTrackedKeys);
  const newMailboxes = new TokenBuckets(budget.newMailboxes, 1);

  const deliver = (envelope: Uint8Array, meta: DeliverMeta): boolean => {
    try {
      if (isGatewayRequest(envelope)) return handOver(envelope, meta);
      const fields = decodeEnvelopeFields(envelope);
      if (!fields.ok) {
        // Acknowledged and dropped: it can never be stored, and a retry would only spend airtime.
        log.warn('undecodable envelope dropped', { code: fields.code, offset: fields.offset, messageId: messageIdForLog(meta) });
        return true;
      }
      const kind = fields.value.kind;
      const result = kind === 'broadcast'
        ? storeBroadcast(envelope, meta)
        : storeAddressed(mailboxOf(fields.value), envelope, meta);
      log.debug('delivered', { kind, result, hops: meta.hops });
      return result !== 'over-budget';
    } catch (error) {
      // Quota full, disk error: no ack, so the sender keeps the message and retries.
      log.warn('could not store a delivered envelope', { error: (error as Error).message });
      return false;
    }
  };

  /** Broadcasts: verified when their key is trusted, budgeted per key id when not; acknowledged either way (a flood is not retried). */
  function storeBroadcast(envelope: Uint8Array, meta: DeliverMeta): string {
    const decoded = decodeBroadcast(envelope);
    if (!decoded.ok) return 'malformed';
    const keyId = toHex(decoded.value.senderKeyId);
    if (trusted.has(keyId)) {
      const opened = openBroadcast(suite, envelope, () => trusted.get(keyId), meta.receivedAtMs);
      if (!opened.ok) {
        if (opened.code === 'expired') counters.expiredBroadcasts++;
        else counters.forgedBroadcasts++;
        log.warn('broadcast refused', { code: opened.code, messageId: messageIdForLog(meta) });
        return opened.code;
      }
      return depositEvicting(TRUSTED_BROADCAST_TAG, envelope, decoded.value.expiresAtSeconds * 1000);
    }
    if (meta.receivedAtMs >= decoded.value.expiresAtSeconds * 1000) {
      counters.expiredBroadcasts++;
      return 'expired';
    }
    if (!perKey.take(keyId, meta.receivedAtMs)) {
      counters.overBudget++;
      return 'over-budget-dropped';
    }
    return depositEvicting(BROADCAST_TAG, envelope, decoded.value.expiresAtSeconds * 1000);
  }

  /** A broadcast mailbox full: its oldest goes (broadcasts are public and flooded again; mail is never evicted). */
  function depositEvicting(tag: Uint8Array, envelope: Uint8Array, signedExpiryMs: number): string {
    const id = envelopeId(suite, envelope);
    for (let attempt = 0; ; attempt++) {
      try {
        // Kept until its signed expiry (the store caps it at its maxTtlMs).
        return store.mailboxes.deposit(tag, id, envelope, undefined, { expiresAt: signedExpiryMs });
      } catch (e) {
        if (!(e instanceof QuotaExceededError) || attempt >= 4) throw e;
        const oldest = store.mailboxes.list(tag, { limit: 8 }).map((m) => m.id);
        if (oldest.length === 0) throw e;
        counters.evictedBroadcasts += store.mailboxes.delete(tag, oldest);
      }
    }
  }

  /** Mail under a tag its sender chose: per-tag and new-mailbox budgets, new mailboxes only below the mesh share. */
  function storeAddressed(tag: Uint8Array, envelope: Uint8Array, meta: DeliverMeta): string {
    const id = envelopeId(suite, envelope);
    const now = meta.receivedAtMs;
    const isNew = store.mailboxes.counts(tag).messages === 0;
    if (isNew) {
      const totals = store.mailboxes.totals();
      const full = totals.messages >= budget.meshShare * budget.maxMessagesTotal || totals.bytes >= budget.meshShare * budget.maxBytesTotal;
      if (full || !newMailboxes.take('all', now)) return overBudget(meta);
    }
    const key = toHex(tag);
    if (!perMailbox.take(key, now)) return overBudget(meta);
    const result = store.mailboxes.deposit(tag, id, envelope);
    // A duplicate stored nothing: its token goes back.
    if (result !== 'stored') perMailbox.give(key, now);
    return result;
  }

  function overBudget(meta: DeliverMeta): 'over-budget' {
    counters.overBudget++;
    log.debug('delivery over budget', { messageId: messageIdForLog(meta) });
    return 'over-budget';
  }

  function handOver(envelope: Uint8Array, meta: DeliverMeta): boolean {
    const gateway = deps.gateway();
    if (!gateway) {
      log.warn('gateway request for a node that is not a gateway', { messageId: messageIdForLog(meta) });
      return true;
    }
    const request = decodeGatewayRequest(envelope);
    if (!request.ok) {
      log.warn('gateway request refused', { code: request.code, offset: request.offset });
      return true;
    }
    // The allowance is the authenticated sender's (router origin block), never a name the request gives itself.
    return gateway.handle(request.value, meta.source && toHex(meta.source), meta.sourcePublicKey);
  }

  return Object.assign(deliver, { counters });
}



/** The hosted mailbox an envelope is kept in: bytes read from the envelope itself, never via hex. */
function mailboxOf(fields: EnvelopeFields): Uint8Array {
  switch (fields.kind) {
    case 'direct':
    case 'presence':
      return fields.mailboxTag;
    case 'group':
      return fields.groupTag;
    case 'broadcast':
      return BROADCAST_TAG;
    case 'sensor':
      return fields.sensorId;
  }
}

/** The router's message key is a u32; logs show it as 8 hex digits, as the router's own logs do. */
function messageIdForLog(meta: DeliverMeta): string {
  return meta.messageId.toString(16).padStart(8, '0');
}
