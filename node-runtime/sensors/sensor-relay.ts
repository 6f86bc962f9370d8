/**
 * A field sensor relay (issue 11 "Field sensor relays"): samples the board
 * on a schedule, packs the readings of several samples into one sealed
 * sensor envelope (protocol/envelope/sensor.ts, at most 16 readings) to
 * save airtime, and hands it to `send` (the mesh: the router's sendDirect
 * to the collector's node). One 4-sensor sample alone costs 9 + 4 x 3 + 16
 * = 37 bytes; four samples batched cost 9 + 16 x 3 + 16 = 73 bytes instead
 * of 148, and a quarter of the frames' headers and duty-cycle slots.
 *
 * Readings travel in sampling order, without times of their own: the
 * collector stamps an envelope at receipt and keeps each reading's index
 * (sensor-collector.ts). The counter is taken from `counter.next()`, which
 * must persist before it returns (a repeated counter under one key would
 * reuse a nonce, sealSensorReading's contract).
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { MAX_SENSOR_READINGS, sealSensorReading, type SensorReading } from '../../protocol/envelope/sensor.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { SensorBoard } from '../../hardware/sensors/firmata-sensors.ts';
import { MemoryPendingReadings, type PendingReadings } from './pending-readings.ts';

export interface SensorCounter {
  /** The next unused counter, persisted before it resolves. */
  next(): Promise<number>;
}

export interface SensorRelayOptions {
  readonly board: SensorBoard;
  readonly suite: CryptoSuite;
  /** The 32-byte key shared with the collector (sensorKeyFromAgreement). */
  readonly key: Uint8Array;
  readonly clock: Clock;
  readonly counter: SensorCounter;
  /** Carries one sealed envelope to the collector; on a rejection its readings stay pending and go in the next envelope. */
  readonly send: (envelope: Uint8Array) => Promise<void>;
  /** Readings not yet sent (default in memory: lost with the process). */
  readonly pending?: PendingReadings;
  /** Told how many of the oldest unsent readings the pending bound dropped. */
  readonly onDropped?: (readings: number) => void;
  /** Time between samples (default 60 s). */
  readonly sampleEveryMs?: number;
  /** Samples packed into one envelope (default 4), capped so the readings fit in 16. */
  readonly samplesPerEnvelope?: number;
  /** Told of a batch that could not be sealed or sent (a counter that cannot be persisted, a closed mesh). */
  readonly onError?: (error: unknown) => void;
}

export interface SensorRelayStats {
  samples: number;
  envelopesSent: number;
  sendFailures: number;
}

export class SensorRelay {
  private readonly pending: PendingReadings;
  private flushing: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private readonly counters: SensorRelayStats = { samples: 0, envelopesSent: 0, sendFailures: 0 };

  constructor(private readonly options: SensorRelayOptions) {
    if (options.key.length !== 32) throw new RangeError('sensor key must be 32 bytes');
    this.pending = options.pending ?? new MemoryPendingReadings();
  }

  start(): void {
    if (this.timer) return;
    const every = this.options.sampleEveryMs ?? 60_000;
    const tick = (): void => {
      this.timer = this.options.clock.setTimer(every, tick);
      // A store that fails (a full card, closed at shutdown) is reported, never an unhandled rejection.
      this.sampleOnce().catch((error: unknown) => this.options.onError?.(error));
    };
    this.timer = this.options.clock.setTimer(every, tick);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  stats(): SensorRelayStats {
    return { ...this.counters };
  }

  /** Takes one sample, kept durably; sends when the batch is full (samplesPerEnvelope samples, or the next would pass 16 readings). */
  async sampleOnce(): Promise<void> {
    const readings: SensorReading[] = this.options.board.sample().map((s) => ({ quantity: s.quantity, value: s.value })).slice(0, MAX_SENSOR_READINGS);
    if (readings.length === 0) return;
    this.counters.samples++;
    const dropped = this.pending.add(readings);
    if (dropped > 0) this.options.onDropped?.(dropped);
    const full = this.pending.samples() >= (this.options.samplesPerEnvelope ?? 4) || this.pending.size() + readings.length > MAX_SENSOR_READINGS;
    if (full) await this.flush();
  }

  /** Seals and sends everything pending, 16 readings an envelope; stops at the first failure (the rest stays pending). */
  async flush(): Promise<void> {
    // One flush at a time: two would seal the same pending readings twice.
    while (this.flushing) await this.flushing;
    this.flushing = this.sendPending();
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  private async sendPending(): Promise<void> {
    for (;;) {
      const batch = this.pending.take(MAX_SENSOR_READINGS);
      if (batch.readings.length === 0) return;
      try {
        // No counter, no envelope: the batch waits rather than be sealed under a counter that may repeat.
        const counter = await this.options.counter.next();
        const envelope = sealSensorReading(this.options.suite, this.options.key, counter, batch.readings);
        await this.options.send(envelope);
      } catch (error) {
        this.counters.sendFailures++;
        this.options.onError?.(error);
        return;
      }
      this.counters.envelopesSent++;
      try {
        this.pending.remove(batch.upTo);
      } catch (error) {
        // The store closed under a send at shutdown: these readings go again after the restart (at least once).
        this.options.onError?.(error);
        return;
      }
    }
  }

  /** Readings sampled and not yet handed to the mesh. */
  pendingReadings(): number {
    return this.pending.size();
  }
}
