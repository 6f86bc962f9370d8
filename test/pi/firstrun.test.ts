/**
 * The first boot, in a sandbox: prepare-sd.sh writes a boot partition (a
 * directory here, --boot) from a node config with a wifi block, then
 * scripts/pi/firstrun.sh runs against a temporary root
 * (MEOW_FIRSTRUN_ROOT) with the system commands it calls (dpkg, systemctl,
 * useradd, ...) replaced by stubs that record their arguments. Checks the
 * files it installs under /etc and their modes, the Avahi host name, dhcpcd,
 * the units it enables, the packages it installs from the card, the hook it
 * removes, what it logs, and that a second run changes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseWifiConfig, WIFI_FILE_PATHS, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';

const here = import.meta.dirname;
const dir = mkdtempSync(join(tmpdir(), 'meow-firstrun-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const boot = join(dir, 'boot');
const root = join(dir, 'root');
const stubs = join(dir, 'stubs');
const calls = join(dir, 'calls.log');
const wifi = { enabled: true, ssid: 'meow-field', passphrase: 'correct horse battery', country: 'FR', channel: 11, mdnsName: 'shed' };

/** Stub commands: each appends "name args" to calls.log; `installed` makes node, dpkg-query and id answer as on a set-up system. */
function writeStubs(installed: boolean): void {
  mkdirSync(stubs, { recursive: true });
  const stub = (name: string, body = 'exit 0'): void => {
    writeFileSync(join(stubs, name), `#!/bin/sh\necho "${name} $*" >> "${calls}"\n${body}\n`);
    chmodSync(join(stubs, name), 0o755);
  };
  for (const name of ['dpkg', 'systemctl', 'useradd', 'usermod', 'getent', 'chown', 'chgrp']) stub(name);
  stub('node', installed ? 'exit 0' : 'exit 1');
  stub('id', installed ? 'exit 0' : 'exit 1');
  stub('dpkg-query', installed ? "printf 'install ok installed'" : 'exit 1');
}

function firstrun(): { code: number; out: string; err: string; calls: string[] } {
  rmSync(calls, { force: true });
  const r = spawnSync('sh', [join(boot, 'meow/firstrun.sh')], {
    encoding: 'utf8', env: { ...process.env, PATH: `${stubs}:${process.env.PATH}`, MEOW_FIRSTRUN_ROOT: root, MEOW_FIRSTRUN_BOOT: boot },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, calls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [] };
}

describe('first boot with a wifi block, in a sandboxed root', () => {
  it('prepare-sd puts the generated access point files and the first-boot hook on the boot partition', () => {
    mkdirSync(join(boot), { recursive: true });
    writeFileSync(join(boot, 'config.txt'), 'dtparam=audio=on\n');
    writeFileSync(join(boot, 'cmdline.txt'), 'console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootwait\n');
    mkdirSync(join(dir, 'debs'));
    for (const deb of ['nodejs_20.19.2_arm64.deb', 'hostapd_2.10_arm64.deb', 'dnsmasq_2.90_all.deb']) writeFileSync(join(dir, 'debs', deb), deb);
    mkdirSync(join(dir, 'app/bin'), { recursive: true });
    writeFileSync(join(dir, 'app/bin/meow-node.js'), '// app\n');
    execFileSync('tar', ['-czf', join(dir, 'app.tar.gz'), '-C', join(dir, 'app'), 'bin']);
    writeFileSync(join(dir, 'node.json'), JSON.stringify({ region: 'EU868', links: [{ type: 'lora' }], wifi, web: { enabled: true, host: '0.0.0.0' } }));
    const r = spawnSync('bash', [join(here, '../../scripts/pi/prepare-sd.sh'), '--boot', boot, '--config', join(dir, 'node.json'), '--bundle', join(dir, 'app.tar.gz'), '--debs', join(dir, 'debs'), '--pi-boot', '/boot'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[prepare-sd] wrote meow/wifi/etc/hostapd/meow.conf\n');
    expect(readFileSync(join(boot, 'meow/wifi', WIFI_FILE_PATHS.dnsmasq), 'utf8')).toBe(wifiFiles(parseWifiConfig(wifi)).dnsmasqConf);
    expect(existsSync(join(boot, 'meow/wifi/etc/systemd/system/meow-portal.service'))).toBe(true);
    // A Raspberry Pi OS 11 image (--pi-boot /boot) mounts the boot partition at /boot: the hook names the script there.
    expect(readFileSync(join(boot, 'cmdline.txt'), 'utf8')).toBe('console=tty1 root=PARTUUID=abcd-02 rootwait systemd.run=/boot/meow/firstrun.sh systemd.run_success_action=reboot systemd.unit=kernel-command-line.target\n');
  });

  it('installs packages, the node and the access point, enables the units, removes its hook, and logs each change', () => {
    mkdirSync(join(root, 'etc/avahi'), { recursive: true });
    // Debian's avahi-daemon.conf, shortened; dhcpcd.conf as on a Raspberry Pi OS 11 image.
    writeFileSync(join(root, 'etc/avahi/avahi-daemon.conf'), '[server]\n#host-name=foo\n#domain-name=local\nuse-ipv4=yes\n\n[publish]\n');
    writeFileSync(join(root, 'etc/dhcpcd.conf'), 'hostname\nclientid\n');
    writeStubs(false);
    const r = firstrun();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.calls).toContain(`dpkg -i ${boot}/meow/debs/dnsmasq_2.90_all.deb ${boot}/meow/debs/hostapd_2.10_arm64.deb ${boot}/meow/debs/nodejs_20.19.2_arm64.deb`);
    expect(r.calls).toContain('useradd --system --home-dir /var/lib/meow --shell /usr/sbin/nologin meow');
    expect(r.calls).toContain('systemctl enable meow-node.service meow-ap.service dnsmasq.service meow-portal.service');
    expect(r.out).toContain('meow-firstrun: installed from ' + `${boot}/meow/debs: Node.js >= 20.19, hostapd, dnsmasq\n`);

    const files = wifiFiles(parseWifiConfig(wifi));
    for (const [path, text, mode] of [[WIFI_FILE_PATHS.hostapd, files.hostapdConf, 0o600], [WIFI_FILE_PATHS.dnsmasq, files.dnsmasqConf, 0o644],
      [WIFI_FILE_PATHS.apUnit, files.apUnit, 0o644], [WIFI_FILE_PATHS.dnsmasqDropIn, files.dnsmasqDropIn, 0o644], [WIFI_FILE_PATHS.networkManager, files.networkManagerConf, 0o644]] as const) {
      expect(readFileSync(join(root, path), 'utf8')).toBe(text);
      expect(statSync(join(root, path)).mode & 0o777).toBe(mode);
      expect(r.out).toContain(`meow-firstrun: installed ${path}\n`);
    }
    expect(readFileSync(join(root, 'etc/avahi/avahi-daemon.conf'), 'utf8')).toBe('[server]\nhost-name=shed\n#domain-name=local\nuse-ipv4=yes\n\n[publish]\n');
    expect(readFileSync(join(root, 'etc/dhcpcd.conf'), 'utf8')).toBe('hostname\nclientid\ndenyinterfaces wlan0\n');
    expect(readFileSync(join(root, 'etc/meow/node.json'), 'utf8')).toBe(readFileSync(join(dir, 'node.json'), 'utf8'));
    expect(readFileSync(join(root, 'opt/meow/bin/meow-node.js'), 'utf8')).toBe('// app\n');
    expect(readFileSync(join(root, 'etc/systemd/system/meow-relay.service'), 'utf8')).toContain('ProtectSystem=strict');
    expect(readFileSync(join(boot, 'cmdline.txt'), 'utf8')).toBe('console=tty1 root=PARTUUID=abcd-02 rootwait\n');
    expect(existsSync(join(boot, 'meow/firstrun.done'))).toBe(true);
    expect(readFileSync(join(boot, 'meow/firstrun.log'), 'utf8')).toContain('meow-firstrun: set host-name=shed in /etc/avahi/avahi-daemon.conf\n');
  });

  it('a second run changes nothing and says so', () => {
    writeStubs(true);
    const before = readFileSync(join(root, 'etc/avahi/avahi-daemon.conf'), 'utf8');
    const r = firstrun();
    expect(r.code).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('dpkg ') || c.startsWith('useradd'))).toEqual([]);
    for (const path of Object.values(WIFI_FILE_PATHS).filter((p) => p !== WIFI_FILE_PATHS.avahi)) expect(r.out).toContain(`meow-firstrun: unchanged ${path}\n`);
    expect(r.out).toContain('meow-firstrun: unchanged host-name=shed in /etc/avahi/avahi-daemon.conf\n');
    expect(r.out).toContain('meow-firstrun: unchanged /etc/dhcpcd.conf\n');
    expect(r.out).not.toMatch(/meow-firstrun: installed \//);
    expect(readFileSync(join(root, 'etc/avahi/avahi-daemon.conf'), 'utf8')).toBe(before);
    expect(readFileSync(join(root, 'etc/dhcpcd.conf'), 'utf8')).toBe('hostname\nclientid\ndenyinterfaces wlan0\n');
  });
});
