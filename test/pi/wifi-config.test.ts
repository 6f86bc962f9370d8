/**
 * One Wi-Fi module for the three users of the `wifi` block: meow-node's
 * configuration accepts a valid block and refuses a bad one with the field
 * named (exit-2 ConfigError); scripts/pi/wifi-ap.ts writes the AP files
 * from the node config, idempotently; `meow doctor` compares the installed
 * files with what the block generates. (The files themselves are checked by
 * hostapd and `dnsmasq --test` in wifi-ap.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../apps/meow-node/config.ts';
import { type DoctorDeps, runDoctor } from '../../apps/meow/doctor.ts';
import { parseWifiConfig, WIFI_FILE_PATHS, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import { runWifiAp } from '../../scripts/pi/wifi-ap.ts';

const dir = mkdtempSync(join(tmpdir(), 'meow-wifi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wifi = { enabled: true, ssid: 'meow-field', passphrase: 'correct horse battery', country: 'FR', channel: 11 };

describe('the wifi block of the node config', () => {
  it('is accepted, defaults filled in', () => {
    expect(parseConfig({ wifi }).wifi).toEqual({
      enabled: true, ssid: 'meow-field', passphrase: 'correct horse battery', country: 'FR', channel: 11,
      interface: 'wlan0', address: '10.42.0.1', captivePortal: true, mdnsName: 'meow',
    });
    expect(parseConfig({}).wifi).toBeUndefined();
  });

  it.each([
    [{ ...wifi, channel: 14 }, 'config: wifi.channel must be a 2.4 GHz channel in 1..13', 'wifi.channel'],
    [{ ...wifi, ssid: 'a\ninterface=eth0' }, 'config: wifi.ssid must be 1 to 32 bytes on one line', 'wifi.ssid'],
    [{ ...wifi, passphrase: 'short' }, 'config: wifi.passphrase must be 8 to 63 printable ASCII characters', 'wifi.passphrase'],
    [{ ...wifi, ssd: 'x' }, 'config: wifi.ssd must be one of enabled, ssid, passphrase, country, channel, interface, address, captivePortal, mdnsName (unknown field)', 'wifi.ssd'],
    ['on', 'config: wifi must be an object { enabled, ssid, passphrase, country, channel, ... }', 'wifi'],
  ])('a bad block is a ConfigError naming the field (%#)', (block, message, field) => {
    let caught: unknown;
    try {
      parseConfig({ wifi: block });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(message);
    expect((caught as ConfigError).fields?.field).toBe(field);
  });
});

describe('scripts/pi/wifi-ap.ts', () => {
  function run(argv: string[]): { code: number; out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    const code = runWifiAp(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  }

  it('writes the AP files from the node config, then says nothing changed', () => {
    const config = join(dir, 'node.json');
    writeFileSync(config, JSON.stringify({ region: 'EU868', wifi, web: { enabled: true, host: '0.0.0.0' } }));
    const root = join(dir, 'root');
    const paths = ['/etc/hostapd/meow.conf', '/etc/dnsmasq.d/meow.conf', '/etc/avahi/meow-host-name.conf', '/etc/systemd/system/meow-ap.service',
      '/etc/systemd/system/dnsmasq.service.d/meow.conf', '/etc/NetworkManager/conf.d/meow-ap.conf', '/etc/systemd/system/meow-portal.service'];
    const first = run(['--config', config, '--root', root]);
    expect(first).toEqual({ code: 0, out: paths.map((p) => `wrote ${p}`), err: [] });
    const files = wifiFiles(parseWifiConfig(wifi));
    expect(readFileSync(join(root, WIFI_FILE_PATHS.hostapd), 'utf8')).toBe(files.hostapdConf);
    expect(readFileSync(join(root, WIFI_FILE_PATHS.apUnit), 'utf8')).toBe(files.apUnit);
    expect(readFileSync(join(root, WIFI_FILE_PATHS.networkManager), 'utf8')).toContain('\nunmanaged-devices=interface-name:wlan0\n');
    expect(readFileSync(join(root, '/etc/systemd/system/meow-portal.service'), 'utf8')).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE');
    expect(statSync(join(root, WIFI_FILE_PATHS.hostapd)).mode & 0o777).toBe(0o600);
    expect(run(['--config', config, '--root', root]).out).toEqual(paths.map((p) => `unchanged ${p}`));
  });

  it('without captivePortal there is no portal unit; a portal whose web client phones cannot reach is refused', () => {
    const config = join(dir, 'noportal.json');
    writeFileSync(config, JSON.stringify({ wifi: { ...wifi, captivePortal: false } }));
    const root = join(dir, 'noportal-root');
    const r = run(['--config', config, '--root', root]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(6);
    expect(r.out.some((l) => l.includes('meow-portal'))).toBe(false);
    for (const [web, message] of [
      [undefined, 'wifi-ap: config: wifi.captivePortal needs the web client: set "web": { "enabled": true, "host": "0.0.0.0" } (or "captivePortal": false)'],
      [{ enabled: true }, 'wifi-ap: config: web.host 127.0.0.1 is not reachable from the access point: use "0.0.0.0" or "10.42.0.1"'],
      [{ enabled: true, host: '10.42.0.1', port: 80 }, 'wifi-ap: config: web.port 80 is the captive portal\'s: keep the web client on another port (8480)'],
    ] as const) {
      writeFileSync(config, JSON.stringify({ wifi, ...(web ? { web } : {}) }));
      expect(run(['--config', config, '--root', join(dir, 'refused-root')])).toEqual({ code: 2, out: [], err: [message] });
    }
    expect(() => statSync(join(dir, 'refused-root'))).toThrow();
  });

  it('refuses a bad block with exit 2 and writes nothing', () => {
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ wifi: { ...wifi, country: 'fr' } }));
    const root = join(dir, 'bad-root');
    expect(run(['--config', config, '--root', root])).toEqual({ code: 2, out: [], err: ['wifi-ap: config: wifi.country must be a two-letter country code (ISO 3166-1, DE)'] });
    expect(() => statSync(root)).toThrow();
    expect(run(['--config', join(dir, 'none.json')]).code).toBe(2);
  });
});

describe('meow doctor on the wifi block', () => {
  function deps(files: Record<string, string>): DoctorDeps {
    return {
      readFile: async (p) => files[p], exists: async () => true, writable: async () => true, freeBytes: async () => 8 * 1024 ** 3,
      now: () => Date.UTC(2026, 5, 1), openE22: () => Promise.reject(new Error('no HAT')), openSerial: () => { throw new Error('no serial'); },
      reach: async () => undefined, cmdlinePaths: [], hostapdConfPath: WIFI_FILE_PATHS.hostapd,
    };
  }
  const wifiOf = async (config: Record<string, unknown>, files: Record<string, string>) =>
    (await runDoctor({ dataDir: dir, links: [], ...config }, deps(files))).filter((f) => f.check === 'wifi');
  const files = wifiFiles(parseWifiConfig(wifi));

  it('passes installed files that match, warns on stale ones, fails on missing ones or a bad block', async () => {
    expect(await wifiOf({ wifi }, { [WIFI_FILE_PATHS.hostapd]: files.hostapdConf, [WIFI_FILE_PATHS.dnsmasq]: files.dnsmasqConf }))
      .toEqual([{ check: 'wifi', verdict: 'ok', detail: '/etc/hostapd/meow.conf matches the node config' }, { check: 'wifi', verdict: 'ok', detail: '/etc/dnsmasq.d/meow.conf matches the node config' }]);
    const stale = await wifiOf({ wifi: { ...wifi, channel: 1 } }, { [WIFI_FILE_PATHS.hostapd]: files.hostapdConf, [WIFI_FILE_PATHS.dnsmasq]: files.dnsmasqConf });
    expect(stale.map((f) => [f.verdict, f.detail])).toEqual([['warn', '/etc/hostapd/meow.conf differs from the node config\'s wifi block'], ['ok', '/etc/dnsmasq.d/meow.conf matches the node config']]);
    expect(stale[0]!.fix).toMatch(/scripts\/pi\/wifi-ap\.ts --config/);
    expect((await wifiOf({ wifi }, {})).map((f) => [f.verdict, f.detail])).toEqual([['fail', '/etc/hostapd/meow.conf is missing'], ['fail', '/etc/dnsmasq.d/meow.conf is missing']]);
    expect(await wifiOf({ wifi: { ...wifi, channel: 0 } }, {})).toEqual([{ check: 'wifi', verdict: 'fail', detail: 'config: wifi.channel must be a 2.4 GHz channel in 1..13', fix: 'fix the wifi block of the node config' }]);
    expect(await wifiOf({ wifi: { enabled: false } }, {})).toEqual([{ check: 'wifi', verdict: 'ok', detail: 'access point off (wifi.enabled false)' }]);
  });
});
