/**
 * The "ether" shared by emulated E22 modules: a packet one module sends
 * reaches every other module on the same channel, net id and air rate after
 * its time on air, with an RSSI the test chooses. Collisions and path loss
 * are the simulated medium's job (node-runtime), not this one's.
 */
import type { Clock } from '../../seams/clock.ts';

export interface AirPacket {
  readonly channel: number;
  readonly netId: number;
  readonly airRateBps: number;
  /** Transparent mode: the sender's own address; fixed-point: the target from the 3-byte prefix. */
  readonly targetAddress: number;
  readonly payload: Uint8Array;
}

export interface EtherNode {
  readonly name: string;
  receive(packet: AirPacket, rssiDbm: number): void;
}

export interface E22EtherOptions {
  readonly clock: Clock;
  /** RSSI a receiver sees from a sender, dBm (default -60). */
  readonly rssiDbm?: (from: EtherNode, to: EtherNode) => number;
}

export class E22Ether {
  private readonly nodes = new Set<EtherNode>();
  /** Packets in the air per sender, oldest first: one radio sends one packet after another. */
  private readonly inFlight = new Map<EtherNode, Array<{ packet: AirPacket; receivers: EtherNode[] }>>();
  /** Every packet put on the air, for assertions. */
  readonly log: Array<{ from: string; packet: AirPacket }> = [];

  constructor(private readonly options: E22EtherOptions) {}

  join(node: EtherNode): () => void {
    this.nodes.add(node);
    return () => this.nodes.delete(node);
  }

  /**
   * Puts a packet on the air; receivers get it `airtimeMs` later. Packets
   * from one sender arrive in the order sent even when host timers run late
   * (a later, shorter packet never overtakes an earlier one).
   */
  transmit(from: EtherNode, packet: AirPacket, airtimeMs: number): void {
    this.log.push({ from: from.name, packet });
    const entry = { packet, receivers: [...this.nodes].filter((n) => n !== from) };
    const queue = this.inFlight.get(from) ?? [];
    queue.push(entry);
    this.inFlight.set(from, queue);
    this.options.clock.setTimer(airtimeMs, () => {
      // Already delivered by a later packet's timer that ran first.
      if (!queue.includes(entry)) return;
      // Deliver everything sent before this packet that is still in flight, then this one.
      while (queue.length > 0) {
        const next = queue.shift()!;
        for (const node of next.receivers) {
          if (!this.nodes.has(node)) continue;
          node.receive(next.packet, this.options.rssiDbm?.(from, node) ?? -60);
        }
        if (next === entry) break;
      }
      if (queue.length === 0) this.inFlight.delete(from);
    });
  }
}
