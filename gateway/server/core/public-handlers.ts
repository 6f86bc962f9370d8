/**
 * Requests about the relay's public boards (docs/PROTOCOL.md section
 * "server"): emergency broadcast (whitepaper 1.7), the "free for chat"
 * directory (1.9) and the server catalog (6.1).
 */
import { constantTimeEqual } from '../../../protocol/codec/bytes.ts';
import { describeError } from '../../../protocol/codec/result.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { decodeServerDescriptor } from '../../../protocol/server/descriptor.ts';
import { decodeBroadcast, decodeDirectoryEntry } from '../../../protocol/server/records.ts';
import type {
  BroadcastListRequest, BroadcastPostRequest, CatalogAnnounceRequest, DirectoryPublishRequest, DirectoryRandomRequest,
  DirectorySearchRequest, DirectoryWithdrawRequest,
} from '../../../protocol/server/request-types.ts';
import { MAX_CATALOG_ITEMS, type OkBody } from '../../../protocol/server/response.ts';
import { checkStamp, type Stamp } from '../../../protocol/server/stamp.ts';
import { type CoreContext, consumeCounter, hexKey, type StorageStep, verifySigned } from './context.ts';

function requireStamp(ctx: CoreContext, stamp: Stamp | undefined, resource: Uint8Array, bits: number, nowMs: number): void {
  if (bits === 0) return;
  if (!stamp) throw new RelayError('stamp-required', `this request needs a ${bits}-bit stamp`);
  const verdict = checkStamp(ctx.suite, ctx.key.publicKey.signing, resource, stamp, bits, Math.floor(nowMs / 60_000));
  if (verdict !== 'ok') throw new RelayError(verdict, 'stamp refused');
}

function checkFresh(ctx: CoreContext, createdSec: number, nowMs: number): void {
  if (Math.abs(createdSec * 1000 - nowMs) > ctx.limits.recordSkewMs) throw new RelayError('stale', 'record time outside the accepted window');
}

export function postBroadcast(ctx: CoreContext, r: BroadcastPostRequest): StorageStep<OkBody['broadcast-post']> {
  const rec = decodeBroadcast(ctx.suite, ctx.key.publicKey.signing, r.record);
  if (!rec.ok) throw new RelayError(rec.code === 'bad-signature' ? 'bad-signature' : 'malformed', describeError(rec));
  const now = ctx.clock.now();
  checkFresh(ctx, rec.value.createdSec, now);
  const trusted = ctx.limits.broadcastAuthors.some((k) => constantTimeEqual(k, rec.value.author));
  if (!trusted) {
    if (!ctx.limits.broadcastOpen) throw new RelayError('unauthorized', 'this relay accepts broadcasts from its listed authors only');
    requireStamp(ctx, r.stamp, ctx.suite.sha256(r.record), ctx.limits.openBroadcastStampBits, now);
  }
  const hash = ctx.suite.sha256(r.record);
  return () => {
    const added = ctx.db.addBroadcast(hash, rec.value.author, r.record, now + ctx.limits.broadcastRetentionMs);
    if (!added.added) return { seq: added.seq };
    // Rate limits count only new broadcasts; a limited one is rolled back by the savepoint.
    if (!trusted && (!ctx.broadcastPerAuthor.take(hexKey(rec.value.author), now) || !ctx.broadcastGlobal.take('all', now))) {
      throw new RelayError('rate-limited', 'broadcast rate limit reached');
    }
    return { seq: added.seq };
  };
}

export function listBroadcasts(ctx: CoreContext, r: BroadcastListRequest, maxBodyBytes: number): StorageStep<OkBody['broadcast-list']> {
  return () => {
    const rows = ctx.db.listBroadcasts(r.sinceSeq, ctx.clock.now(), r.limit);
    const items: OkBody['broadcast-list']['items'][number][] = [];
    let used = 4;
    for (const row of rows) {
      used += row.record.length + 12;
      if (used > maxBodyBytes) break;
      items.push(row);
    }
    return { items };
  };
}

export function publishEntry(ctx: CoreContext, r: DirectoryPublishRequest): StorageStep<OkBody['directory-publish']> {
  const entry = decodeDirectoryEntry(ctx.suite, ctx.key.publicKey.signing, r.record);
  if (!entry.ok) throw new RelayError(entry.code === 'bad-signature' ? 'bad-signature' : 'malformed', describeError(entry));
  const now = ctx.clock.now();
  checkFresh(ctx, entry.value.createdSec, now);
  requireStamp(ctx, r.stamp, ctx.suite.sha256(r.record), ctx.limits.directoryStampBits, now);
  return () => {
    const existing = ctx.db.getEntry(entry.value.entryKey);
    if (existing && existing.record === null) throw new RelayError('withdrawn', 'this entry key was withdrawn');
    if (existing && existing.createdSec >= entry.value.createdSec) throw new RelayError('replayed', 'an entry at least as recent exists');
    if (!existing && ctx.db.count('directory') >= ctx.limits.maxDirectoryEntries) throw new RelayError('quota-exceeded', 'directory full');
    const expiresMs = entry.value.createdSec * 1000 + entry.value.ttlSec * 1000;
    if (expiresMs <= now) throw new RelayError('stale', 'entry already expired');
    ctx.db.putEntry(entry.value.entryKey, entry.value.description, r.record, entry.value.createdSec, expiresMs);
    return {};
  };
}

export function withdrawEntry(ctx: CoreContext, r: DirectoryWithdrawRequest): StorageStep<OkBody['directory-withdraw']> {
  verifySigned(ctx, r);
  return () => {
    const existing = ctx.db.getEntry(r.signer);
    if (!existing) throw new RelayError('not-found', 'no entry with this key');
    consumeCounter(ctx, r, ctx.clock.now());
    ctx.db.withdrawEntry(r.signer);
    return {};
  };
}

export function searchEntries(ctx: CoreContext, r: DirectorySearchRequest, maxBodyBytes: number): StorageStep<OkBody['directory-search']> {
  return () => fitEntries(ctx.db.searchEntries(r.query, ctx.clock.now(), r.limit), maxBodyBytes);
}

export function randomEntries(ctx: CoreContext, r: DirectoryRandomRequest, maxBodyBytes: number): StorageStep<OkBody['directory-random']> {
  return () => {
    const ids = ctx.db.liveEntryRowids(ctx.clock.now());
    // Partial Fisher-Yates with the injected randomness: the first `count` of a uniform shuffle.
    const count = Math.min(r.count, ids.length);
    for (let i = 0; i < count; i++) {
      const j = i + uniformBelow(ctx, ids.length - i);
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const records = ids.slice(0, count).map((id) => ctx.db.entryByRowid(id)).filter((x): x is Uint8Array => x !== undefined);
    return fitEntries(records, maxBodyBytes);
  };
}

function uniformBelow(ctx: CoreContext, n: number): number {
  const b = ctx.random.bytes(6);
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return Math.floor((v / 2 ** 48) * n);
}

function fitEntries(records: Uint8Array[], maxBodyBytes: number): { entries: Uint8Array[] } {
  const entries: Uint8Array[] = [];
  let used = 4;
  for (const rec of records) {
    used += rec.length + 2;
    if (used > maxBodyBytes) break;
    entries.push(rec);
  }
  return { entries };
}

/** Stores the valid, unexpired, newer descriptors; returns how many were taken. Own descriptor excluded. */
export function importDescriptors(ctx: CoreContext, descriptors: readonly Uint8Array[]): StorageStep<number> {
  const nowSec = Math.floor(ctx.clock.now() / 1000);
  const valid = descriptors
    .map((d) => decodeServerDescriptor(ctx.suite, d))
    .flatMap((d) => (d.ok && d.value.expiresSec > nowSec && d.value.issuedSec <= nowSec + 600
      && !constantTimeEqual(d.value.server.signing, ctx.key.publicKey.signing) ? [d.value] : []));
  return () => {
    let accepted = 0;
    for (const d of valid) {
      const issued = ctx.db.catalogIssued(d.server.signing);
      if (issued !== undefined && issued >= d.issuedSec) continue;
      if (issued === undefined && ctx.db.count('catalog') >= ctx.limits.maxCatalogEntries) break;
      ctx.db.putCatalog(d.server.signing, d.bytes, d.issuedSec, d.expiresSec);
      accepted++;
    }
    return accepted;
  };
}

export function announceCatalog(ctx: CoreContext, r: CatalogAnnounceRequest): StorageStep<OkBody['catalog-announce']> {
  const step = importDescriptors(ctx, r.descriptors);
  return () => ({ accepted: step() });
}

export function listCatalog(ctx: CoreContext, ownDescriptor: Uint8Array, maxBodyBytes: number): StorageStep<OkBody['catalog-list']> {
  return () => {
    const all = [ownDescriptor, ...ctx.db.listCatalog(Math.floor(ctx.clock.now() / 1000), MAX_CATALOG_ITEMS - 1)];
    const descriptors: Uint8Array[] = [];
    let used = 4;
    for (const d of all) {
      used += d.length + 2;
      if (used > maxBodyBytes) break;
      descriptors.push(d);
    }
    return { descriptors };
  };
}
