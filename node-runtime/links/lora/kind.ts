/**
 * The `lora` link kind: a UART LoRa HAT (Ebyte E22 on a Waveshare board)
 * through the hardware/e22 driver. Field ranges here are those of the whole
 * E22 family (channel 0..83 in REG2 on the 400 MHz model, air rate
 * 300..62500 bps in REG0); the chosen model's own limits and the region's
 * are checked when the HAT opens (open-lora-hat.ts).
 */
import { int, str, type JsonObject } from '../config-fields.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { openLoRaHat, type LoRaHatEntry } from './open-lora-hat.ts';

/** A LoRa HAT: the fields the hardware adapter documents (open-lora-hat.ts). */
export type LoRaLinkConfig = { readonly type: 'lora' } & LoRaHatEntry;

export const loraLinkKind: LinkKindEntry<LoRaLinkConfig> = {
  type: 'lora',
  fields: ['type', 'path', 'm0Pin', 'm1Pin', 'channel', 'airRateBps', 'netId', 'model', 'txPowerDbm'],
  // M0 = BCM GPIO22, M1 = BCM GPIO27 on the Waveshare HAT; channel 18 is 868.125 MHz on a 900 MHz module.
  defaults: { type: 'lora', path: '/dev/serial0', m0Pin: 22, m1Pin: 27, channel: 18, airRateBps: 2400, netId: 0 },

  parse(entry: JsonObject, field: string): LoRaLinkConfig {
    const m = { ...loraLinkKind.defaults, ...entry };
    return {
      type: 'lora', path: str(m.path, `${field}.path`), m0Pin: int(m.m0Pin, `${field}.m0Pin`, 0, 53), m1Pin: int(m.m1Pin, `${field}.m1Pin`, 0, 53),
      channel: int(m.channel, `${field}.channel`, 0, 83), airRateBps: int(m.airRateBps, `${field}.airRateBps`, 300, 62_500),
      netId: int(m.netId, `${field}.netId`, 0, 255),
      ...(entry.model !== undefined ? { model: str(entry.model, `${field}.model`) } : {}),
      ...(entry.txPowerDbm !== undefined ? { txPowerDbm: int(entry.txPowerDbm, `${field}.txPowerDbm`, -10, 30) } : {}),
    };
  },

  async open(config, deps) {
    const { link, frequencyHz, bandwidthHz } = await openLoRaHat(config, { clock: deps.clock, log: deps.log, region: deps.region });
    return { link, channel: { frequencyHz, bandwidthHz }, stop: async () => {} };
  },
};
