/**
 * Mailbox requests (whitepaper 1.2.1 and 1.2.3, docs/PROTOCOL.md section
 * "server", "Mailboxes"): register, deposit, fetch with acknowledgement,
 * presence publish and lookup.
 */
import { constantTimeEqual } from '../../../protocol/codec/bytes.ts';
import { MAX_LIST_ITEMS } from '../../../protocol/server/constants.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { mailboxTagOf, messageIdOf, senderPassOf } from '../../../protocol/server/mailbox.ts';
import type {
  DepositRequest, FetchRequest, PresenceLookupRequest, PresencePublishRequest, RegisterRequest,
} from '../../../protocol/server/request-types.ts';
import type { OkBody, StoredMessage } from '../../../protocol/server/response.ts';
import { checkStamp } from '../../../protocol/server/stamp.ts';
import { concatBytes } from '../../../protocol/codec/bytes.ts';
import { QuotaExceededError } from '../../../node-runtime/store/errors.ts';
import { type CoreContext, consumeCounter, hexKey, type StorageStep, verifySigned } from './context.ts';

/** Per-message bytes in a fetch response besides the envelope: id 16, time 4, length varint up to 2. */
const FETCH_ITEM_OVERHEAD_BYTES = 22;

export function register(ctx: CoreContext, r: RegisterRequest): StorageStep<OkBody['register']> {
  verifySigned(ctx, r);
  const tag = mailboxTagOf(ctx.suite, r.signer);
  return () => {
    const now = ctx.clock.now();
    consumeCounter(ctx, r, now);
    if (!ctx.db.getMailbox(tag) && ctx.db.count('mailboxes') >= ctx.limits.maxMailboxes) {
      throw new RelayError('quota-exceeded', 'this relay hosts no more mailboxes');
    }
    ctx.db.putMailbox(tag, r.signer, r.passKey, now);
    return {};
  };
}

export function deposit(ctx: CoreContext, r: DepositRequest): StorageStep<OkBody['deposit']> {
  const id = messageIdOf(ctx.suite, r.tag, r.envelope);
  const now = ctx.clock.now();
  const resource = concatBytes(r.tag, id);
  return () => {
    const box = ctx.db.getMailbox(r.tag);
    if (!box) throw new RelayError('unknown-mailbox', 'no mailbox with this tag is registered here');
    const known = r.pass !== undefined && box.passKey !== undefined
      && constantTimeEqual(senderPassOf(ctx.suite, box.passKey, r.tag, id), r.pass);
    if (r.pass !== undefined && !known) throw new RelayError('unauthorized', 'sender pass does not match');
    const stamp = !known && ctx.limits.depositStampBits > 0 ? r.stamp : undefined;
    if (!known && ctx.limits.depositStampBits > 0) {
      if (!stamp) throw new RelayError('stamp-required', `first contact needs a ${ctx.limits.depositStampBits}-bit stamp`);
      const verdict = checkStamp(ctx.suite, ctx.key.publicKey.signing, resource, stamp,
        ctx.limits.depositStampBits, Math.floor(now / 60_000));
      if (verdict !== 'ok') throw new RelayError(verdict, 'stamp refused');
      // A spent stamp was spent on this very deposit (it binds tag || id), which was stored:
      // answer as the duplicate it is, charging nothing (issue 9 item 1).
      if (ctx.spentStamps.has(resource, stamp)) return { id, duplicate: true };
      if (!ctx.spentStamps.hasRoom(now)) throw new RelayError('rate-limited', 'too many stamps in flight at this relay');
    }
    // Charged only for a deposit that would be stored: refused ones (no stamp, bad pass) must not use
    // up the mailbox's allowance, or anyone knowing the tag could shut it to its contacts (review M4).
    // Contacts (a valid pass) and stamped strangers draw on separate allowances, so strangers'
    // work, however much CPU they spend, cannot shut a mailbox to its contacts.
    const bucket = known ? ctx.perMailbox : ctx.perMailboxStamped;
    const key = hexKey(r.tag);
    if (!bucket.take(key, now)) throw new RelayError('rate-limited', 'too many deposits to this mailbox');
    let result: ReturnType<CoreContext['mailboxes']['deposit']>;
    try {
      result = ctx.mailboxes.deposit(r.tag, id, r.envelope, now, { expiresAt: now + ctx.limits.mailboxMessageTtlMs });
    } catch (e) {
      if (e instanceof QuotaExceededError) throw new RelayError('quota-exceeded', 'mailbox is full');
      throw e;
    }
    // A duplicate stored nothing: it gives its token back, so repeats cannot spend the allowance.
    if (result !== 'stored') bucket.give(key, now);
    if (result === 'stored' && stamp) ctx.spentStamps.spend(resource, stamp);
    return { id, duplicate: result === 'duplicate' };
  };
}

export function fetch(ctx: CoreContext, r: FetchRequest, maxBodyBytes: number): StorageStep<OkBody['fetch']> {
  verifySigned(ctx, r);
  const tag = mailboxTagOf(ctx.suite, r.signer);
  return () => {
    const now = ctx.clock.now();
    if (!ctx.db.getMailbox(tag)) throw new RelayError('unknown-mailbox', 'no mailbox for this lookup key');
    consumeCounter(ctx, r, now);
    ctx.db.touchMailbox(tag, now);
    if (r.acks.length > 0) ctx.mailboxes.delete(tag, r.acks, now);
    const limit = Math.min(r.limit, MAX_LIST_ITEMS);
    const stored = ctx.mailboxes.list(tag, { limit: limit + 1 }, now);
    const messages: StoredMessage[] = [];
    let used = 4; // status, more flag, count varint
    for (const m of stored.slice(0, limit)) {
      const size = m.bytes.length + FETCH_ITEM_OVERHEAD_BYTES;
      if (used + size > maxBodyBytes) break;
      used += size;
      messages.push({ id: m.id, depositedSec: Math.floor(m.storedAt / 1000), envelope: m.bytes });
    }
    return { more: stored.length > messages.length, messages };
  };
}

export function publishPresence(ctx: CoreContext, r: PresencePublishRequest): StorageStep<OkBody['presence-publish']> {
  verifySigned(ctx, r);
  const tag = mailboxTagOf(ctx.suite, r.signer);
  return () => {
    const now = ctx.clock.now();
    if (!ctx.db.getMailbox(tag)) throw new RelayError('unknown-mailbox', 'presence needs a registered mailbox');
    consumeCounter(ctx, r, now);
    if (r.ttlSec === 0 || r.blob.length === 0) {
      ctx.db.dropPresence(tag);
    } else {
      if (ctx.db.count('presence') >= ctx.limits.maxPresenceRecords && !ctx.db.getPresence(tag, now)) {
        throw new RelayError('quota-exceeded', 'presence table full');
      }
      ctx.db.putPresence(tag, r.blob, now + r.ttlSec * 1000);
    }
    return {};
  };
}

export function lookupPresence(ctx: CoreContext, r: PresenceLookupRequest): StorageStep<OkBody['presence-lookup']> {
  return () => {
    const p = ctx.db.getPresence(r.tag, ctx.clock.now());
    if (!p) throw new RelayError('not-found', 'no presence for this tag');
    return { expiresSec: Math.floor(p.expiresMs / 1000), blob: p.blob };
  };
}
