/**
 * Fetching the agents' mailboxes from relays (issue 8, "Receiving"): every
 * watched mailbox that carries its Lkp secret and relay URLs is registered
 * on each of those relays (so that contacts' deposits are accepted) and
 * fetched with an Lkp-signed request, on a schedule and on demand.
 *
 * Order of work for one fetched envelope (nothing acknowledged is lost):
 *   store it in this node's mailboxes (SQLite, synchronous=FULL) under its
 *   envelope id -> tell the watching agent -> acknowledge it to the relay in
 *   the next fetch request, which deletes it there.
 * A crash before the ack only means the relay gives it again; the node's
 * mailbox store and the agent's session both drop the duplicate.
 *
 * A watched mailbox that carries a presence blob has it published on each of
 * its relays in the same pass, right after the mailbox is registered, and
 * again whenever the agent hands a different blob (a fresh expiry, a new
 * address, a rotated mailbox): the poll carries the presence. A blob this
 * node published that the agent no longer hands (the contact's policy left
 * 'direct') is withdrawn in the next pass. A relay that refuses it does not
 * stop the fetch.
 *
 * One pass at a time: a scheduled pass and an on-demand one never interleave
 * on the same mailbox (the relay's signed-request counters must rise).
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { lookupKeyPairFromSecret } from '../../../protocol/keys/keys.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { WatchedMailbox } from '../../../seams/node-port.ts';
import { type RelayPort, RelayRefusedError } from '../../../seams/relay-port.ts';
import type { Store } from '../../../node-runtime/store/index.ts';
import { redactUrl } from '../../../gateway/bridge/redact-url.ts';

/** A relay answers at most 64 envelopes per fetch; more pages than this in one pass waits for the next one. */
const MAX_PAGES_PER_MAILBOX = 32;

/** What the last pass learnt of one relay (shown to the user as "relay unreachable: ..."). */
export interface RelayFetchStatus {
  readonly url: string;
  readonly reachable: boolean;
  readonly error?: string;
  readonly lastAttemptAt: number;
  readonly lastSuccessAt?: number;
  readonly fetched: number;
}

export interface RelayFetcherDeps {
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly log: Logger;
  readonly relayFor: (url: string) => RelayPort | undefined;
  /** The envelope is in the node's mailboxes now: hand it to the agents watching its tag. */
  readonly stored: (tag: Uint8Array, id: Uint8Array, envelope: Uint8Array) => void;
}

export interface RelayFetcher {
  /** One pass over every watched mailbox on every one of its relays; resolves with how many envelopes arrived. */
  fetchAll(mailboxes: readonly WatchedMailbox[]): Promise<number>;
  status(): RelayFetchStatus[];
}

export function createRelayFetcher(deps: RelayFetcherDeps): RelayFetcher {
  const { store, suite, clock, log } = deps;
  const registered = new Set<string>();
  /** The blob last published per relay and mailbox (hex), so an unchanged one is not sent every pass. */
  const published = new Map<string, string>();
  const statuses = new Map<string, RelayFetchStatus>();
  let running: Promise<number> | undefined;

  function note(url: string, ok: boolean, fetched: number, error?: string): void {
    const before = statuses.get(url);
    const now = clock.now();
    statuses.set(url, {
      url: redactUrl(url), reachable: ok, lastAttemptAt: now, fetched: (before?.fetched ?? 0) + fetched,
      ...(ok ? { lastSuccessAt: now } : before?.lastSuccessAt !== undefined ? { lastSuccessAt: before.lastSuccessAt } : {}),
      ...(error ? { error } : {}),
    });
  }

  /** Fetches pages until the relay has nothing left; each page's ids are acknowledged by the next request. */
  /** `arrived.count` grows as envelopes are stored, so a pass cut short still reports what it brought. */
  async function drain(relay: RelayPort, box: WatchedMailbox & { lookupSecret: Uint8Array }, arrived: { count: number }): Promise<void> {
    const lookup = lookupKeyPairFromSecret(suite, box.lookupSecret);
    const key = `${relay.url} ${toHex(box.tag)}`;
    if (!registered.has(key)) {
      await relay.register(lookup);
      registered.add(key);
    }
    const blob = box.presence ? toHex(box.presence.blob) : undefined;
    if (relay.publishPresence && published.get(key) !== blob) {
      try {
        // No blob any more (the contact's policy left 'direct'): the one this node published is withdrawn (ttl 0).
        await relay.publishPresence(lookup, box.presence?.blob ?? new Uint8Array(0), box.presence?.ttlSec ?? 0);
        if (blob) published.set(key, blob);
        else published.delete(key);
      } catch (e) {
        log.debug('presence not published', { relay: redactUrl(relay.url), error: (e as Error).message });
      }
    }
    let acks: Uint8Array[] = [];
    for (let page = 0; page < MAX_PAGES_PER_MAILBOX; page++) {
      const messages = await relay.fetch(lookup, acks);
      if (messages.length === 0) break;
      acks = [];
      for (const m of messages) {
        const id = envelopeId(suite, m.envelope);
        const outcome = store.mailboxes.deposit(box.tag, id, m.envelope);
        if (outcome === 'stored') {
          deps.stored(box.tag, id, m.envelope);
          arrived.count++;
        }
        // Stored (or already known) on disk: safe to delete on the relay.
        acks.push(m.id);
      }
    }
    // The last page's acks ride on one more request whose answer is empty or the next page.
    if (acks.length > 0) await relay.fetch(lookup, acks);
  }

  async function pass(mailboxes: readonly WatchedMailbox[]): Promise<number> {
    let total = 0;
    const byRelay = new Map<string, (WatchedMailbox & { lookupSecret: Uint8Array })[]>();
    for (const box of mailboxes) {
      if (!box.lookupSecret) continue;
      for (const url of box.relays ?? []) {
        const list = byRelay.get(url) ?? [];
        list.push(box as WatchedMailbox & { lookupSecret: Uint8Array });
        byRelay.set(url, list);
      }
    }
    // Relays in parallel (one slow relay does not hold up the others), mailboxes of one relay in turn.
    await Promise.all([...byRelay].map(async ([url, boxes]) => {
      const relay = deps.relayFor(url);
      if (!relay) return;
      const arrived = { count: 0 };
      try {
        for (const box of boxes) await drain(relay, box, arrived);
        note(url, true, arrived.count);
      } catch (e) {
        const what = e instanceof RelayRefusedError ? 'refused the fetch' : 'unreachable';
        note(url, false, arrived.count, `relay ${redactUrl(url)} ${what}: ${(e as Error).message}`);
        log.debug('relay fetch failed', { relay: redactUrl(url), error: (e as Error).message });
      }
      total += arrived.count;
    }));
    return total;
  }

  return {
    async fetchAll(mailboxes) {
      // A pass asked for while one runs starts right after it, with the newest list.
      while (running) await running.catch(() => 0);
      running = pass(mailboxes).finally(() => {
        running = undefined;
      });
      return running;
    },
    status: () => [...statuses.values()],
  };
}
