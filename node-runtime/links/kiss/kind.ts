/**
 * The `kiss` link kind: a KISS TNC on a serial line. An entry names the
 * device by `path` and `baudRate`, or by one `url`
 * (`serial:///dev/ttyUSB0?baud=115200&framing=kiss`, serial-url.ts) which
 * wins over them; `tncPort` is the TNC's radio port (0..15).
 */
import { check, int, str, type JsonObject } from '../config-fields.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { KissLink } from './kiss-link.ts';
import { parseSerialUrl } from './serial-url.ts';

export interface KissLinkConfig {
  readonly type: 'kiss';
  readonly path: string;
  readonly baudRate: number;
  readonly tncPort: number;
  readonly mtu: number;
}

export const kissLinkKind: LinkKindEntry<KissLinkConfig> = {
  type: 'kiss',
  fields: ['type', 'url', 'path', 'baudRate', 'tncPort', 'mtu'],
  defaults: { type: 'kiss', path: '/dev/ttyUSB0', baudRate: 115_200, tncPort: 0, mtu: 255 },

  parse(entry: JsonObject, field: string): KissLinkConfig {
    let fromUrl: { path?: string; baudRate?: number } = {};
    if (entry.url !== undefined) {
      const parsed = parseSerialUrl(str(entry.url, `${field}.url`));
      check(parsed.ok, `${field}.url`, `a serial:///dev/... URL with framing=kiss (${parsed.ok ? '' : parsed.reason})`);
      if (parsed.ok) {
        check(parsed.value.framing === undefined || parsed.value.framing === 'kiss', `${field}.url`, 'a URL with framing=kiss (framing=slip is the serial kind)');
        fromUrl = { path: parsed.value.path, ...(parsed.value.baudRate ? { baudRate: parsed.value.baudRate } : {}) };
      }
    }
    const m = { ...kissLinkKind.defaults, ...entry, ...fromUrl };
    return {
      type: 'kiss', path: str(m.path, `${field}.path`), baudRate: int(m.baudRate, `${field}.baudRate`, 1200, 4_000_000),
      tncPort: int(m.tncPort, `${field}.tncPort`, 0, 15), mtu: int(m.mtu, `${field}.mtu`, 1, 4096),
    };
  },

  async open(config, deps) {
    const link = new KissLink({
      path: config.path, baudRate: config.baudRate, tncPort: config.tncPort, mtu: config.mtu, clock: deps.clock, random: deps.random,
      onEvent: (e) => deps.log.info('kiss', { ...e }),
    });
    return { link, stop: async () => {} };
  },
};
