/**
 * The web client's envelope API (docs/WEB.md, "API"): what a registered
 * browser may do, each route checking that the mailbox is its own. The
 * browser seals and opens everything itself; these routes move sealed
 * envelopes only.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { MAX_ENVELOPE_BYTES } from '../../../protocol/envelope/kinds.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { EnvelopeEvent, SubmissionView } from '../../../seams/local-api.ts';
import type { Store } from '../../../node-runtime/store/index.ts';
import type { InProcessNodePort } from '../local-api/node-port.ts';
import { LocalApiError } from '../local-api/errors.ts';
import { hexField, optionalStrings } from '../local-api/fields.ts';
import type { Browser, BrowserRegistry } from './browsers.ts';

/** A long poll answers at the latest after this long (under common proxy and phone idle timeouts). */
export const POLL_WAIT_MS = 20_000;
const POLL_STEP_MS = 100;
const MAX_RECEIPTS_PER_POLL = 256;

export interface WebRouteDeps {
  readonly port: InProcessNodePort;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly browsers: BrowserRegistry;
}

export interface PollAnswer {
  readonly envelopes: EnvelopeEvent[];
  readonly receipts: SubmissionView[];
}

export async function submitEnvelope(deps: WebRouteDeps, body: unknown): Promise<SubmissionView> {
  // The 6-byte tag the envelope carries (mesh only), or the relay's 16-byte mailbox tag it is a prefix of (seams/node-port.ts).
  const rawTag = (body as Record<string, unknown>).tag;
  const tag = hexField(body, 'tag', typeof rawTag === 'string' && rawTag.length === 32 ? 16 : 6);
  const envelope = new Uint8Array(Buffer.from(String((body as Record<string, unknown>).envelope ?? ''), 'base64'));
  if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new LocalApiError('message-too-large', `an envelope is 1 to ${MAX_ENVELOPE_BYTES} bytes`);
  const meshNode = (body as Record<string, unknown>).meshNode !== undefined ? hexField(body, 'meshNode', 8) : undefined;
  const relays = optionalStrings(body, 'relays') ?? [];
  if (!meshNode && relays.length === 0) throw new LocalApiError('bad-request', 'say where: meshNode and/or relays', { field: 'meshNode' });
  const ttl = (body as Record<string, unknown>).ttlMs;
  const id = await deps.port.submit({ tag, envelope, relays, ...(meshNode ? { meshNode } : {}), ...(typeof ttl === 'number' && ttl > 0 ? { ttlMs: ttl } : {}) });
  return { id, state: 'queued', attempts: 0 };
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

function collect(deps: WebRouteDeps, browser: Browser, seen: Set<string>, receipts: readonly string[]): PollAnswer {
  const envelopes: EnvelopeEvent[] = [];
  for (const tag of browser.tags) {
    for (const m of deps.store.mailboxes.list(Buffer.from(tag, 'hex'), { limit: 100 })) {
      const id = Buffer.from(m.id).toString('hex');
      if (!seen.has(id)) envelopes.push({ tag, id, envelope: Buffer.from(m.bytes).toString('base64'), receivedAt: m.storedAt });
    }
  }
  const changed: SubmissionView[] = [];
  for (const r of receipts) {
    const s = deps.port.receiptState(r);
    if (s && s.state !== 'queued') changed.push({ id: r, state: s.state, attempts: 0, ...(s.failure ? { failure: s.failure } : {}) });
  }
  return { envelopes, receipts: changed };
}

/**
 * Long poll: envelopes under the browser's tags that it has not said it
 * holds (`seen`), and the receipts it waits on that left `queued`. Reading
 * the store itself (rather than the port's watch set, which the node-hosted
 * agent owns) keeps browsers and the node's own user apart.
 */
export async function poll(deps: WebRouteDeps, browser: Browser, body: unknown, closed: () => boolean): Promise<PollAnswer> {
  const seen = new Set(optionalStrings(body, 'seen') ?? []);
  const receipts = (optionalStrings(body, 'receipts') ?? []).filter((r) => /^[0-9a-f]{64}$/.test(r)).slice(0, MAX_RECEIPTS_PER_POLL);
  const wait = (body as Record<string, unknown>).waitMs;
  const until = deps.clock.now() + Math.min(typeof wait === 'number' && wait >= 0 ? wait : POLL_WAIT_MS, POLL_WAIT_MS);
  for (;;) {
    const answer = collect(deps, browser, seen, receipts);
    if (answer.envelopes.length > 0 || answer.receipts.length > 0 || deps.clock.now() >= until || closed()) return answer;
    await new Promise<void>((resolve) => deps.clock.setTimer(POLL_STEP_MS, resolve));
  }
}
