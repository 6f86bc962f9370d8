/**
 * The access point files (node-runtime/wifi/wifi-ap.ts) checked by the tools' own
 * parsers: dnsmasq --test, and hostapd's configuration reader (hostapd
 * reads the whole file first and prints "N errors found in configuration
 * file" before it touches the interface, which does not exist here).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWifiConfig, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';
import { hasCommand, missingTool } from '../support/required-tool.ts';

const dir = mkdtempSync(join(tmpdir(), 'meow-ap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hostapd = ['/usr/sbin/hostapd', 'hostapd'].find(hasCommand);
const dnsmasq = ['/usr/sbin/dnsmasq', 'dnsmasq'].find(hasCommand);
const noTools = missingTool('hostapd and dnsmasq', hostapd !== undefined && dnsmasq !== undefined, 'the access point files are checked by their own parsers');

function hostapdErrors(text: string): string {
  const file = join(dir, `hostapd-${Math.random()}.conf`);
  writeFileSync(file, text.replace(/^interface=.*$/m, 'interface=meowtest0'));
  const r = spawnSync(hostapd!, [file], { encoding: 'utf8', timeout: 5000 });
  const out = `${r.stdout}${r.stderr}`;
  return /errors? found in configuration file|Line \d+:/.test(out) ? out : '';
}

describe.skipIf(noTools !== undefined)('Wi-Fi access point files', () => {
  const config = parseWifiConfig({ enabled: true, ssid: 'meow mesh café', passphrase: 'correct horse battery', country: 'FR', channel: 11 });

  it('hostapd reads the generated file without an error, WPA2 and open alike', () => {
    expect(hostapdErrors(wifiFiles(config).hostapdConf)).toBe('');
    const { passphrase: _p, ...open } = config;
    expect(hostapdErrors(wifiFiles(open).hostapdConf)).toBe('');
    // The check itself works: hostapd refuses a broken file.
    expect(hostapdErrors('interface=x\nssid=a\nchannel=6\nwpa=2\nwpa_key_mgmt=NOPE\n')).not.toBe('');
  });

  it('dnsmasq --test accepts the generated file; captive portal answers every name with the node', () => {
    const files = wifiFiles(config);
    const file = join(dir, 'dnsmasq.conf');
    writeFileSync(file, files.dnsmasqConf);
    const r = spawnSync(dnsmasq!, ['--test', `--conf-file=${file}`], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('syntax check OK');
    expect(r.status).toBe(0);
    expect(files.dnsmasqConf).toContain('address=/#/10.42.0.1');
    expect(files.dnsmasqConf).toContain('address=/meow.local/10.42.0.1');
    expect(wifiFiles({ ...config, captivePortal: false }).dnsmasqConf).not.toContain('address=/#/');
  });

  it('refuses bad fields with a typed error naming them, so nothing broken reaches /etc', () => {
    for (const [raw, field] of [
      [{ ssid: 'x'.repeat(33) }, 'wifi.ssid'], [{ ssid: 'a\ninterface=eth0' }, 'wifi.ssid'], [{ passphrase: 'short' }, 'wifi.passphrase'],
      [{ channel: 14 }, 'wifi.channel'], [{ country: 'fr' }, 'wifi.country'], [{ address: '192.168.1.1' }, 'wifi.address'], [{ ssd: 'x' }, 'wifi.ssd'],
    ] as const) {
      let caught: unknown;
      try { parseWifiConfig(raw); } catch (e) { caught = e; }
      expect(caught).toBeInstanceOf(WifiConfigError);
      expect((caught as WifiConfigError).fields.field).toBe(field);
    }
  });
});
