import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../apps/meow-node/config.ts';

describe('meow-node configuration', () => {
  it('embeds defaults: UDP with mDNS, EU868, loopback status, no relays', () => {
    const c = parseConfig({}, '/srv/meow');
    expect(c.dataDir).toBe('/srv/meow/.meow-data');
    expect(c.links).toEqual(DEFAULT_CONFIG.links);
    expect(c.region).toBe('EU868');
    expect(c.status).toEqual({ host: '127.0.0.1', port: 8471 });
    expect(c.gateway.relays).toEqual([]);
  });

  it('fills link defaults per type and keeps what is given', () => {
    const c = parseConfig({ links: [{ type: 'lora', channel: 5, txPowerDbm: 10 }, { type: 'serial', path: '/dev/ttyACM0' }] });
    expect(c.links[0]).toEqual({ type: 'lora', path: '/dev/serial0', m0Pin: 22, m1Pin: 27, channel: 5, airRateBps: 2400, netId: 0, txPowerDbm: 10 });
    expect(c.links[1]).toEqual({ type: 'serial', path: '/dev/ttyACM0', baudRate: 115_200 });
  });

  it('refuses, naming the field, every unknown or invalid value', () => {
    const bad: [unknown, RegExp][] = [
      [{ links: [{ type: 'serial', baud: 9600 }] }, /links\[0\]\.baud .*unknown field/],
      [{ gateway: { relay: [] } }, /gateway\.relay .*unknown field/],
      [{ status: { host: '0.0.0.0' } }, /status\.host must be a loopback address/],
      [{ links: [{ type: 'radio' }] }, /links\[0\]\.type must be/],
      [{ links: [] }, /links must be a non-empty list/],
      [{ region: 'EU433' }, /region must be/],
      [{ meshKeyHex: 'abc' }, /meshKeyHex must be 64 hex digits/],
      [{ gateway: { relays: ['not a url'] } }, /gateway\.relays must be a list of relay URLs/],
      [{ links: [{ type: 'udp', port: 70000 }] }, /links\[0\]\.port must be an integer in 0\.\.65535/],
      [{ colour: 'blue' }, /colour .*unknown field/],
      [[], /the configuration must be a JSON object/],
    ];
    for (const [raw, message] of bad) expect(() => parseConfig(raw), JSON.stringify(raw)).toThrow(message);
    expect(() => parseConfig({ links: [{ type: 'radio' }] })).toThrow(ConfigError);
  });
});
