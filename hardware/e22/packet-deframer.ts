/**
 * Frame boundaries on the E22's transparent UART (pure, incremental).
 *
 * The module has no framing of its own: it sends what the host writes as
 * LoRa packets of at most the sub-packet size, and outputs each packet it
 * receives on its UART, followed by one RSSI byte when REG3 bit 7 is set
 * (E22-900T22S manual, section 7.2 REG3 and 5.x "transparent transmission").
 * Back-to-back packets reach the host as one byte stream, so we add our own
 * boundary, one byte per packet:
 *
 *   on air / on the UART   +--------+---------------------+------------+
 *                          | length | mesh frame (length) | [RSSI byte]|
 *                          | 1..mtu |                     | module adds|
 *                          +--------+---------------------+------------+
 *
 * The sender writes one such packet per frame and waits for it to leave
 * (lora-link.ts), so each frame is exactly one LoRa packet. On receive, a
 * length byte of 0 or above the MTU cannot start a frame: the rest of that
 * burst is skipped. When the line goes idle (the caller's timer, a few byte
 * times at the UART baud) any partial frame is dropped and the deframer
 * expects a length byte again: a packet that ended early or a foreign
 * transmission can never be glued to the next packet.
 *
 * It is a Deframer (seams/deframer.ts): its frame boundary after garbage or
 * an oversize length byte is the idle line, reported by lineIdle() (or
 * reset(), the same without the answer).
 */
import type { Deframer } from '../../seams/deframer.ts';

export interface DeframedPacket {
  readonly bytes: Uint8Array;
  /** From the module's RSSI byte, when enabled: dBm = -(256 - byte). */
  readonly rssiDbm?: number;
}

export interface DeframerStats {
  frames: number;
  /** Bytes skipped because they could not start or belong to a frame. */
  skippedBytes: number;
  /** Frames cut short by an idle line (dropped). */
  partialFrames: number;
  /** Bursts skipped from a length byte that could not start a frame (foreign packets, noise). */
  skippedBursts: number;
}

export interface PacketDeframerOptions {
  /** Largest frame (after the length byte), at most 255. */
  readonly maxFrameBytes: number;
  /** The module appends an RSSI byte to every packet (REG3 bit 7). */
  readonly rssiByte: boolean;
}

type State = 'length' | 'body' | 'rssi' | 'skip';

/** One packet on the wire for one frame: [length][frame]. Throws on misuse (empty or oversized frame). */
export function encodePacket(frame: Uint8Array, maxFrameBytes: number): Uint8Array {
  if (frame.length < 1 || frame.length > maxFrameBytes || frame.length > 255) {
    throw new RangeError(`frame of ${frame.length} bytes: 1..${maxFrameBytes}`);
  }
  const out = new Uint8Array(frame.length + 1);
  out[0] = frame.length;
  out.set(frame, 1);
  return out;
}

export class PacketDeframer implements Deframer<DeframedPacket, DeframerStats> {
  private state: State = 'length';
  private body = new Uint8Array(0);
  private filled = 0;
  private readonly counters: DeframerStats = { frames: 0, skippedBytes: 0, partialFrames: 0, skippedBursts: 0 };

  constructor(private readonly options: PacketDeframerOptions) {
    if (!Number.isInteger(options.maxFrameBytes) || options.maxFrameBytes < 1 || options.maxFrameBytes > 255) {
      throw new RangeError(`maxFrameBytes ${options.maxFrameBytes}: 1..255`);
    }
  }

  get maxFrameBytes(): number {
    return this.options.maxFrameBytes;
  }

  /** Feeds bytes as they arrive; returns the frames they complete. */
  push(chunk: Uint8Array): DeframedPacket[] {
    const out: DeframedPacket[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'length': {
          const length = chunk[i++] as number;
          if (length === 0 || length > this.options.maxFrameBytes) {
            this.counters.skippedBytes++;
            this.counters.skippedBursts++;
            this.state = 'skip';
          } else {
            this.body = new Uint8Array(length);
            this.filled = 0;
            this.state = 'body';
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.body.length - this.filled, chunk.length - i);
          this.body.set(chunk.subarray(i, i + take), this.filled);
          this.filled += take;
          i += take;
          if (this.filled === this.body.length) {
            if (this.options.rssiByte) {
              this.state = 'rssi';
            } else {
              out.push({ bytes: this.body });
              this.finishFrame();
            }
          }
          break;
        }
        case 'rssi': {
          const byte = chunk[i++] as number;
          out.push({ bytes: this.body, rssiDbm: -(256 - byte) });
          this.finishFrame();
          break;
        }
        case 'skip': {
          this.counters.skippedBytes += chunk.length - i;
          i = chunk.length;
          break;
        }
      }
    }
    return out;
  }

  private finishFrame(): void {
    this.counters.frames++;
    this.body = new Uint8Array(0);
    this.filled = 0;
    this.state = 'length';
  }

  /** True while a frame (or a skipped burst) is in progress: the caller arms its idle timer. */
  get midPacket(): boolean {
    return this.state !== 'length';
  }

  /** The line has been idle: drop any partial frame and expect a length byte. Returns true if a frame was dropped. */
  lineIdle(): boolean {
    const dropped = this.state === 'body' || this.state === 'rssi';
    if (dropped) {
      this.counters.partialFrames++;
      this.counters.skippedBytes += 1 + this.filled;
    }
    this.body = new Uint8Array(0);
    this.filled = 0;
    this.state = 'length';
    return dropped;
  }

  /** The Deframer seam's name for lineIdle(): a dropped partial frame is counted in partialFrames. */
  reset(): void {
    this.lineIdle();
  }

  stats(): DeframerStats {
    return { ...this.counters };
  }
}
