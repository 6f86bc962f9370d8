/**
 * What a browser asks of the node's relays (docs/WEB.md, "Relays"): the
 * page talks to its node only, so the node carries its "free for chat"
 * directory and emergency broadcast requests to the relays of its config
 * (gateway.relays), through its own relay client.
 *
 * The node never holds a browser's key: the page signs each record (a
 * directory entry, a broadcast) and each withdrawal itself, bound to the
 * relay's key that GET /api/relays gives it; the node checks the bytes (a
 * record well signed for that relay, a withdrawal and nothing else), adds
 * the proof-of-work stamp the relay asks for (a phone's battery is spared;
 * the node's rate limits bound the work), and forwards them. Lists come
 * back as the relay's signed bytes: the page verifies every signature.
 * What the node learns is in docs/THREAT-MODEL.md ("Browsers").
 */
import { encodeRequest } from '../../../protocol/server/request-encode.ts';
import { decodeRequest } from '../../../protocol/server/request-decode.ts';
import { decodeBroadcast, decodeDirectoryEntry, MAX_BROADCAST_RECORD_BYTES, MAX_DIRECTORY_RECORD_BYTES } from '../../../protocol/server/records.ts';
import { MAX_DIRECTORY_QUERY_BYTES, MAX_LIST_ITEMS, STAMP_NONCE_BYTES } from '../../../protocol/server/constants.ts';
import { RelayError } from '../../../protocol/server/errors.ts';
import { checkStamp, type Stamp } from '../../../protocol/server/stamp.ts';
import { describeError } from '../../../protocol/codec/result.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { RelayClient } from '../../../gateway/client/relay-client.ts';
import { LocalApiError } from '../local-api/errors.ts';
import { optionalString, requireString } from '../local-api/fields.ts';

/** The most work the node does for one record: 2^22 hashes (a relay's default for open broadcasts), tens of seconds on a Pi. */
export const MAX_PROXY_STAMP_BITS = 22;
const STAMP_ASKED = /needs a (\d+)-bit stamp/;
/** Hashes tried between two turns of the event loop: the node keeps routing and serving while it stamps. */
const STAMP_SLICE = 4096;

/**
 * mintStamp (protocol/server/stamp.ts) in slices, yielding to the event loop
 * between them: at 22 bits the work takes tens of seconds, during which the
 * node must go on serving its radios and its other users.
 */
async function mintStampInSlices(suite: CryptoSuite, random: RandomSource, signing: Uint8Array, resource: Uint8Array, bits: number, minute: number): Promise<Stamp> {
  const nonce = random.bytes(STAMP_NONCE_BYTES);
  for (let i = 1; ; i++) {
    if (checkStamp(suite, signing, resource, { minute, nonce }, bits, minute) === 'ok') return { minute, nonce: nonce.slice() };
    for (let b = STAMP_NONCE_BYTES - 1; b >= 0; b--) {
      nonce[b] = (nonce[b]! + 1) & 0xff;
      if (nonce[b] !== 0) break;
    }
    if (i % STAMP_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export interface WebRelayDeps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  /** The node's relays (config gateway.relays), in its order: the first is the default. */
  readonly relays: readonly string[];
  /** Opens a client that knows the relay's key (connectRelay). */
  readonly connect: (url: string) => Promise<RelayClient>;
}

export interface RelayView {
  readonly url: string;
  /** The relay's Ed25519 key (hex): what the page binds its records to and checks the relay's lists against. */
  readonly signing?: string;
  readonly error?: string;
}

export interface WebRelays {
  list(): Promise<{ relays: RelayView[] }>;
  search(body: unknown): Promise<{ entries: string[] }>;
  publish(body: unknown, budget: () => void): Promise<{ published: true }>;
  withdraw(body: unknown): Promise<{ withdrawn: true }>;
  postBroadcast(body: unknown, budget: () => void): Promise<{ seq: number }>;
  listBroadcasts(body: unknown): Promise<{ items: { seq: number; record: string }[] }>;
}

function bytesField(body: unknown, field: string, max: number): Uint8Array {
  const text = requireString(body, field);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new LocalApiError('bad-request', `"${field}" must be base64`, { field });
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (bytes.length === 0 || bytes.length > max) throw new LocalApiError('bad-request', `"${field}" is 1 to ${max} bytes`, { field });
  return bytes;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export function createWebRelays(deps: WebRelayDeps): WebRelays {
  const clients = new Map<string, Promise<RelayClient>>();
  /** One stamp at a time for all browsers together: the node's CPU is shared with its radios. */
  let stamping = false;

  /** The relay the body names (`relay`), else the first; one not in the node's config is refused. */
  const pick = (body: unknown): string => {
    const url = optionalString(body, 'relay');
    const chosen = url === undefined ? deps.relays[0] : deps.relays.find((r) => r === url);
    if (chosen === undefined) {
      throw new LocalApiError('not-found', url === undefined ? 'this node has no relay (its operator sets gateway.relays)' : `${url} is not one of this node's relays`, { field: 'relay' });
    }
    return chosen;
  };

  /** Connects on first use and again after a failure; a relay out of reach is a 503 naming it. */
  const client = async (url: string): Promise<RelayClient> => {
    let c = clients.get(url);
    if (!c) {
      c = deps.connect(url);
      clients.set(url, c);
      c.catch(() => clients.delete(url));
    }
    try {
      return await c;
    } catch (e) {
      throw new LocalApiError('node-unavailable', `the relay ${url} cannot be reached: ${(e as Error).message}`, { relay: url });
    }
  };

  /** Runs one relay call; its refusal is a 400 carrying the relay's code, a transport failure a 503 (and a new connection next time). */
  const call = async <T>(url: string, run: (c: RelayClient) => Promise<T>): Promise<T> => {
    const c = await client(url);
    try {
      return await run(c);
    } catch (e) {
      if (e instanceof LocalApiError) throw e;
      if (e instanceof RelayError) throw new LocalApiError('bad-request', `the relay refused: ${e.message}`, { relayCode: e.code, relay: url });
      clients.delete(url);
      throw new LocalApiError('node-unavailable', `the relay ${url} did not answer: ${(e as Error).message}`, { relay: url });
    }
  };

  /** Sends a record without a stamp, and again with the stamp the relay asks for (no work when it asks none). */
  const postRecord = async (c: RelayClient, kind: 'directory-publish' | 'broadcast-post', record: Uint8Array): Promise<{ seq?: number }> => {
    try {
      return await c.send(kind, encodeRequest({ kind, record }));
    } catch (e) {
      const asked = e instanceof RelayError && e.code === 'stamp-required' ? STAMP_ASKED.exec(e.message) : null;
      if (!asked) throw e;
      const bits = Number(asked[1]);
      if (bits > MAX_PROXY_STAMP_BITS) throw new RelayError('stamp-required', `the relay asks ${bits} bits of work, more than this node does for a browser (${MAX_PROXY_STAMP_BITS})`);
      if (stamping) throw new LocalApiError('rate-limited', 'the node is working on another record for a relay: try again in a minute', { retryAfterS: 60 });
      stamping = true;
      try {
        const stamp = await mintStampInSlices(deps.suite, deps.random, c.serverKey.signing, deps.suite.sha256(record), bits, Math.floor(deps.clock.now() / 60_000));
        return await c.send(kind, encodeRequest({ kind, record, stamp }));
      } finally {
        stamping = false;
      }
    }
  };

  return {
    async list() {
      const relays: RelayView[] = [];
      for (const url of deps.relays) {
        try {
          relays.push({ url, signing: Buffer.from((await client(url)).serverKey.signing).toString('hex') });
        } catch (e) {
          relays.push({ url, error: (e as Error).message });
        }
      }
      return { relays };
    },

    async search(body) {
      const url = pick(body);
      const query = optionalString(body, 'query') ?? '';
      if (Buffer.byteLength(query) > MAX_DIRECTORY_QUERY_BYTES) throw new LocalApiError('bad-request', `a query is at most ${MAX_DIRECTORY_QUERY_BYTES} bytes`, { field: 'query' });
      const count = (body as Record<string, unknown>).random;
      if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 1 && (count as number) <= MAX_LIST_ITEMS)) {
        throw new LocalApiError('bad-request', `"random" is a count of 1 to ${MAX_LIST_ITEMS}`, { field: 'random' });
      }
      const entries = await call(url, (c) => (count === undefined ? c.searchEntries(query) : c.randomEntries(count as number)));
      return { entries: entries.map((e) => b64(e.bytes)) };
    },

    async publish(body, budget) {
      const url = pick(body);
      const record = bytesField(body, 'record', MAX_DIRECTORY_RECORD_BYTES);
      const c = await client(url);
      const entry = decodeDirectoryEntry(deps.suite, c.serverKey.signing, record);
      if (!entry.ok) throw new LocalApiError('bad-request', `not a directory entry signed for ${url}: ${describeError(entry)}`, { field: 'record' });
      budget();
      await call(url, (cc) => postRecord(cc, 'directory-publish', record));
      return { published: true };
    },

    async withdraw(body) {
      const url = pick(body);
      const request = bytesField(body, 'request', MAX_DIRECTORY_RECORD_BYTES);
      const c = await client(url);
      const decoded = decodeRequest(request, c.serverKey.signing);
      if (!decoded.ok || decoded.value.kind !== 'directory-withdraw') {
        throw new LocalApiError('bad-request', 'not a directory withdrawal for this relay', { field: 'request' });
      }
      await call(url, (cc) => cc.send('directory-withdraw', request));
      return { withdrawn: true };
    },

    async postBroadcast(body, budget) {
      const url = pick(body);
      const record = bytesField(body, 'record', MAX_BROADCAST_RECORD_BYTES);
      const c = await client(url);
      const b = decodeBroadcast(deps.suite, c.serverKey.signing, record);
      if (!b.ok) throw new LocalApiError('bad-request', `not a broadcast signed for ${url}: ${describeError(b)}`, { field: 'record' });
      budget();
      const answer = await call(url, (cc) => postRecord(cc, 'broadcast-post', record));
      return { seq: answer.seq ?? 0 };
    },

    async listBroadcasts(body) {
      const url = pick(body);
      const since = (body as Record<string, unknown>).since ?? 0;
      if (!Number.isSafeInteger(since) || (since as number) < 0) throw new LocalApiError('bad-request', '"since" is a sequence number (0 or more)', { field: 'since' });
      const items = await call(url, (c) => c.listBroadcasts(since as number));
      return { items: items.map((it) => ({ seq: it.seq, record: b64(it.broadcast.bytes) })) };
    },
  };
}
