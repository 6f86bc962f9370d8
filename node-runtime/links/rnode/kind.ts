/**
 * The `rnode` link kind: an RNode-firmware LoRa radio on USB serial. The
 * entry states the modulation outright (frequencyHz, bandwidthHz,
 * spreadingFactor, codingRate 5..8 for 4/5..4/8, txPowerDbm); defaults are
 * 869.525 MHz (EU868's 10 % sub-band centre), 125 kHz, SF9, 4/5, 14 dBm.
 * The region is checked before the radio is touched; the radio's echo of
 * each setting is checked when it opens (hardware/rnode/driver.ts).
 */
import { int, str, type JsonObject } from '../config-fields.ts';
import { LinkConfigError } from '../errors.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { RNodeLink } from './rnode-link.ts';
import { rnodeRegionProblems } from './region-check.ts';

export interface RNodeLinkConfig {
  readonly type: 'rnode';
  readonly path: string;
  readonly baudRate: number;
  readonly frequencyHz: number;
  readonly bandwidthHz: number;
  readonly spreadingFactor: number;
  readonly codingRate: number;
  readonly txPowerDbm: number;
}

export const rnodeLinkKind: LinkKindEntry<RNodeLinkConfig> = {
  type: 'rnode',
  fields: ['type', 'path', 'baudRate', 'frequencyHz', 'bandwidthHz', 'spreadingFactor', 'codingRate', 'txPowerDbm'],
  defaults: {
    type: 'rnode', path: '/dev/ttyACM0', baudRate: 115_200, frequencyHz: 869_525_000, bandwidthHz: 125_000, spreadingFactor: 9, codingRate: 5, txPowerDbm: 14,
  },

  parse(entry: JsonObject, field: string): RNodeLinkConfig {
    const m = { ...rnodeLinkKind.defaults, ...entry };
    return {
      type: 'rnode', path: str(m.path, `${field}.path`), baudRate: int(m.baudRate, `${field}.baudRate`, 1200, 4_000_000),
      frequencyHz: int(m.frequencyHz, `${field}.frequencyHz`, 137_000_000, 1_020_000_000),
      bandwidthHz: int(m.bandwidthHz, `${field}.bandwidthHz`, 7_800, 500_000),
      spreadingFactor: int(m.spreadingFactor, `${field}.spreadingFactor`, 5, 12),
      codingRate: int(m.codingRate, `${field}.codingRate`, 5, 8),
      txPowerDbm: int(m.txPowerDbm, `${field}.txPowerDbm`, 0, 22),
    };
  },

  async open(config, deps) {
    const { type: _type, path, baudRate, ...radio } = config;
    const problems = rnodeRegionProblems(deps.region, radio);
    if (problems.length > 0) throw new LinkConfigError(`rnode ${path}: ${problems.join('; ')}`, { fields: { region: deps.region, problems } });
    const link = new RNodeLink({ path, baudRate, radio, clock: deps.clock, random: deps.random, onEvent: (e) => deps.log.info('rnode', { ...e }) });
    return { link, channel: { frequencyHz: radio.frequencyHz, bandwidthHz: radio.bandwidthHz }, stop: async () => {} };
  },
};
