/**
 * Optional cover traffic of a relay's onion front (Loopix, Piotrowska et
 * al. 2017, section 4.3 "loop" messages), off by default. At a configured
 * mean rate (a Poisson process: exponential gaps drawn from the injected
 * CSPRNG), the relay builds an onion of the short class through relays
 * drawn at random from its catalog and back to itself, with a cover payload
 * (all zeros, protocol/onion/payload.ts) and the usual exponential delays,
 * and sends it to the first of them as it forwards any packet. Every relay
 * on the way sees a packet like all others; the relay itself drops it at
 * the end (`coverEnded`). What it buys and costs: docs/THREAT-MODEL.md
 * "Matriochka onions". Loops that do not come back (sent - ended) are what
 * a relay would watch for an n-1 attack; no alarm is raised yet.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { buildOnion } from '../../../protocol/onion/build.ts';
import { uniformIndex } from '../../../protocol/onion/chain.ts';
import { onionRelaysOf, type OnionRelayInfo } from '../../../protocol/onion/catalog.ts';
import { ONION_CLASSES } from '../../../protocol/onion/constants.ts';
import { delayMsOfCode, drawDelayCode } from '../../../protocol/onion/delay.ts';
import { coverPayload } from '../../../protocol/onion/payload.ts';
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import type { OnionForward, OnionRelay } from './onion-relay.ts';

export interface CoverTrafficOptions {
  /** Mean loops sent per minute (0: off). */
  readonly perMinute: number;
  /** Relays in a loop, this one (the end) included: 2..5. Default 3. */
  readonly hops?: number;
  /** Mean per-hop delay of a loop, ms, as senders use. Default 500. */
  readonly meanDelayMs?: number;
}

export interface CoverCounters {
  sent: number;
  /** Too few relays in the catalog, or the first hop did not take it. */
  failed: number;
}

export interface CoverTraffic {
  readonly counters: CoverCounters;
  stop(): void;
}

interface Deps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly relay: OnionRelay;
  readonly catalogBytes: () => Promise<readonly Uint8Array[]>;
  readonly forward: OnionForward;
}

/** A uniform draw of `n` distinct relays. */
function draw(random: RandomSource, pool: OnionRelayInfo[], n: number): OnionRelayInfo[] {
  const out: OnionRelayInfo[] = [];
  for (let i = 0; i < n; i++) out.push(pool.splice(uniformIndex(random, pool.length), 1)[0] as OnionRelayInfo);
  return out;
}

export function startCoverTraffic(deps: Deps, o: CoverTrafficOptions): CoverTraffic {
  const counters: CoverCounters = { sent: 0, failed: 0 };
  const hops = o.hops ?? 3;
  const meanDelayMs = o.meanDelayMs ?? 500;
  const c = ONION_CLASSES.short;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const self = toHex(deps.relay.serverId);

  const sendLoop = async (): Promise<void> => {
    const nowSec = Math.floor(deps.clock.now() / 1000);
    const others = onionRelaysOf(deps.suite, [...await deps.catalogBytes()], nowSec).filter((r) => r.id !== self);
    if (others.length < hops - 1) {
      counters.failed++;
      return;
    }
    const own = deps.relay.keys.announcement();
    const path = [...draw(deps.random, others, hops - 1).map((r) => ({ serverId: r.serverId, onionKey: r.onionKey })),
      { serverId: deps.relay.serverId, onionKey: own.key }];
    const packet = buildOnion(deps.suite, deps.random, c, path.map((h) => ({ ...h, delayCode: drawDelayCode(deps.random, meanDelayMs) })), coverPayload(c));
    try {
      await deps.forward(path[0]!.serverId, packet);
      counters.sent++;
    } catch {
      counters.failed++;
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    // Exponential gaps: a Poisson process, so the times tell nothing about when real packets are sent.
    const gap = delayMsOfCode(drawDelayCode(deps.random, 60_000 / o.perMinute));
    timer = deps.clock.setTimer(gap, () => {
      void sendLoop().catch(() => void counters.failed++).finally(schedule);
    });
  };
  if (o.perMinute > 0) schedule();
  return {
    counters,
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
