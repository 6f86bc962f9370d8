/**
 * The access point files (node-runtime/wifi/wifi-ap.ts) checked by the tools' own
 * parsers: dnsmasq --test, and hostapd's configuration reader (hostapd
 * reads the whole file first and prints "N errors found in configuration
 * file" before it touches the interface, which does not exist here).
 */
import { spawn, spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { userInfo } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWifiConfig, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';
import { WifiConfigError } from '../../node-runtime/wifi/errors.ts';
import { hasCommand, missingTool } from '../support/required-tool.ts';
import { freePorts } from '../support/free-port.ts';

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

  it('dnsmasq answers every name with the node (the captive portal) and the mDNS name too', async () => {
    // The generated DNS lines as they are; only the interface, address and DHCP lines left out (no wlan0 here), on a free port.
    const dns = wifiFiles({ ...config, address: '10.9.0.1', mdnsName: 'field' }).dnsmasqConf.split('\n').filter((l) => l && !/^(interface|listen-address|bind-interfaces|dhcp)/.test(l));
    expect(dns).toEqual(['no-resolv', 'no-hosts', 'address=/field.local/10.9.0.1', 'address=/#/10.9.0.1']);
    const file = join(dir, 'dns-only.conf');
    writeFileSync(file, `${dns.join('\n')}\n`);
    const [port] = await freePorts(1);
    const child = spawn(dnsmasq!, ['--keep-in-foreground', `--conf-file=${file}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--user=${userInfo().username}`, '--pid-file='], { stdio: 'ignore' });
    try {
      const resolver = new Resolver({ timeout: 200, tries: 1 });
      resolver.setServers([`127.0.0.1:${port}`]);
      const ask = async (name: string): Promise<string[]> => {
        for (let i = 0; ; i++) {
          try {
            return await resolver.resolve4(name);
          } catch (e) {
            if (i > 25) throw e; // dnsmasq not listening yet: up to about 5 s
          }
        }
      };
      for (const name of ['connectivitycheck.gstatic.com', 'captive.apple.com', 'www.msftconnecttest.com', 'field.local', 'example.org']) {
        expect(await ask(name)).toEqual(['10.9.0.1']);
      }
    } finally {
      child.kill();
    }
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
