/**
 * An RNode radio (LilyGO, Heltec or RAK board with RNode firmware) driven
 * over KISS with the firmware's commands (commands.ts). The driver sees
 * whole KISS frames through a KissChannel (the node's KissPort over a
 * serialport, or anything that frames the same way): it has no framing of
 * its own and no timers but the injected clock's.
 *
 *  - detect(): DETECT_REQ must be answered DETECT_RESP; then firmware
 *    version and platform are asked for (older firmware may not answer).
 *  - configure(): FREQUENCY, BANDWIDTH, TXPOWER, SF, CR, then RADIO_STATE
 *    on, each answered by the value the radio actually set (the echo);
 *    a value that comes back different is reported, not hidden, and the
 *    radio is not switched on with it.
 *  - Received packets come as STAT_RSSI, STAT_SNR, then DATA: the last
 *    signal report is attached to the next packet.
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { decodeReply, DETECT_REQ, encodeU32, RADIO_STATE_ON, RNODE_CMD, type RNodeReply } from './commands.ts';
import { RNodeError } from './errors.ts';
import { checkRadioConfig, type RNodeRadioConfig } from './radio-config.ts';

/** Whole KISS frames in and out; KissPort (node-runtime/links/kiss/) fits it. */
export interface KissChannel {
  /** Sends one frame; false when it could not leave (port down). */
  send(command: number, data?: Uint8Array): Promise<boolean>;
  onFrame(handler: (frame: { readonly command: number; readonly data: Uint8Array }) => void): () => void;
}

export interface RNodeIdentity {
  readonly firmware?: { readonly major: number; readonly minor: number };
  readonly platform?: number;
}

export interface RNodePacket {
  readonly bytes: Uint8Array;
  readonly rssiDbm?: number;
  readonly snrDb?: number;
}

export interface RNodeDriverStats {
  repliesMalformed: number;
  repliesUnknown: number;
  deviceErrors: number;
}

export interface RNodeDriverOptions {
  readonly channel: KissChannel;
  readonly clock: Clock;
  /** How long to wait for each answer, ms (default 1000; the firmware answers within a few ms). */
  readonly replyTimeoutMs?: number;
}

interface Waiter {
  readonly match: (reply: RNodeReply) => boolean;
  readonly resolve: (reply: RNodeReply | undefined) => void;
  readonly timer: TimerHandle;
}

export class RNodeDriver {
  private readonly waiters = new Set<Waiter>();
  private readonly packetHandlers = new Set<(packet: RNodePacket) => void>();
  private readonly errorHandlers = new Set<(error: RNodeError) => void>();
  private readonly unsubscribe: () => void;
  private rssiDbm: number | undefined;
  private snrDb: number | undefined;
  private closed = false;
  private readonly counters: RNodeDriverStats = { repliesMalformed: 0, repliesUnknown: 0, deviceErrors: 0 };

  constructor(private readonly options: RNodeDriverOptions) {
    this.unsubscribe = options.channel.onFrame((f) => this.onReply(decodeReply(f.command, f.data)));
  }

  /** Checks that an RNode answers; throws RNodeError 'no-answer' or 'not-an-rnode'. */
  async detect(): Promise<RNodeIdentity> {
    const reply = await this.ask(RNODE_CMD.detect, Uint8Array.of(DETECT_REQ), (r) => r.kind === 'detect');
    if (!reply) throw new RNodeError('no-answer', 'rnode: no answer to DETECT: is this an RNode, at the right baud rate?');
    if (reply.kind !== 'detect' || !reply.ok) throw new RNodeError('not-an-rnode', 'rnode: the device answered DETECT with something else than DETECT_RESP');
    const fw = await this.ask(RNODE_CMD.firmwareVersion, Uint8Array.of(0), (r) => r.kind === 'firmware-version');
    const platform = await this.ask(RNODE_CMD.platform, Uint8Array.of(0), (r) => r.kind === 'platform');
    return {
      ...(fw?.kind === 'firmware-version' ? { firmware: { major: fw.major, minor: fw.minor } } : {}),
      ...(platform?.kind === 'platform' ? { platform: platform.id } : {}),
    };
  }

  /**
   * Sets the modulation and power, checks each echo, then turns the radio
   * on. Throws RNodeError 'setting-refused' naming every setting whose echo
   * differs (the radio stays off), 'no-answer' on silence.
   */
  async configure(config: RNodeRadioConfig): Promise<void> {
    checkRadioConfig(config);
    const steps: Array<{ field: keyof RNodeRadioConfig; command: number; data: Uint8Array; read: (r: RNodeReply) => number | undefined }> = [
      { field: 'frequencyHz', command: RNODE_CMD.frequency, data: encodeU32(config.frequencyHz), read: (r) => (r.kind === 'frequency' ? r.hz : undefined) },
      { field: 'bandwidthHz', command: RNODE_CMD.bandwidth, data: encodeU32(config.bandwidthHz), read: (r) => (r.kind === 'bandwidth' ? r.hz : undefined) },
      { field: 'txPowerDbm', command: RNODE_CMD.txPower, data: Uint8Array.of(config.txPowerDbm), read: (r) => (r.kind === 'tx-power' ? r.dbm : undefined) },
      { field: 'spreadingFactor', command: RNODE_CMD.spreadingFactor, data: Uint8Array.of(config.spreadingFactor), read: (r) => (r.kind === 'spreading-factor' ? r.value : undefined) },
      { field: 'codingRate', command: RNODE_CMD.codingRate, data: Uint8Array.of(config.codingRate), read: (r) => (r.kind === 'coding-rate' ? r.value : undefined) },
    ];
    const refused: Record<string, { asked: number; set: number }> = {};
    for (const step of steps) {
      const reply = await this.ask(step.command, step.data, (r) => step.read(r) !== undefined);
      if (!reply) throw new RNodeError('no-answer', `rnode: no answer when setting ${step.field}`, { fields: { field: step.field } });
      const set = step.read(reply) as number;
      if (set !== config[step.field]) refused[step.field] = { asked: config[step.field], set };
    }
    const names = Object.keys(refused);
    if (names.length > 0) {
      const what = names.map((n) => `${n} ${refused[n]?.asked} (radio set ${refused[n]?.set})`).join(', ');
      throw new RNodeError('setting-refused', `rnode: the radio did not take ${what}`, { fields: { refused } });
    }
    const state = await this.ask(RNODE_CMD.radioState, Uint8Array.of(RADIO_STATE_ON), (r) => r.kind === 'radio-state' || r.kind === 'error');
    if (!state) throw new RNodeError('no-answer', 'rnode: no answer when turning the radio on');
    if (state.kind === 'error') throw new RNodeError('device-error', `rnode: ${state.message}`, { fields: { code: state.code } });
    if (state.kind !== 'radio-state' || !state.on) throw new RNodeError('setting-refused', 'rnode: the radio stayed off');
  }

  /** Hands one packet to the radio; false when the port is down. */
  send(packet: Uint8Array): Promise<boolean> {
    if (this.closed) return Promise.reject(new RNodeError('closed', 'rnode: driver closed'));
    return this.options.channel.send(RNODE_CMD.data, packet);
  }

  onPacket(handler: (packet: RNodePacket) => void): () => void {
    this.packetHandlers.add(handler);
    return () => this.packetHandlers.delete(handler);
  }

  /** Errors the firmware reports on its own (TX failed, queue full). */
  onDeviceError(handler: (error: RNodeError) => void): () => void {
    this.errorHandlers.add(handler);
    return () => this.errorHandlers.delete(handler);
  }

  stats(): RNodeDriverStats {
    return { ...this.counters };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const w of this.waiters) {
      w.timer.cancel();
      w.resolve(undefined);
    }
    this.waiters.clear();
    this.packetHandlers.clear();
    this.errorHandlers.clear();
  }

  private async ask(command: number, data: Uint8Array, match: (r: RNodeReply) => boolean): Promise<RNodeReply | undefined> {
    if (this.closed) throw new RNodeError('closed', 'rnode: driver closed');
    const answered = new Promise<RNodeReply | undefined>((resolve) => {
      const waiter: Waiter = {
        match, resolve,
        timer: this.options.clock.setTimer(this.options.replyTimeoutMs ?? 1000, () => {
          this.waiters.delete(waiter);
          resolve(undefined);
        }),
      };
      this.waiters.add(waiter);
    });
    if (!(await this.options.channel.send(command, data))) throw new RNodeError('no-answer', 'rnode: the serial port is not open');
    return answered;
  }

  private onReply(reply: RNodeReply): void {
    for (const w of this.waiters) {
      if (!w.match(reply)) continue;
      this.waiters.delete(w);
      w.timer.cancel();
      w.resolve(reply);
      return;
    }
    switch (reply.kind) {
      case 'rssi': this.rssiDbm = reply.dbm; return;
      case 'snr': this.snrDb = reply.db; return;
      case 'data': {
        const packet: RNodePacket = {
          bytes: reply.bytes, ...(this.rssiDbm === undefined ? {} : { rssiDbm: this.rssiDbm }), ...(this.snrDb === undefined ? {} : { snrDb: this.snrDb }),
        };
        this.rssiDbm = undefined;
        this.snrDb = undefined;
        for (const h of [...this.packetHandlers]) h(packet);
        return;
      }
      case 'error': {
        this.counters.deviceErrors++;
        const error = new RNodeError('device-error', `rnode: ${reply.message}`, { fields: { code: reply.code } });
        for (const h of [...this.errorHandlers]) h(error);
        return;
      }
      case 'malformed': this.counters.repliesMalformed++; return;
      case 'unknown': this.counters.repliesUnknown++; return;
      default: return; // late echoes, READY: nothing waits for them
    }
  }
}
