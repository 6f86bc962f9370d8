/**
 * What the daemon's `lora` link entry needs (node-runtime/daemon/
 * build-links.ts, `openLoRa`): open the HAT, make sure the module has the
 * configured channel, air rate and net id plus the link's own settings
 * (meshSettings), and return the link with the frequency and bandwidth the
 * duty-cycle limiter needs. Typed structurally so that hardware/ does not
 * depend on the daemon's config module.
 */
import type { Clock } from '../../node-runtime/platform/clock.ts';
import type { Link } from '../../node-runtime/links/link.ts';
import { e22Modulation } from './air-rate.ts';
import { meshSettings, openLoRaHatLink, type OpenHatOptions } from './open-hat.ts';
import { airRatesBps, channelFrequencyKhz, E22_900T22S, e22Variants, type AirRateBps } from './registers.ts';
import { E22Error } from './errors.ts';

export interface LoRaHatEntry {
  readonly path: string;
  readonly m0Pin: number;
  readonly m1Pin: number;
  readonly channel: number;
  readonly airRateBps: number;
  readonly netId: number;
  /** 900t22s (default), 400t22s or 900t30s. */
  readonly model?: string;
}

export interface LoRaHatDeps {
  readonly clock: Clock;
  readonly log?: { info(event: string, fields?: Record<string, unknown>): void };
  /** Test seams (binding-mock port, FakeGpio); production leaves them out. */
  readonly open?: Pick<OpenHatOptions, 'openPort' | 'gpio' | 'driver'>;
}

export async function openLoRaHat(entry: LoRaHatEntry, deps: LoRaHatDeps): Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }> {
  const variant = entry.model === undefined ? E22_900T22S : e22Variants[entry.model.toLowerCase()];
  if (!variant) throw new E22Error('bad-config', `unknown HAT model ${entry.model}`);
  if (!(airRatesBps as readonly number[]).includes(entry.airRateBps)) {
    throw new E22Error('bad-config', `air rate ${entry.airRateBps} is not one of ${airRatesBps.join(', ')}`);
  }
  if (entry.channel > variant.maxChannel) throw new E22Error('bad-config', `channel ${entry.channel} beyond ${variant.model}'s ${variant.maxChannel}`);
  const airRateBps = entry.airRateBps as AirRateBps;
  const link = await openLoRaHatLink({
    ...deps.open,
    portPath: entry.path, variant, clock: deps.clock, pins: { m0Bcm: entry.m0Pin, m1Bcm: entry.m1Pin },
    ensure: { ...meshSettings, channel: entry.channel, airRateBps, netId: entry.netId },
    id: `lora:${entry.path}`,
  });
  const frequencyHz = channelFrequencyKhz(variant, entry.channel) * 1000;
  deps.log?.info('lora-hat', { path: entry.path, model: variant.model, frequencyHz, airRateBps, mtu: link.mtu });
  return { link, frequencyHz, bandwidthHz: e22Modulation[airRateBps].bandwidthHz };
}
