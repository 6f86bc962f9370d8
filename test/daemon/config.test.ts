import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyCommandLine, ConfigError, DEFAULT_CONFIG, parseConfig } from '../../apps/meow-node/config.ts';
import { configFromArgs } from '../../apps/meow-node/main.ts';
import { RELAY_URL_SCHEMES } from '../../protocol/server/doors.ts';

const bin = join(import.meta.dirname, '../../bin/meow-node.js');
/** The schemes the relay client speaks (protocol/server/doors.ts), as the refusal lists them. */
const SCHEMES = RELAY_URL_SCHEMES.map((s) => `${s}//`).join(', ');

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

describe('relay URLs a relay cannot speak', () => {
  it('refuses a bad scheme naming the field, the scheme and the ones that work', () => {
    expect(() => parseConfig({ gateway: { relays: ['http://ok.example:8470', 'htp://relay.example:8470'] } })).toThrow(
      `config: gateway.relays[1] has the scheme "htp:", which no relay speaks: use ${SCHEMES}`,
    );
    expect(parseConfig({ gateway: { relays: ['udp://r.example:41325', 'mqtt://b.example:1883/00'] } }).gateway.relays).toHaveLength(2);
  });

  it('stops the real meow-node at start with exit 2 and that message, before it binds anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meow-cfg-'));
    try {
      writeFileSync(join(dir, 'node.json'), JSON.stringify({ dataDir: 'data', gateway: { relays: ['htp://user:pw@relay.example:8470'] } }));
      const r = spawnSync(process.execPath, [bin, '--config', join(dir, 'node.json')], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`meow-node: config: gateway.relays[0] has the scheme "htp:", which no relay speaks: use ${SCHEMES}\n`);
      expect(r.stderr).not.toContain('pw');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('meow-node flags (two nodes on one machine need no JSON)', () => {
  it('sets the data directory, UDP port, peers, mDNS, API port, relays and log level over the config', () => {
    const c = configFromArgs(['--data-dir', 'alice', '--port', '6370', '--peer', '127.0.0.1:6371', '--peer', '[::1]:6372',
      '--no-mdns', '--api-port', '8472', '--relay', 'http://127.0.0.1:8470', '--log-level', 'warn'], '/home/a');
    expect(c).toMatchObject({
      dataDir: '/home/a/alice',
      links: [{ type: 'udp', port: 6370, bindAddress: '0.0.0.0', peers: ['127.0.0.1:6371', '[::1]:6372'], mdns: false }],
      status: { host: '127.0.0.1', port: 8472 },
      gateway: { relays: ['http://127.0.0.1:8470'] },
      log: { level: 'warn' },
    });
    expect(configFromArgs(['--status-port', '0'])).toMatchObject({ status: { port: 0 } });
    expect(configFromArgs(['--help'])).toBe('help');
  });

  it('adds a UDP link when the file has none, and touches only the first UDP link', () => {
    const serialOnly = parseConfig({ links: [{ type: 'serial', path: '/dev/ttyUSB0' }] });
    expect(applyCommandLine(serialOnly, { port: '7000' }).links).toEqual([
      { type: 'serial', path: '/dev/ttyUSB0', baudRate: 115_200 },
      { type: 'udp', port: 7000, bindAddress: '0.0.0.0', peers: [], mdns: true },
    ]);
    const two = parseConfig({ links: [{ type: 'udp', port: 1 }, { type: 'udp', port: 2 }] });
    expect(applyCommandLine(two, { peers: ['h:3'] }).links.map((l) => (l as unknown as { peers: string[] }).peers)).toEqual([['h:3'], []]);
  });

  it('refuses bad values with a message naming the flag, and misspelt flags with the closest one', () => {
    const cases: [string[], string][] = [
      [['--port', '70000'], '--port must be a port number 0-65535, got "70000"'],
      [['--port', 'six'], '--port must be a port number 0-65535, got "six"'],
      [['--peer', 'localhost'], '--peer must be HOST:PORT (e.g. 127.0.0.1:6370), got "localhost"'],
      [['--api-port', '-1'], '--api-port needs a value (got -1; write --api-port=-1 if that is the value)'],
      [['--relay', 'htp://r:1'], `--relay has the scheme "htp:", which no relay speaks: use ${SCHEMES}`],
      [['--relay', 'nope'], '--relay must be a relay URL (e.g. http://127.0.0.1:8470)'],
      [['--log-level', 'loud'], '--log-level must be debug, info, warn or error, got "loud"'],
      [['--prot', '1'], 'unknown flag --prot: did you mean --port?'],
      [['--peers', 'h:1'], 'unknown flag --peers: did you mean --peer?'],
      [['extra'], 'unexpected argument "extra"'],
    ];
    for (const [argv, message] of cases) expect(() => configFromArgs(argv), argv.join(' ')).toThrow(message);
  });
});
