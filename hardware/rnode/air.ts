/**
 * The air between emulated RNode radios (emulator.ts): a packet sent by one
 * radio reaches every other radio whose radio is on and whose frequency,
 * bandwidth, spreading factor and coding rate match, after its time on air
 * (Semtech formula on the real modulation), with the RSSI and SNR that
 * `signal` gives for the pair. Half duplex: a radio sending misses what
 * arrives meanwhile.
 */
import type { Clock } from '../../seams/clock.ts';
import { timeOnAirMs } from '../../protocol/mesh/airtime.ts';
import { rnodeModulation, type RNodeRadioConfig } from './radio-config.ts';

export interface AirRadio {
  readonly name: string;
  /** The radio's settings while it is on; undefined while off. */
  tuned(): RNodeRadioConfig | undefined;
  /** True while this radio is transmitting. */
  sending(): boolean;
  hear(bytes: Uint8Array, rssiDbm: number, snrDb: number): void;
}

export interface RNodeAirOptions {
  readonly clock: Clock;
  /** RSSI and SNR of a packet from `from` heard by `to` (default -80 dBm, 9.5 dB). */
  readonly signal?: (from: string, to: string) => { rssiDbm: number; snrDb: number };
}

const sameChannel = (a: RNodeRadioConfig, b: RNodeRadioConfig): boolean =>
  a.frequencyHz === b.frequencyHz && a.bandwidthHz === b.bandwidthHz && a.spreadingFactor === b.spreadingFactor && a.codingRate === b.codingRate;

export class RNodeAir {
  private readonly radios = new Set<AirRadio>();

  constructor(private readonly options: RNodeAirOptions) {}

  join(radio: AirRadio): () => void {
    this.radios.add(radio);
    return () => this.radios.delete(radio);
  }

  /** Starts a transmission; `done` runs when it has left the antenna (after its time on air). */
  transmit(from: AirRadio, config: RNodeRadioConfig, bytes: Uint8Array, done: () => void): void {
    const toaMs = timeOnAirMs(rnodeModulation(config), bytes.length);
    const copy = Uint8Array.from(bytes);
    this.options.clock.setTimer(toaMs, () => {
      done();
      for (const radio of this.radios) {
        const tuned = radio.tuned();
        if (radio === from || !tuned || !sameChannel(tuned, config) || radio.sending()) continue;
        const s = this.options.signal?.(from.name, radio.name) ?? { rssiDbm: -80, snrDb: 9.5 };
        radio.hear(copy, s.rssiDbm, s.snrDb);
      }
    });
  }
}
