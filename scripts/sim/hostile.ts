/**
 * Hostile nodes for `npm run sim -- --hostile N [--hostile-kinds ...]`
 * (issue 9, "an adversary in the simulator"). They hold the public default
 * network key, as anyone with a radio does, so every frame they make has a
 * valid frame id; what they cannot do is sign as someone else or make a
 * destination's ack proof without its node id (see docs/ARCHITECTURE.md,
 * router, "Attacks modelled").
 *
 *   flooder    junk broadcasts of 200 bytes, back to back at the regional
 *              duty-cycle limit (EU868 869.4-869.65 MHz: 10 %)
 *   poisoner   rebroadcasts every flood at once (no contention window) with
 *              its own relay hint, so it sits on reverse paths; swallows every
 *              routed data frame that names it while passing acks on (so a
 *              route through it looks alive); and floods frames with random
 *              source and relay hints (a route table filler), one every 10 s
 *   replayer   captures what it hears and sends a random captured frame
 *              again every 5 s (at least 30 s after it was heard)
 *   forger     a broadcast every 20 s whose envelope carries no valid
 *              signature ("FAKE EVACUATION ORDER"): the frame id is valid
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields, relayFloodFrame, relayRoutedFrame } from '../../protocol/mesh/frame.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';

export type HostileKind = 'flooder' | 'poisoner' | 'replayer' | 'forger';
export const HOSTILE_KINDS: readonly HostileKind[] = ['flooder', 'poisoner', 'replayer', 'forger'];

/** The sub-band with the highest duty cycle a LoRa mesh may use in EU868 (ETSI EN 300 220-2 g3). */
const FLOODER_DUTY_CYCLE = 0.1;
const FORGED_MARK = new TextEncoder().encode('FAKE EVACUATION ORDER');

export interface HostileOptions {
  readonly kind: HostileKind;
  readonly index: number;
  readonly link: Link;
  readonly clock: Clock;
  readonly suite: CryptoSuite;
  readonly seed: number;
  /** First and last instant of activity, ms. */
  readonly fromMs: number;
  readonly untilMs: number;
}

export interface HostileCounters { sent: number; swallowed: number }

/** Starts one hostile node; returns its counters. */
export function startHostile(o: HostileOptions): HostileCounters {
  const random = new SeededRandom(`hostile:${o.seed}:${o.index}`);
  const meshKey = defaultMeshKey(o.suite);
  const myHint = 0x100 - 1 - (o.index % 64);
  const counters: HostileCounters = { sent: 0, swallowed: 0 };
  const send = (bytes: Uint8Array): void => {
    counters.sent++;
    o.link.send(bytes).catch(() => undefined);
  };
  const make = (f: FrameFields): Uint8Array => encodeFrame(f, computeFrameId(o.suite, meshKey, f));
  const every = (periodMs: () => number, act: () => void): void => {
    const tick = (): void => {
      if (o.clock.now() > o.untilMs) return;
      act();
      o.clock.setTimer(periodMs(), tick);
    };
    o.clock.setTimer(o.fromMs - o.clock.now() + random.float() * 5_000, tick);
  };
  switch (o.kind) {
    case 'flooder': {
      const junk = (): Uint8Array => make({ kind: FrameKind.data, limit: 7, routed: false, destHint: BROADCAST_HINT, sourceHint: random.int(0xfffe), payload: random.bytes(200) });
      const airtimeMs = o.link.airtimeMs(212);
      every(() => airtimeMs / FLOODER_DUTY_CYCLE, () => send(junk()));
      break;
    }
    case 'forger':
      every(() => 20_000, () => {
        const envelope = new Uint8Array(64);
        envelope.set(random.bytes(64));
        envelope.set(FORGED_MARK, 8);
        send(make({ kind: FrameKind.data, limit: 7, routed: false, destHint: BROADCAST_HINT, sourceHint: random.int(0xfffe), payload: envelope }));
      });
      break;
    case 'replayer': {
      const captured: { bytes: Uint8Array; atMs: number }[] = [];
      o.link.onFrame((rx) => {
        if (captured.length < 512) captured.push({ bytes: rx.bytes.slice(), atMs: o.clock.now() });
        else captured[random.int(captured.length)] = { bytes: rx.bytes.slice(), atMs: o.clock.now() };
      });
      every(() => 5_000, () => {
        const old = captured.filter((c) => o.clock.now() - c.atMs >= 30_000);
        const pick = old[random.int(old.length)];
        if (pick) send(pick.bytes);
      });
      break;
    }
    case 'poisoner':
      o.link.onFrame((rx) => {
        const d = decodeFrame(rx.bytes, o.link.mtu);
        if (!d.ok) return;
        const f = d.value;
        if (!f.routed && f.hops < f.limit) send(relayFloodFrame(f, myHint));
        else if (f.routed && f.route[f.hops] === myHint && f.hops < f.limit) {
          if (f.kind === FrameKind.ack) send(relayRoutedFrame(f));
          else counters.swallowed++;
        }
      });
      every(() => 10_000, () => {
        const hops = 1 + random.int(4);
        send(make({
          kind: FrameKind.data, limit: 8, hops, routed: false, destHint: BROADCAST_HINT, sourceHint: random.int(0xfffe),
          route: random.bytes(hops), payload: random.bytes(16),
        }));
      });
      break;
  }
  return counters;
}
