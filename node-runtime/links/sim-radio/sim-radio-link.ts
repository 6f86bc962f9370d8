/**
 * A Link (seams/link.ts) onto the simulated medium: what a
 * LoRa radio is to a real node. send() queues frames and puts them on air
 * one after another (a radio transmits one frame at a time) and resolves
 * when the frame has left, after its time on air on the simulated clock.
 * Received frames carry the RSSI and SNR the medium computed.
 *
 * framesDropped counts frames that were on air here with a decodable
 * signal but were destroyed by a collision or by this node's own
 * transmission: what a real radio reports as CRC or header errors.
 */
import {
  FrameTooLargeError, LinkClosedError, type Link, type LinkKind, type LinkStats, type ReceivedFrame,
} from '../../../seams/link.ts';
import type { MediumReception, RadioMedium } from '../../../hardware/radio-sim/medium.ts';

export interface SimRadioLinkOptions {
  medium: RadioMedium;
  /** The medium node this radio belongs to (placed with medium.addNode). */
  nodeId: string;
  /** Largest frame, bytes (255: the SX126x FIFO). */
  mtu?: number;
  /** Link id (`sim-radio:<nodeId>` by default). */
  id?: string;
}

interface PendingSend {
  readonly frame: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export class SimRadioLink implements Link {
  readonly id: string;
  readonly kind: LinkKind = 'sim-radio';
  readonly mtu: number;
  readonly nodeId: string;
  private readonly medium: RadioMedium;
  private readonly handlers: ((frame: ReceivedFrame) => void)[] = [];
  private readonly queue: PendingSend[] = [];
  private onAir = false;
  private closed = false;
  private readonly detach: () => void;
  private readonly counters: LinkStats = { framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0 };
  private readonly lossesAtOpen: number;

  constructor(options: SimRadioLinkOptions) {
    this.medium = options.medium;
    this.nodeId = options.nodeId;
    this.mtu = options.mtu ?? 255;
    if (!Number.isInteger(this.mtu) || this.mtu < 1 || this.mtu > 255) {
      throw new RangeError(`a LoRa frame carries 1..255 bytes, mtu ${this.mtu} is impossible`);
    }
    this.id = options.id ?? `sim-radio:${options.nodeId}`;
    this.detach = this.medium.attach(this.nodeId, (rx) => this.receive(rx));
    this.lossesAtOpen = this.damagedHere();
  }

  airtimeMs(length: number): number {
    return this.medium.airtimeMs(length);
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new LinkClosedError(`link ${this.id} is closed`));
    if (frame.length > this.mtu) {
      return Promise.reject(new FrameTooLargeError(`frame of ${frame.length} bytes exceeds mtu ${this.mtu}`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame: frame.slice(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.onAir || this.closed) return;
    const next = this.queue.shift();
    if (!next) return;
    this.onAir = true;
    try {
      this.medium.transmit(this.nodeId, next.frame, () => {
        this.onAir = false;
        this.counters.framesSent++;
        this.counters.bytesSent += next.frame.length;
        // The frame left: it resolves even if close() came meanwhile (a frame on air cannot be recalled).
        next.resolve();
        this.pump();
      });
    } catch (e) {
      // Only misuse gets here (something else made this node transmit behind the link's back).
      this.onAir = false;
      next.reject(e as Error);
    }
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handlers.push(handler);
  }

  private receive(rx: MediumReception): void {
    if (this.closed) return;
    this.counters.framesReceived++;
    this.counters.bytesReceived += rx.bytes.length;
    const frame: ReceivedFrame = { bytes: rx.bytes, rssiDbm: rx.rssiDbm, snrDb: rx.snrDb };
    for (const h of this.handlers) h(frame);
  }

  stats(): LinkStats {
    return { ...this.counters, framesDropped: this.damagedHere() - this.lossesAtOpen };
  }

  private damagedHere(): number {
    const s = this.medium.nodeCounters(this.nodeId);
    return s.collisions + s.halfDuplexLosses;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.detach();
      // Frames not yet on air never leave.
      for (const p of this.queue.splice(0)) p.reject(new LinkClosedError(`link ${this.id} closed before the frame was sent`));
    }
    return Promise.resolve();
  }
}

export function createSimRadioLink(options: SimRadioLinkOptions): SimRadioLink {
  return new SimRadioLink(options);
}
