/** The `serial` link kind: SLIP frames over a serial line (USB-serial cable, a radio modem in transparent mode). */
import { int, str, type JsonObject } from '../config-fields.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { SerialLink } from './serial-link.ts';

export interface SerialLinkConfig {
  readonly type: 'serial';
  readonly path: string;
  readonly baudRate: number;
}

export const serialLinkKind: LinkKindEntry<SerialLinkConfig> = {
  type: 'serial',
  fields: ['type', 'path', 'baudRate'],
  defaults: { type: 'serial', path: '/dev/ttyUSB0', baudRate: 115_200 },

  parse(entry: JsonObject, field: string): SerialLinkConfig {
    const m = { ...serialLinkKind.defaults, ...entry };
    return { type: 'serial', path: str(m.path, `${field}.path`), baudRate: int(m.baudRate, `${field}.baudRate`, 1200, 4_000_000) };
  },

  async open(config, deps) {
    const link = new SerialLink({
      path: config.path, baudRate: config.baudRate, clock: deps.clock, random: deps.random,
      onEvent: (e) => deps.log.info('serial', { ...e }),
    });
    return { link, stop: async () => {} };
  },
};
