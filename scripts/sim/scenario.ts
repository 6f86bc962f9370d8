/**
 * One simulator scenario: topology, node keys and traffic, drawn once from
 * the seed and replayed identically for every router compared.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { LONG_FAST, type LoRaModulation } from '../../protocol/mesh/airtime.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { DEFAULT_PATH_LOSS, demodulationFloorFor, noiseFloorDbm, nominalRangeM } from '../../hardware/radio-sim/propagation.ts';
import type { Topology } from '../../hardware/radio-sim/topology.ts';
import type { HostileKind } from './hostile.ts';
import { generateLayout, type LayoutKind } from './layouts.ts';
import { generateTraffic, type TrafficEvent } from './traffic.ts';

export interface ScenarioOptions {
  readonly nodes: number;
  /** Random frame loss 0..1 on top of collisions. */
  readonly loss: number;
  readonly seed: number;
  /** Given layout (--topology FILE); otherwise generated. */
  readonly topology?: Topology;
  readonly meanDegree?: number;
  /** Class of generated layout (layouts.ts), default random. */
  readonly layout?: LayoutKind;
  readonly directMessages: number;
  readonly broadcasts: number;
  /** Traffic period, ms. */
  readonly durationMs: number;
  /** Quiet time before traffic (announces, warm-up), ms. */
  readonly warmupMs?: number;
  /** Time after traffic for the last messages to finish, ms. */
  readonly drainMs?: number;
  readonly modulation?: LoRaModulation;
  readonly txPowerDbm?: number;
  /** Hostile nodes added to the layout (hostile.ts), kinds dealt round-robin. */
  readonly hostile?: { readonly count: number; readonly kinds: readonly HostileKind[] };
}

/** A hostile node: placed near a random honest node, so it hears and is heard. */
export interface HostilePlacement {
  readonly kind: HostileKind;
  readonly x: number;
  readonly y: number;
}

export interface NodeIdentity {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly nodeId: Uint8Array;
}

export interface Scenario {
  readonly options: ScenarioOptions;
  readonly topology: Topology;
  readonly identities: readonly NodeIdentity[];
  readonly traffic: readonly TrafficEvent[];
  readonly modulation: LoRaModulation;
  readonly txPowerDbm: number;
  readonly warmupMs: number;
  readonly drainMs: number;
  readonly hostile: readonly HostilePlacement[];
}

export function buildScenario(o: ScenarioOptions, suite: CryptoSuite): Scenario {
  const modulation = o.modulation ?? LONG_FAST;
  const txPowerDbm = o.txPowerDbm ?? 14;
  const sensitivity = noiseFloorDbm(modulation.bandwidthHz, 6) + demodulationFloorFor(modulation.spreadingFactor);
  const rangeM = nominalRangeM(DEFAULT_PATH_LOSS, txPowerDbm, sensitivity);
  const topology = o.topology ?? generateLayout({
    layout: o.layout ?? 'random', nodes: o.nodes, rangeM, seed: o.seed, ...(o.meanDegree !== undefined && { meanDegree: o.meanDegree }),
  });
  const n = topology.nodes.length;
  const keyRandom = new SeededRandom(`sim-node-keys:${o.seed}`);
  const identities = topology.nodes.map(() => {
    const seed = keyRandom.bytes(32);
    const publicKey = suite.ed25519PublicKey(seed);
    return { seed, publicKey, nodeId: meshNodeId(suite, publicKey) };
  });
  const warmupMs = o.warmupMs ?? 60_000;
  const traffic = generateTraffic({
    nodes: n, directMessages: o.directMessages, broadcasts: o.broadcasts, startMs: warmupMs, durationMs: o.durationMs, seed: o.seed,
  });
  const hostile = placeHostile(o, topology, rangeM);
  return { options: o, topology, identities, traffic, modulation, txPowerDbm, warmupMs, drainMs: o.drainMs ?? 10 * 60_000, hostile };
}

function placeHostile(o: ScenarioOptions, topology: Topology, rangeM: number): HostilePlacement[] {
  if (!o.hostile || o.hostile.count === 0) return [];
  if (topology.links || topology.nodes.some((n) => n.x === undefined || n.y === undefined)) {
    throw new RangeError('--hostile needs a layout with positions (not an explicit link graph)');
  }
  const random = new SeededRandom(`hostile-placement:${o.seed}`);
  return Array.from({ length: o.hostile.count }, (_, k) => {
    const near = topology.nodes[random.int(topology.nodes.length)] as { x: number; y: number };
    const kind = o.hostile?.kinds[k % o.hostile.kinds.length] as HostileKind;
    return { kind, x: near.x + (random.float() - 0.5) * 0.6 * rangeM, y: near.y + (random.float() - 0.5) * 0.6 * rangeM };
  });
}
