/**
 * The "ether" shared by emulated E22 modules: a packet one module sends
 * reaches every other module on the same channel, net id and air rate after
 * its time on air, with an RSSI the test chooses. Collisions and path loss
 * are the simulated medium's job (node-runtime), not this one's.
 */
import type { Clock } from '../../node-runtime/platform/clock.ts';

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
  /** Every packet put on the air, for assertions. */
  readonly log: Array<{ from: string; packet: AirPacket }> = [];

  constructor(private readonly options: E22EtherOptions) {}

  join(node: EtherNode): () => void {
    this.nodes.add(node);
    return () => this.nodes.delete(node);
  }

  /** Puts a packet on the air; receivers get it `airtimeMs` later. */
  transmit(from: EtherNode, packet: AirPacket, airtimeMs: number): void {
    this.log.push({ from: from.name, packet });
    const receivers = [...this.nodes].filter((n) => n !== from);
    this.options.clock.setTimer(airtimeMs, () => {
      for (const node of receivers) {
        if (!this.nodes.has(node)) continue;
        node.receive(packet, this.options.rssiDbm?.(from, node) ?? -60);
      }
    });
  }
}
