/**
 * A small mesh on the simulated medium (hardware/radio-sim) for router
 * tests: explicit links (who hears whom), seeded keys and randomness, a
 * simulated clock driven synchronously.
 */
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import type { Link, ReceivedFrame } from '../../seams/link.ts';
import { createRadioMedium, type RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { createSimRadioLink, type SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { createRouter, type Router } from '../../node-runtime/router/router.ts';
import { createTransmitQueue, type TransmitQueue } from '../../node-runtime/scheduler/transmit-queue.ts';
import type { DeliverMeta, RouterConfig, RouterStore } from '../../node-runtime/router/types.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

export const suite = createNodeSuite();

export interface MeshOptions {
  nodes: number;
  links: readonly (readonly [number, number])[];
  loss?: number;
  seed?: number;
  config?: Partial<RouterConfig>;
  /** Wraps a node's link (to drop chosen frames). */
  wrapLink?: (node: number, link: SimRadioLink) => Link;
  store?: (node: number) => RouterStore | undefined;
  /** Adds a node "rogue" with no router, heard by these nodes: tests transmit raw bytes from it. */
  rogueHeardBy?: readonly number[];
  log?: (node: number, message: string, fields?: Record<string, unknown>) => void;
  /** Builds the node's transmit queue (default: the router's own transmit-queue.ts). */
  queue?: (node: number, link: Link, clock: SimClock, random: SeededRandom, medium: RadioMedium) => TransmitQueue;
}

export interface TestMesh {
  clock: SimClock;
  medium: RadioMedium;
  routers: Router[];
  links: SimRadioLink[];
  ids: Uint8Array[];
  delivered: { envelope: Uint8Array; meta: DeliverMeta }[][];
  /** Runs the simulated clock forward by `ms`. */
  run(ms: number): void;
  /** Puts raw bytes on air from the rogue node. */
  rogue(bytes: Uint8Array): void;
}

/** Tests default: no periodic announces (they would make frame counts time-dependent). */
export const TEST_CONFIG: Partial<RouterConfig> = { announceIntervalMs: 0, floodHopLimit: 8 };

export function makeMesh(o: MeshOptions): TestMesh {
  const clock = new SimClock();
  const seed = o.seed ?? 1;
  const medium = createRadioMedium({
    clock, seed, lossProbability: o.loss ?? 0,
    topology: {
      nodes: [...Array.from({ length: o.nodes }, (_, i) => ({ id: String(i) })), ...(o.rogueHeardBy ? [{ id: 'rogue' }] : [])],
      links: [
        ...o.links.map(([a, b]) => ({ a: String(a), b: String(b), rssiDbm: -100 })),
        ...(o.rogueHeardBy ?? []).map((n) => ({ a: 'rogue', b: String(n), rssiDbm: -100 })),
      ],
    },
  });
  const keyRandom = new SeededRandom(`test-keys:${seed}`);
  const links: SimRadioLink[] = [];
  const ids: Uint8Array[] = [];
  const delivered: TestMesh['delivered'] = [];
  const routers = Array.from({ length: o.nodes }, (_, i) => {
    const link = createSimRadioLink({ medium, nodeId: String(i) });
    links.push(link);
    const seedBytes = keyRandom.bytes(32);
    const publicKey = suite.ed25519PublicKey(seedBytes);
    ids.push(meshNodeId(suite, publicKey));
    const random = new SeededRandom(`test-router:${seed}:${i}`);
    const shown = o.wrapLink?.(i, link) ?? link;
    const store = o.store?.(i);
    const router = createRouter({
      nodeKeys: { seed: seedBytes, publicKey }, suite, clock, random, links: [shown],
      queues: [o.queue?.(i, shown, clock, random, medium) ?? createTransmitQueue({ link: shown, clock, random, channel: medium.channelMonitor(String(i)) })],
      config: { ...TEST_CONFIG, ...o.config }, ...(store && { store }),
      ...(o.log && { log: { debug: (msg: string, f?: Record<string, unknown>) => o.log?.(i, msg, f), warn: (msg: string, f?: Record<string, unknown>) => o.log?.(i, msg, f) } }),
    });
    const mine: TestMesh['delivered'][number] = [];
    delivered.push(mine);
    router.onDeliver((envelope, meta) => mine.push({ envelope, meta }));
    return router;
  });
  return {
    clock, medium, routers, links, ids, delivered,
    run: (ms) => clock.runUntilSync(clock.now() + ms),
    rogue: (bytes) => { medium.transmit('rogue', bytes); },
  };
}

/** A link that hides chosen received frames from the router (a targeted loss). */
export function filteringLink(inner: Link, drop: (frame: ReceivedFrame) => boolean): Link {
  return {
    id: inner.id, kind: inner.kind, mtu: inner.mtu,
    airtimeMs: (n) => inner.airtimeMs(n),
    send: (f) => inner.send(f),
    onFrame: (h) => inner.onFrame((f) => { if (!drop(f)) h(f); }),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
}

/** Runs the clock in steps until `p` settles (or maxMs of simulated time pass); returns the outcome. */
export async function settle<T>(m: TestMesh, p: Promise<T>, maxMs = 4 * 3_600_000): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  p.then((value) => { outcome = { ok: true, value }; }, (error: unknown) => { outcome = { ok: false, error }; });
  for (let t = 0; t < maxMs && outcome === undefined; t += 10_000) {
    m.run(10_000);
    await new Promise((r) => setImmediate(r));
  }
  if (outcome === undefined) throw new Error(`still pending after ${maxMs} ms of simulated time`);
  return outcome;
}

export function line(n: number): [number, number][] {
  return Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]);
}

export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
