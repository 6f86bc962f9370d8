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
  /** Carries one sealed envelope to the collector; a rejection keeps nothing (the next batch goes on). */
  readonly send: (envelope: Uint8Array) => Promise<void>;
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
  private readonly pending: SensorReading[] = [];
  private samplesPending = 0;
  private timer: TimerHandle | undefined;
  private readonly counters: SensorRelayStats = { samples: 0, envelopesSent: 0, sendFailures: 0 };

  constructor(private readonly options: SensorRelayOptions) {
    if (options.key.length !== 32) throw new RangeError('sensor key must be 32 bytes');
  }

  start(): void {
    if (this.timer) return;
    const every = this.options.sampleEveryMs ?? 60_000;
    const tick = (): void => {
      this.timer = this.options.clock.setTimer(every, tick);
      void this.sampleOnce();
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

  /** Takes one sample; sends a batch when it is full (samplesPerEnvelope, or 16 readings). */
  async sampleOnce(): Promise<void> {
    const readings = this.options.board.sample().map((s) => ({ quantity: s.quantity, value: s.value }));
    if (readings.length === 0) return;
    this.counters.samples++;
    if (this.pending.length + readings.length > MAX_SENSOR_READINGS) await this.flush();
    this.pending.push(...readings.slice(0, MAX_SENSOR_READINGS));
    this.samplesPending++;
    if (this.samplesPending >= (this.options.samplesPerEnvelope ?? 4)) await this.flush();
  }

  /** Seals and sends what is pending (nothing when empty). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const readings = this.pending.splice(0);
    this.samplesPending = 0;
    try {
      // No counter, no envelope: the batch is dropped rather than sealed under a counter that may repeat.
      const counter = await this.options.counter.next();
      const envelope = sealSensorReading(this.options.suite, this.options.key, counter, readings);
      await this.options.send(envelope);
      this.counters.envelopesSent++;
    } catch (error) {
      this.counters.sendFailures++;
      this.options.onError?.(error);
    }
  }
}
