/**
 * The web client's envelope API (docs/WEB.md, "API"): what a registered
 * browser may do, each route checking that the mailbox is its own. The
 * browser seals and opens everything itself; these routes move sealed
 * envelopes only.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { MAX_ENVELOPE_BYTES } from '../../../protocol/envelope/kinds.ts';
import { decodeBroadcast } from '../../../protocol/envelope/broadcast.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { BROADCAST_TAG } from '../delivery.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { EnvelopeEvent, SubmissionView } from '../../../seams/local-api.ts';
import type { Store } from '../../../node-runtime/store/index.ts';
import type { InProcessNodePort } from '../local-api/node-port.ts';
import { LocalApiError } from '../local-api/errors.ts';
import { hexField, optionalStrings } from '../local-api/fields.ts';
import { meshNodeField } from '../local-api/mesh-node-field.ts';
import type { Browser, BrowserRegistry } from './browsers.ts';

/** A long poll answers at the latest after this long (under common proxy and phone idle timeouts). */
export const POLL_WAIT_MS = 20_000;
const POLL_STEP_MS = 100;
const MAX_RECEIPTS_PER_POLL = 256;
/** Group and broadcast tags a browser reads without owning them (a group's epoch tags, the two broadcast tags). */
export const MAX_SHARED_TAGS = 64;

export interface WebRouteDeps {
  readonly port: InProcessNodePort;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly browsers: BrowserRegistry;
  /** The router's flood (node-runtime/router): one frame to every node of the local mesh, no ack. */
  readonly mesh: { broadcast(envelope: Uint8Array): void };
}

export interface PollAnswer {
  readonly envelopes: EnvelopeEvent[];
  readonly receipts: SubmissionView[];
  /** The store's cursor past the shared envelopes in this answer: the next poll's `after`. */
  readonly after?: number;
}
const LIST_LIMIT = 100;

export async function submitEnvelope(deps: WebRouteDeps, body: unknown): Promise<SubmissionView> {
  // The 6-byte tag the envelope carries (mesh only), or the relay's 16-byte mailbox tag it is a prefix of (seams/node-port.ts).
  const rawTag = (body as Record<string, unknown>).tag;
  const tag = hexField(body, 'tag', typeof rawTag === 'string' && rawTag.length === 32 ? 16 : 6);
  const envelope = new Uint8Array(Buffer.from(String((body as Record<string, unknown>).envelope ?? ''), 'base64'));
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new LocalApiError('message-too-large', `an envelope is 1 to ${MAX_ENVELOPE_BYTES} bytes`);
  // The node id or its key, as the local API takes it: with the key (a card's mesh://<node key>), an authenticated origin.
  const meshNode = meshNodeField(body);
  const relays = optionalStrings(body, 'relays') ?? [];
  if (!meshNode && relays.length === 0) throw new LocalApiError('bad-request', 'say where: meshNode and/or relays', { field: 'meshNode' });
  const ttl = (body as Record<string, unknown>).ttlMs;
  const id = await deps.port.submit({ tag, envelope, relays, ...(meshNode ? { meshNode } : {}), ...(typeof ttl === 'number' && ttl > 0 ? { ttlMs: ttl } : {}) });
  return { id, state: 'queued', attempts: 0 };
}

/**
 * An emergency broadcast the browser signed (0x13, agent/social/broadcasts.ts):
 * flooded to the mesh and kept under BROADCAST_TAG for the other browsers
 * of this node, as one heard from the mesh is (delivery.ts). Only a
 * well-formed, unexpired broadcast goes out, and `budget` (which throws
 * when this browser sent too many) is taken only then.
 */
export function sendBroadcastEnvelope(deps: WebRouteDeps, body: unknown, budget: () => void): { id: string } {
  const envelope = new Uint8Array(Buffer.from(String((body as Record<string, unknown>).envelope ?? ''), 'base64'));
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new LocalApiError('message-too-large', `an envelope is 1 to ${MAX_ENVELOPE_BYTES} bytes`);
  const decoded = decodeBroadcast(envelope);
  if (!decoded.ok) throw new LocalApiError('bad-request', `not a broadcast envelope: ${decoded.message}`, { field: 'envelope' });
  const expiresAt = decoded.value.expiresAtSeconds * 1000;
  if (expiresAt <= deps.clock.now()) throw new LocalApiError('bad-request', 'this broadcast has expired', { field: 'envelope' });
  budget();
  try {
    deps.mesh.broadcast(envelope);
  } catch (e) {
    // The router refuses what does not fit one frame of the mesh's smallest link (a broadcast is never split).
    throw new LocalApiError('message-too-large', `the mesh cannot carry this broadcast: ${(e as Error).message}`);
  }
  const id = envelopeId(deps.suite, envelope);
  deps.store.mailboxes.deposit(BROADCAST_TAG, id, envelope, undefined, { expiresAt });
  return { id: Buffer.from(id).toString('hex') };
}

export function claimMailboxes(deps: WebRouteDeps, browser: Browser, body: unknown): { tags: string[] } {
  const tags = optionalStrings(body, 'tags') ?? [];
  if (!tags.every((t) => /^[0-9a-f]{12}$/.test(t))) throw new LocalApiError('bad-request', 'tags are 6 bytes of lowercase hex', { field: 'tags' });
  deps.browsers.claim(browser, [...new Set(tags)]);
  return { tags: [...browser.tags] };
}

export function release(deps: WebRouteDeps, browser: Browser, tag: string, id: string): void {
  if (!deps.browsers.owns(browser, tag)) throw new LocalApiError('not-found', 'no such mailbox for this browser');
  deps.store.mailboxes.delete(Buffer.from(tag, 'hex'), [Buffer.from(id, 'hex')]);
}

interface SharedRead {
  readonly tags: readonly string[];
  /** Only what was stored after this store cursor (the last answer's `after`), so old copies are not sent again. */
  readonly after: number;
}

/** Shared tags: 6-byte hex, at most MAX_SHARED_TAGS, none that another browser owns (its 1:1 mailboxes stay its own). */
function sharedTags(deps: WebRouteDeps, browser: Browser, body: unknown): SharedRead {
  const tags = [...new Set(optionalStrings(body, 'shared') ?? [])];
  if (tags.length > MAX_SHARED_TAGS || !tags.every((t) => /^[0-9a-f]{12}$/.test(t))) {
    throw new LocalApiError('bad-request', `shared: at most ${MAX_SHARED_TAGS} tags of 6 bytes of lowercase hex`, { field: 'shared' });
  }
  if (tags.some((t) => deps.browsers.ownedByOther(browser, t))) throw new LocalApiError('bad-request', 'a mailbox of another browser', { field: 'shared' });
  const after = (body as Record<string, unknown>).after;
  return { tags, after: typeof after === 'number' && Number.isFinite(after) && after > 0 ? after : 0 };
}

function collect(deps: WebRouteDeps, browser: Browser, seen: Set<string>, receipts: readonly string[], shared: SharedRead): PollAnswer {
  const envelopes: EnvelopeEvent[] = [];
  const read = (tag: string, after: number | undefined): number | undefined => {
    const rows = deps.store.mailboxes.list(Buffer.from(tag, 'hex'), { limit: LIST_LIMIT, ...(after ? { after } : {}) });
    for (const m of rows) {
      const id = Buffer.from(m.id).toString('hex');
      if (!seen.has(id)) envelopes.push({ tag, id, envelope: Buffer.from(m.bytes).toString('base64'), receivedAt: m.storedAt });
    }
    return rows.at(-1)?.cursor;
  };
  for (const tag of browser.tags) read(tag, undefined);
  // The cursor is the store's one sequence across tags; a tag cut at the limit holds it back so its rest comes next time.
  let after = shared.after;
  let cap = Infinity;
  for (const tag of shared.tags) {
    const before = envelopes.length;
    const last = read(tag, shared.after);
    if (last === undefined) continue;
    after = Math.max(after, last);
    if (envelopes.length - before >= LIST_LIMIT) cap = Math.min(cap, last);
  }
  after = Math.min(after, cap);
  const changed: SubmissionView[] = [];
  for (const r of receipts) {
    const s = deps.port.receiptState(r);
    if (s && s.state !== 'queued') changed.push({ id: r, state: s.state, attempts: 0, ...(s.failure ? { failure: s.failure } : {}) });
  }
  return { envelopes, receipts: changed, ...(shared.tags.length > 0 ? { after } : {}) };
}

/**
 * Long poll: envelopes under the browser's tags that it has not said it
 * holds (`seen`), those stored since `after` under the shared tags it
 * reads (groups, broadcasts: never deleted by a browser, they expire), and
 * the receipts it waits on that left `queued`. Reading
 * the store itself (rather than the port's watch set, which the node-hosted
 * agent owns) keeps browsers and the node's own user apart.
 */
export async function poll(deps: WebRouteDeps, browser: Browser, body: unknown, closed: () => boolean): Promise<PollAnswer> {
  const seen = new Set(optionalStrings(body, 'seen') ?? []);
  const shared = sharedTags(deps, browser, body);
  const receipts = (optionalStrings(body, 'receipts') ?? []).filter((r) => /^[0-9a-f]{32,64}$/.test(r)).slice(0, MAX_RECEIPTS_PER_POLL);
  const wait = (body as Record<string, unknown>).waitMs;
  const until = deps.clock.now() + Math.min(typeof wait === 'number' && wait >= 0 ? wait : POLL_WAIT_MS, POLL_WAIT_MS);
  for (;;) {
    const answer = collect(deps, browser, seen, receipts, shared);
    if (answer.envelopes.length > 0 || answer.receipts.length > 0 || deps.clock.now() >= until || closed()) return answer;
    await new Promise<void>((resolve) => deps.clock.setTimer(POLL_STEP_MS, resolve));
  }
}
