/**
 * An RNode radio as a mesh Link (seams/link.ts): the KissPort
 * (../kiss/kiss-port.ts) carries KISS frames, the RNode driver
 * (hardware/rnode/driver.ts) speaks the firmware's commands. On every open
 * of the port (first start, USB plugged back) the radio is detected and
 * configured again, since it forgets its settings when it loses power.
 *
 *  - send: one mesh frame is one DATA frame, one LoRa packet (mtu 255, an
 *    SX127x/SX126x packet); dropped and counted while the radio is not up.
 *  - receive: STAT_RSSI and STAT_SNR precede each packet and become the
 *    frame's rssiDbm / snrDb (link quality for the router).
 *  - airtimeMs: Semtech formula on the configured SF/BW/CR (no hidden
 *    modulation, unlike the E22 HAT).
 */
import type { Clock } from '../../../seams/clock.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../../seams/link.ts';
import { timeOnAirMs } from '../../../protocol/mesh/airtime.ts';
import { RNodeDriver, type RNodeIdentity } from '../../../hardware/rnode/driver.ts';
import { RNodeError } from '../../../hardware/rnode/errors.ts';
import { checkRadioConfig, rnodeModulation, type RNodeRadioConfig } from '../../../hardware/rnode/radio-config.ts';
import type { OpenSerialPort } from '../serial/open-serial-port.ts';
import { KissPort, type KissPortEvent } from '../kiss/kiss-port.ts';

export type RNodeLinkEvent = KissPortEvent | { type: 'radio-up'; identity: RNodeIdentity } | { type: 'radio-failed'; reason: string; code: string };

export interface RNodeLinkOptions {
  readonly path: string;
  readonly baudRate?: number;
  readonly radio: RNodeRadioConfig;
  readonly clock: Clock;
  readonly random?: RandomSource;
  readonly openPort?: OpenSerialPort;
  readonly id?: string;
  readonly replyTimeoutMs?: number;
  readonly onEvent?: (event: RNodeLinkEvent) => void;
}

export interface RNodeLinkStats extends LinkStats {
  /** Frames send() took while the radio was not up (port down, not configured). */
  framesUnsentRadioDown: number;
  deviceErrors: number;
}

/** One LoRa packet of an SX127x/SX126x. */
export const rnodeMtu = 255;

export class RNodeLink implements Link {
  readonly id: string;
  readonly kind = 'rnode' as const;
  readonly mtu = rnodeMtu;
  private readonly port: KissPort;
  private readonly driver: RNodeDriver;
  private handler: ((frame: ReceivedFrame) => void) | undefined;
  private closed = false;
  private up = false;
  private firstResult: { resolve: () => void; reject: (e: RNodeError) => void } | undefined;
  private readonly first: Promise<void>;
  private readonly counters: RNodeLinkStats = {
    framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0, framesUnsentRadioDown: 0, deviceErrors: 0,
  };

  constructor(private readonly options: RNodeLinkOptions) {
    checkRadioConfig(options.radio);
    this.id = options.id ?? `rnode:${options.path}`;
    this.first = new Promise((resolve, reject) => {
      this.firstResult = { resolve, reject };
    });
    this.first.catch(() => undefined); // read through ready(); never an unhandled rejection
    this.port = new KissPort({
      path: options.path, baudRate: options.baudRate ?? 115_200, maxFrameBytes: rnodeMtu + 1, clock: options.clock,
      ...(options.random ? { random: options.random } : {}), ...(options.openPort ? { openPort: options.openPort } : {}),
      onEvent: (e) => {
        if (e.type === 'lost') this.up = false;
        options.onEvent?.(e);
      },
    });
    this.driver = new RNodeDriver({ channel: this.port, clock: options.clock, ...(options.replyTimeoutMs ? { replyTimeoutMs: options.replyTimeoutMs } : {}) });
    this.driver.onPacket((p) => this.receive(p.bytes, p.rssiDbm, p.snrDb));
    this.driver.onDeviceError(() => this.counters.deviceErrors++);
    this.port.onOpen(() => void this.bringUp());
  }

  /** Resolves once the radio answered and took its settings the first time; rejects with the RNodeError that stopped it. */
  ready(): Promise<void> {
    return this.first;
  }

  airtimeMs(length: number): number {
    return timeOnAirMs(rnodeModulation(this.options.radio), length);
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.closed) throw new LinkClosedError(`${this.id} is closed`);
    if (frame.length > this.mtu) throw new FrameTooLargeError(`${this.id}: frame of ${frame.length} bytes exceeds mtu ${this.mtu}`);
    if (frame.length === 0) throw new RangeError(`${this.id}: empty frame`);
    if (!this.up || !(await this.driver.send(frame))) {
      this.counters.framesUnsentRadioDown++;
      return;
    }
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  stats(): RNodeLinkStats {
    const p = this.port.stats();
    const d = this.driver.stats();
    return { ...this.counters, framesDropped: this.counters.framesDropped + p.framesOversize + p.framesBadEscape + d.repliesMalformed };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    this.up = false;
    this.driver.close();
    await this.port.close();
    this.firstResult?.reject(new RNodeError('closed', `${this.id} closed before the radio came up`));
  }

  private async bringUp(): Promise<void> {
    try {
      const identity = await this.driver.detect();
      await this.driver.configure(this.options.radio);
      if (this.closed) return;
      this.up = true;
      this.options.onEvent?.({ type: 'radio-up', identity });
      this.firstResult?.resolve();
    } catch (error) {
      if (this.closed) return;
      const e = error instanceof RNodeError ? error : new RNodeError('no-answer', String(error));
      this.options.onEvent?.({ type: 'radio-failed', reason: e.message, code: e.code });
      this.firstResult?.reject(e);
    }
  }

  private receive(bytes: Uint8Array, rssiDbm: number | undefined, snrDb: number | undefined): void {
    if (this.closed) return;
    this.counters.framesReceived++;
    this.counters.bytesReceived += bytes.length;
    this.handler?.({ bytes, ...(rssiDbm === undefined ? {} : { rssiDbm }), ...(snrDb === undefined ? {} : { snrDb }) });
  }
}
