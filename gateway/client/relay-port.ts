/**
 * The mesh gateway's view of a relay (seams/relay-port.ts) on top
 * of RelayClient: refusals a retry cannot fix become RelayRefusedError,
 * everything else RelayUnreachableError (retry later).
 */
import type { LookupKeyPair } from '../../protocol/keys/keys.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import {
  type FetchedMessage, type OnionSendRequest, type OnionSent, OnionRouteError, type RelayPort, RelayRefusedError, RelayUnreachableError,
} from '../../seams/relay-port.ts';
import { sendOnionVia } from './onion-sender.ts';
import { connectRelay, type ConnectOptions } from './connect.ts';
import type { RelayClient } from './relay-client.ts';

/**
 * Refusals that will come again however often the same request is retried.
 * 'unknown-mailbox' is not one of them: a gateway may flush an envelope
 * before the recipient's gateway has registered the mailbox (both sides of a
 * shutdown come online at different times), so the envelope waits in the
 * outbox, with backoff, until its expiry.
 */
const FINAL_REFUSALS = new Set<RelayError['code']>(['malformed', 'too-large', 'bad-signature', 'unauthorized', 'unsupported', 'wrong-server']);

export interface RelayPortOptions extends ConnectOptions {
  /** Stamp difficulty to mint for deposits (the relay's depositStampBits; 0 when it asks none). */
  readonly stampBits?: number;
}

export function relayPort(url: string, options: RelayPortOptions): RelayPort {
  let client: RelayClient | undefined;
  const get = async (): Promise<RelayClient> => {
    client ??= await connectRelay(url, options);
    return client;
  };
  const translate = async (e: unknown): Promise<never> => {
    if (e instanceof RelayError && FINAL_REFUSALS.has(e.code)) throw new RelayRefusedError(e.message);
    // Transport trouble: drop the client so that the next call reconnects.
    if (!(e instanceof RelayError)) {
      const c = client;
      client = undefined;
      await c?.close().catch(() => undefined);
    }
    throw new RelayUnreachableError(e instanceof Error ? e.message : String(e));
  };
  return {
    url,
    async probe() {
      try {
        await (await get()).connect();
        return true;
      } catch {
        return false;
      }
    },
    async deposit(tag, envelope) {
      try {
        const r = await (await get()).deposit(tag, envelope, { stampBits: options.stampBits ?? 0 });
        return r.duplicate ? 'duplicate' : 'stored';
      } catch (e) {
        return translate(e);
      }
    },
    async fetch(lookup: LookupKeyPair, acks): Promise<FetchedMessage[]> {
      try {
        const r = await (await get()).fetch(lookup, { acks });
        return r.messages.map((m) => ({ id: m.id, envelope: m.envelope }));
      } catch (e) {
        return translate(e);
      }
    },
    async register(lookup: LookupKeyPair): Promise<void> {
      try {
        await (await get()).register(lookup);
      } catch (e) {
        return translate(e);
      }
    },
    async publishPresence(lookup: LookupKeyPair, blob: Uint8Array, ttlSec: number): Promise<void> {
      try {
        await (ttlSec === 0 ? (await get()).withdrawPresence(lookup) : (await get()).publishPresence(lookup, blob, ttlSec));
      } catch (e) {
        return translate(e);
      }
    },
    async lookupPresence(tag: Uint8Array): Promise<Uint8Array | undefined> {
      try {
        return (await (await get()).lookupPresence(tag)).blob;
      } catch (e) {
        // No presence under that tag is an answer, not a failure.
        if (e instanceof RelayError && e.code === 'not-found') return undefined;
        return translate(e);
      }
    },
    async sendOnion(request: OnionSendRequest): Promise<OnionSent> {
      try {
        return await sendOnionVia(await get(), { ...options, stampBits: options.stampBits ?? 0 }, request);
      } catch (e) {
        if (e instanceof OnionRouteError) throw e;
        return translate(e);
      }
    },
    async close() {
      const c = client;
      client = undefined;
      await c?.close();
    },
  };
}
