/**
 * The simulated LoRa channel: nodes in 2D (or an explicit link graph), one
 * shared channel and one modulation, on a simulated clock, deterministic
 * from a seed.
 *
 * Physics, in the order the medium applies it:
 *  - Time on air by the Semtech formula (protocol/mesh/airtime.ts); a frame
 *    occupies [start, start + airtime) at every node that hears it.
 *  - RSSI from the path-loss model (propagation.ts) or the link's fixed
 *    RSSI; SNR = RSSI - noise floor. A frame can be decoded when SNR is at
 *    or above the SF's demodulation floor (SX1261/2 table 6-1): that is range.
 *  - Half duplex: a node transmitting hears nothing; starting to transmit
 *    destroys every frame it was receiving.
 *  - Collisions, pairwise: when two frames overlap at a receiver, the one
 *    at least `captureThresholdDb` (6 dB) stronger survives (capture
 *    effect) and the weaker is lost; closer than that, both are lost. This
 *    is the usual LoRa simulator rule (Bor et al., "Do LoRa Low-Power
 *    Wide-Area Networks Scale?", MSWiM 2016, section 3: capture at 6 dB
 *    for same-SF frames); it ignores preamble timing and the sum of many
 *    weak interferers.
 *  - Random loss: a frame that survived is still dropped with probability
 *    1 - (1 - loss)(1 - linkLoss), drawn from the seeded stream.
 * Frames are delivered at their end time, each receiver getting its own copy.
 */
import { LONG_FAST, timeOnAirMs, type LoRaModulation } from '../../protocol/mesh/airtime.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { ChannelMonitor } from '../../seams/channel-monitor.ts';
import { BusyTimeline } from './busy-timeline.ts';
import { RadioMediumError } from './errors.ts';
import {
  DEFAULT_PATH_LOSS, demodulationFloorFor, linkNormalDeviate, noiseFloorDbm, nominalRangeM, pathLossDb,
  type PathLossModel,
} from './propagation.ts';
import { summariseMedium, type MediumStats, type NodeRadioCounters } from './medium-stats.ts';
import type { Topology } from './topology.ts';

export interface RadioMediumOptions {
  clock: Clock;
  seed: number | string;
  /** LONG_FAST (SF11, 250 kHz) by default. */
  modulation?: LoRaModulation;
  pathLoss?: Partial<PathLossModel>;
  /** Default transmit power, dBm (14: the EU868 25 mW ERP limit of most sub-bands). */
  txPowerDbm?: number;
  /** Receiver noise figure, dB (6 dB is typical of an SX1262 front end). */
  noiseFigureDb?: number;
  /** Probability 0..1 that a frame which survived the physics is lost anyway. */
  lossProbability?: number;
  /** Capture margin, dB (6). */
  captureThresholdDb?: number;
  /** Level above which a node senses the channel busy, dBm (default: the demodulation sensitivity, as LoRa CAD). */
  carrierSenseThresholdDbm?: number;
  /** Sliding window of channelUse(), ms (60 000, as Meshtastic). */
  channelUseWindowMs?: number;
  /** RSSI of an explicit link with no rssiDbm, dBm (-100). */
  defaultLinkRssiDbm?: number;
  topology?: Topology;
}

export interface NodePlacement {
  id: string;
  x?: number;
  y?: number;
  txPowerDbm?: number;
}

export interface ExplicitLink {
  a: string;
  b: string;
  rssiDbm?: number;
  loss?: number;
}

/** A frame as one receiver got it. */
export interface MediumReception {
  readonly bytes: Uint8Array;
  readonly from: string;
  readonly rssiDbm: number;
  readonly snrDb: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface TransmissionInfo {
  readonly startMs: number;
  readonly endMs: number;
  readonly airtimeMs: number;
}

/** How well `to` hears `from`. */
export interface LinkBudget {
  readonly rssiDbm: number;
  readonly snrDb: number;
  /** SNR at or above the demodulation floor. */
  readonly decodable: boolean;
}

interface Hearer {
  readonly node: NodeState;
  readonly rssiDbm: number;
  readonly extraLoss: number;
}

interface Arrival {
  readonly tx: Transmission;
  readonly receiver: NodeState;
  readonly rssiDbm: number;
  readonly extraLoss: number;
  corruptedBy: 'collision' | 'half-duplex' | undefined;
}

interface Transmission {
  readonly sender: NodeState;
  readonly bytes: Uint8Array;
  readonly startMs: number;
  readonly endMs: number;
  readonly arrivals: Arrival[];
  readonly onDone: (() => void) | undefined;
}

interface NodeState {
  readonly id: string;
  x: number;
  y: number;
  readonly txPowerDbm: number;
  receiver: ((rx: MediumReception) => void) | undefined;
  txUntilMs: number;
  /** Frames on air that reach this node (decodable or not). */
  arrivals: Arrival[];
  readonly timeline: BusyTimeline;
  readonly counters: NodeRadioCounters;
}

export class RadioMedium {
  readonly modulation: LoRaModulation;
  readonly pathLoss: PathLossModel;
  readonly noiseFloorDbm: number;
  readonly demodulationFloorDb: number;
  /** Weakest decodable RSSI: noise floor + demodulation floor, dBm. */
  readonly sensitivityDbm: number;
  readonly carrierSenseThresholdDbm: number;
  readonly channelUseWindowMs: number;
  private readonly clock: Clock;
  private readonly random: SeededRandom;
  private readonly seedWord: number;
  private readonly txPowerDbm: number;
  private readonly lossProbability: number;
  private readonly captureThresholdDb: number;
  private readonly defaultLinkRssiDbm: number;
  private readonly startMs: number;
  private readonly nodes = new Map<string, NodeState>();
  private readonly links = new Map<string, Map<string, { rssiDbm: number; loss: number }>>();
  private hearersCache = new Map<string, Hearer[]>();
  private transmissions = 0;

  constructor(options: RadioMediumOptions) {
    this.clock = options.clock;
    this.modulation = options.modulation ?? LONG_FAST;
    this.pathLoss = { ...DEFAULT_PATH_LOSS, ...options.pathLoss };
    this.txPowerDbm = options.txPowerDbm ?? 14;
    this.noiseFloorDbm = noiseFloorDbm(this.modulation.bandwidthHz, options.noiseFigureDb ?? 6);
    this.demodulationFloorDb = demodulationFloorFor(this.modulation.spreadingFactor);
    this.sensitivityDbm = this.noiseFloorDbm + this.demodulationFloorDb;
    this.carrierSenseThresholdDbm = options.carrierSenseThresholdDbm ?? this.sensitivityDbm;
    this.channelUseWindowMs = options.channelUseWindowMs ?? 60_000;
    this.lossProbability = options.lossProbability ?? 0;
    this.captureThresholdDb = options.captureThresholdDb ?? 6;
    this.defaultLinkRssiDbm = options.defaultLinkRssiDbm ?? -100;
    if (!(this.lossProbability >= 0 && this.lossProbability <= 1)) {
      throw new RadioMediumError('invalid-option', `lossProbability must be in [0, 1], got ${this.lossProbability}`);
    }
    if (!(this.channelUseWindowMs > 0)) throw new RadioMediumError('invalid-option', 'channelUseWindowMs must be > 0');
    this.random = new SeededRandom(`radio-medium:${options.seed}`);
    this.seedWord = new DataView(new SeededRandom(`radio-medium-links:${options.seed}`).bytes(4).buffer).getUint32(0);
    this.startMs = this.clock.now();
    if (options.topology) this.loadTopology(options.topology);
  }

  /** Mean distance at which a node at the default power is still decodable, m. */
  get nominalRangeM(): number {
    return nominalRangeM(this.pathLoss, this.txPowerDbm, this.sensitivityDbm);
  }

  loadTopology(topology: Topology): void {
    for (const n of topology.nodes) this.addNode(n);
    for (const l of topology.links ?? []) this.addLink(l);
  }

  addNode(p: NodePlacement): void {
    if (this.nodes.has(p.id)) throw new RadioMediumError('duplicate-node', `node "${p.id}" is already placed`);
    this.nodes.set(p.id, {
      id: p.id, x: p.x ?? 0, y: p.y ?? 0, txPowerDbm: p.txPowerDbm ?? this.txPowerDbm, receiver: undefined,
      txUntilMs: Number.NEGATIVE_INFINITY, arrivals: [], timeline: new BusyTimeline(),
      counters: { framesSent: 0, airtimeMs: 0, framesReceived: 0, collisions: 0, halfDuplexLosses: 0, randomLosses: 0 },
    });
    this.hearersCache = new Map();
  }

  /** Moves a node (mobile nodes); frames already on air keep the old geometry. */
  moveNode(id: string, x: number, y: number): void {
    const n = this.node(id);
    n.x = x;
    n.y = y;
    this.hearersCache = new Map();
  }

  /** Adds an explicit link; once any exists, only explicit links carry frames. */
  addLink(l: ExplicitLink): void {
    this.node(l.a);
    this.node(l.b);
    const entry = { rssiDbm: l.rssiDbm ?? this.defaultLinkRssiDbm, loss: l.loss ?? 0 };
    for (const [from, to] of [[l.a, l.b], [l.b, l.a]] as const) {
      let m = this.links.get(from);
      if (!m) this.links.set(from, (m = new Map()));
      m.set(to, entry);
    }
    this.hearersCache = new Map();
  }

  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  /** Receives every frame this node decodes (one receiver per node: the last attach wins); returns a detach function. */
  attach(id: string, onReceive: (rx: MediumReception) => void): () => void {
    const n = this.node(id);
    n.receiver = onReceive;
    return () => {
      if (n.receiver === onReceive) n.receiver = undefined;
    };
  }

  airtimeMs(length: number): number {
    return timeOnAirMs(this.modulation, length);
  }

  /** Puts a frame on air now. Throws if the node is already transmitting (the link queues). */
  transmit(id: string, bytes: Uint8Array, onDone?: () => void): TransmissionInfo {
    const sender = this.node(id);
    const now = this.clock.now();
    if (sender.txUntilMs > now) throw new RadioMediumError('already-transmitting', `node "${id}" is already transmitting`);
    const airtimeMs = this.airtimeMs(bytes.length);
    const endMs = now + airtimeMs;
    const tx: Transmission = { sender, bytes: bytes.slice(), startMs: now, endMs, arrivals: [], onDone };
    for (const a of sender.arrivals) {
      if (a.tx.endMs > now && a.corruptedBy === undefined) a.corruptedBy = 'half-duplex';
    }
    sender.txUntilMs = endMs;
    sender.timeline.add(now, endMs);
    sender.counters.framesSent++;
    sender.counters.airtimeMs += airtimeMs;
    this.transmissions++;
    for (const h of this.hearers(sender)) this.arrive(tx, h, now);
    this.clock.setTimer(airtimeMs, () => this.finish(tx));
    return { startMs: now, endMs, airtimeMs };
  }

  private arrive(tx: Transmission, h: Hearer, now: number): void {
    const r = h.node;
    const arrival: Arrival = { tx, receiver: r, rssiDbm: h.rssiDbm, extraLoss: h.extraLoss, corruptedBy: undefined };
    if (r.txUntilMs > now) arrival.corruptedBy = 'half-duplex';
    // Compacts the list in place, dropping frames that have ended (their finish event may still be due).
    const list = r.arrivals;
    let kept = 0;
    for (const o of list) {
      if (o.tx.endMs <= now) continue;
      list[kept++] = o;
      // Pairwise capture (see the header): the stronger survives only with the full margin.
      if (arrival.rssiDbm < o.rssiDbm + this.captureThresholdDb) arrival.corruptedBy ??= 'collision';
      if (o.rssiDbm < arrival.rssiDbm + this.captureThresholdDb) o.corruptedBy ??= 'collision';
    }
    list.length = kept;
    list.push(arrival);
    tx.arrivals.push(arrival);
    if (h.rssiDbm >= this.carrierSenseThresholdDbm) r.timeline.add(now, tx.endMs);
  }

  private finish(tx: Transmission): void {
    const deliveries: Arrival[] = [];
    // Ended arrivals stay in their receiver's list until its next arrival compacts it (arrive());
    // everything that reads the list checks endMs, so no search-and-splice here.
    for (const a of tx.arrivals) {
      const r = a.receiver;
      if (a.rssiDbm - this.noiseFloorDbm < this.demodulationFloorDb) continue;
      if (a.corruptedBy === 'collision') r.counters.collisions++;
      else if (a.corruptedBy === 'half-duplex') r.counters.halfDuplexLosses++;
      else if (this.lost(a.extraLoss)) r.counters.randomLosses++;
      else deliveries.push(a);
    }
    for (const a of deliveries) {
      const r = a.receiver;
      if (r.receiver === undefined) continue;
      r.counters.framesReceived++;
      r.receiver({
        bytes: tx.bytes.slice(), from: tx.sender.id, rssiDbm: a.rssiDbm, snrDb: a.rssiDbm - this.noiseFloorDbm,
        startMs: tx.startMs, endMs: tx.endMs,
      });
    }
    tx.onDone?.();
  }

  private lost(extraLoss: number): boolean {
    const p = 1 - (1 - this.lossProbability) * (1 - extraLoss);
    return p > 0 && this.random.float() < p;
  }

  isTransmitting(id: string): boolean {
    return this.node(id).txUntilMs > this.clock.now();
  }

  /** True while `id` hears a frame above the carrier-sense threshold (its own transmission excluded). */
  channelBusy(id: string): boolean {
    const now = this.clock.now();
    return this.node(id).arrivals.some((a) => a.tx.endMs > now && a.rssiDbm >= this.carrierSenseThresholdDbm);
  }

  /** Fraction of the last `windowMs` in which `id` transmitted or heard a frame. */
  channelUse(id: string, windowMs = this.channelUseWindowMs): number {
    return this.node(id).timeline.utilisation(this.clock.now(), windowMs);
  }

  channelMonitor(id: string): ChannelMonitor {
    this.node(id);
    return { channelBusy: () => this.channelBusy(id), channelUse: () => this.channelUse(id) };
  }

  /** How `to` hears `from` (undefined when no link reaches it). */
  linkBudget(from: string, to: string): LinkBudget | undefined {
    const h = this.hearers(this.node(from)).find((x) => x.node.id === to);
    if (!h) return undefined;
    const snrDb = h.rssiDbm - this.noiseFloorDbm;
    return { rssiDbm: h.rssiDbm, snrDb, decodable: snrDb >= this.demodulationFloorDb };
  }

  /** Nodes that can decode `id` in the absence of collisions. */
  neighbours(id: string): string[] {
    return this.hearers(this.node(id)).filter((h) => h.rssiDbm >= this.sensitivityDbm).map((h) => h.node.id);
  }

  /** One node's radio counters (a snapshot). */
  nodeCounters(id: string): NodeRadioCounters {
    return { ...this.node(id).counters };
  }

  stats(): MediumStats {
    return summariseMedium(
      [...this.nodes.values()].map((n) => ({ id: n.id, counters: n.counters, timeline: n.timeline })),
      { transmissions: this.transmissions, originMs: this.startMs, nowMs: this.clock.now(), windowMs: this.channelUseWindowMs },
    );
  }

  private node(id: string): NodeState {
    const n = this.nodes.get(id);
    if (!n) throw new RadioMediumError('unknown-node', `no node "${id}" on the medium`);
    return n;
  }

  /** Every node a frame from `sender` reaches strongly enough to be decoded or to collide with one that is. */
  private hearers(sender: NodeState): Hearer[] {
    const cached = this.hearersCache.get(sender.id);
    if (cached) return cached;
    const list: Hearer[] = [];
    if (this.links.size > 0) {
      for (const [to, l] of this.links.get(sender.id) ?? []) {
        list.push({ node: this.node(to), rssiDbm: l.rssiDbm, extraLoss: l.loss });
      }
    } else {
      // Below this, a signal can neither be decoded nor ruin a decodable frame (capture margin).
      const floorDbm = Math.min(this.sensitivityDbm, this.carrierSenseThresholdDbm) - this.captureThresholdDb;
      const sigma = this.pathLoss.shadowingSigmaDb;
      // Box-Muller on 32-bit uniforms never exceeds sqrt(-2 ln 2^-32) = 6.66 sigma: beyond the
      // distance where even that much luck cannot reach the floor, skip the logarithm.
      const reachM = nominalRangeM(this.pathLoss, sender.txPowerDbm + 6.67 * sigma, floorDbm);
      const reach2 = reachM * reachM;
      for (const r of this.nodes.values()) {
        if (r === sender) continue;
        const dx = r.x - sender.x;
        const dy = r.y - sender.y;
        if (dx * dx + dy * dy > reach2) continue;
        const distanceM = Math.sqrt(dx * dx + dy * dy);
        let rssiDbm = sender.txPowerDbm - pathLossDb(this.pathLoss, distanceM);
        if (sigma > 0) rssiDbm -= sigma * linkNormalDeviate(this.seedWord, sender.id, r.id);
        if (rssiDbm >= floorDbm) list.push({ node: r, rssiDbm, extraLoss: 0 });
      }
    }
    this.hearersCache.set(sender.id, list);
    return list;
  }
}

export function createRadioMedium(options: RadioMediumOptions): RadioMedium {
  return new RadioMedium(options);
}
