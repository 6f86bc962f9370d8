/**
 * The node's relays as the social features see them (RelaySocialPort,
 * agent/social/ports.ts), over the node's web API (docs/WEB.md, "Relays"):
 * the page cannot reach a relay itself, so the node carries each request.
 * Every record and withdrawal is signed here, bound to the relay's key, so
 * no key leaves the page; what comes back is the relay's signed bytes, which
 * the social features verify (directory.ts, broadcasts.ts) before using.
 */
import type { ListedRecord, RelaySocialPort } from '../../agent/social/ports.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { createBroadcast, createDirectoryEntry } from '../../protocol/server/records.ts';
import { encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import type { NodeApi } from './api.ts';
import { b64, unb64 } from './base64.ts';

interface RelayView { url: string; signing?: string; error?: string }

export interface WebRelays {
  /** The node's relays, first is the default (an empty list when it has none or cannot say). */
  list(): Promise<readonly RelaySocialPort[]>;
  /** One relay by URL (the node refuses a URL not in its config). */
  port(url: string): RelaySocialPort;
}

export function webRelays(api: NodeApi, suite: CryptoSuite, clock: { now(): number }): WebRelays {
  let views: Promise<RelayView[]> | undefined;
  /** Asked once; again after a failure, or while a relay could not be reached (its key is not known yet). */
  const load = (): Promise<RelayView[]> => {
    views ??= api.call<{ relays: RelayView[] }>('GET', '/api/relays').then((r) => r.relays);
    views.then((v) => {
      if (v.some((r) => !r.signing)) views = undefined;
    }, () => (views = undefined));
    return views;
  };
  let counter = 0;

  const port = (url: string): RelaySocialPort => {
    const signing = async (): Promise<Uint8Array> => {
      const view = (await load()).find((r) => r.url === url);
      if (!view?.signing) throw new Error(`the relay ${url} cannot be reached now${view?.error ? `: ${view.error}` : ''}`);
      return fromHex(view.signing)!;
    };
    const nowSec = (): number => Math.floor(clock.now() / 1000);
    return {
      url,
      relaySigning: signing,
      async postBroadcast(seed, text) {
        const record = createBroadcast(suite, seed, await signing(), nowSec(), text).bytes;
        await api.call('POST', '/api/relays/broadcasts', { relay: url, record: b64(record) });
      },
      async listBroadcasts(since): Promise<readonly ListedRecord[]> {
        const r = await api.call<{ items: { seq: number; record: string }[] }>('POST', '/api/relays/broadcasts/list', { relay: url, since });
        return r.items.map((it) => ({ seq: it.seq, record: unb64(it.record) }));
      },
      async publishEntry(seed, entry) {
        const record = createDirectoryEntry(suite, seed, await signing(), { ...entry, createdSec: nowSec() }).bytes;
        await api.call('POST', '/api/directory/publish', { relay: url, record: b64(record) });
      },
      async withdrawEntry(seed) {
        // Strictly increasing, as the relay wants from one key (the clock in ms, or one more).
        counter = Math.max(Math.floor(clock.now()), counter + 1);
        const request = encodeSignedRequest(suite, await signing(), seed, { kind: 'directory-withdraw', counter });
        await api.call('POST', '/api/directory/withdraw', { relay: url, request: b64(request) });
      },
      async searchEntries(query) {
        return (await api.call<{ entries: string[] }>('POST', '/api/directory/search', { relay: url, query })).entries.map(unb64);
      },
      async randomEntries(count) {
        return (await api.call<{ entries: string[] }>('POST', '/api/directory/search', { relay: url, random: count })).entries.map(unb64);
      },
    };
  };

  return {
    async list() {
      try {
        return (await load()).map((r) => port(r.url));
      } catch {
        return [];
      }
    },
    port,
  };
}
