/**
 * scripts/pi/prepare-sd.sh against a synthetic Raspberry Pi OS image: an MBR
 * with one FAT partition at 4 MiB, made and read with mtools (mformat,
 * mcopy, mtype: no mounting, no root). Checks what the Pi's firmware and
 * kernel will read at first boot, idempotence, and refusals.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCommand, missingTool } from '../support/required-tool.ts';
import { parseWifiConfig, wifiFiles } from '../../node-runtime/wifi/wifi-ap.ts';

const script = join(import.meta.dirname, '../../scripts/pi/prepare-sd.sh');
const dir = mkdtempSync(join(tmpdir(), 'meow-sd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const offset = 4 * 1024 * 1024;

/** A 16 MiB image: MBR partition 1 = FAT16 LBA (type 0x0e; Pi OS uses FAT32 0x0c, same code path) from LBA 8192, formatted by mformat, with Pi OS boot files. */
function makeImage(name: string): string {
  const img = join(dir, name);
  const bytes = Buffer.alloc(16 * 1024 * 1024);
  const entry = 446;
  bytes[entry + 4] = 0x0e;
  bytes.writeUInt32LE(offset / 512, entry + 8);
  bytes.writeUInt32LE((bytes.length - offset) / 512, entry + 12);
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  writeFileSync(img, bytes);
  const at = `${img}@@${offset}`;
  execFileSync('mformat', ['-i', at, '-v', 'bootfs', '-T', String((bytes.length - offset) / 512), '-h', '64', '-s', '32', '::']);
  writeFileSync(join(dir, 'config.txt'), 'dtparam=audio=on\n[cm4]\notg_mode=1\n');
  writeFileSync(join(dir, 'cmdline.txt'), 'console=serial0,115200 console=tty1 root=PARTUUID=abcd-02 rootfstype=ext4 fsck.repair=yes rootwait quiet\n');
  execFileSync('mcopy', ['-i', at, join(dir, 'config.txt'), join(dir, 'cmdline.txt'), '::/']);
  return img;
}
const read = (img: string, path: string): string => execFileSync('mtype', ['-i', `${img}@@${offset}`, `::/${path}`], { encoding: 'utf8' });
const run = (...args: string[]): { code: number; out: string; err: string } => {
  const r = spawnSync('bash', [script, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
};

const noMtools = missingTool('mtools', hasCommand('mformat') && hasCommand('mtype') && hasCommand('mcopy') && hasCommand('mdeltree'), 'the SD card test builds and reads a FAT image');

describe.skipIf(noMtools !== undefined)('prepare-sd.sh on a synthetic FAT boot partition', () => {
  const config = join(dir, 'node.json');
  writeFileSync(config, JSON.stringify({ region: 'EU868', links: [{ type: 'lora' }] }));

  it('enables the UART, frees it from the console, holds M0/M1 low, and puts the first-boot payload on the card', () => {
    const img = makeImage('a.img');
    const first = run('--image', img, '--config', config);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('wrote config.txt');
    const configTxt = read(img, 'config.txt');
    expect(configTxt).toMatch(/\[cm4\]\notg_mode=1\n# >>> meow-mesh.*\n\[all\]\nenable_uart=1\n.*\ngpio=22,27=op,dl\n/s);
    const cmdline = read(img, 'cmdline.txt');
    expect(cmdline.split('\n').filter(Boolean)).toHaveLength(1);
    expect(cmdline).not.toContain('console=serial0');
    expect(cmdline).toContain('console=tty1 root=PARTUUID=abcd-02');
    expect(cmdline).toContain('systemd.run=/boot/firmware/meow/firstrun.sh');
    expect(JSON.parse(read(img, 'meow/node.json'))).toMatchObject({ region: 'EU868' });
    expect(read(img, 'meow/meow-relay.service')).toContain('NoNewPrivileges=yes');
    expect(read(img, 'meow/firstrun.sh')).toContain('dpkg -i');
    expect(readFileSync(join(import.meta.dirname, '../../scripts/pi/meow-relay.service'), 'utf8')).toContain('ProtectSystem=strict');
  });

  it('is idempotent: a second run changes nothing and says so', () => {
    const img = makeImage('b.img');
    run('--image', img, '--config', config);
    const before = readFileSync(img);
    const second = run('--image', img, '--config', config);
    expect(second.code).toBe(0);
    expect(second.out).toContain('nothing to change');
    expect(readFileSync(img).equals(before)).toBe(true);
  });

  it('with a wifi block, puts the access point files generated from it on the FAT partition; without, takes them off', () => {
    const img = makeImage('wifi.img');
    const wifiConfig = join(dir, 'wifi.json');
    const wifi = { enabled: true, ssid: 'meow-mesh', passphrase: 'correct horse battery', country: 'DE' };
    writeFileSync(wifiConfig, JSON.stringify({ region: 'EU868', links: [{ type: 'lora' }], wifi, web: { enabled: true, host: '0.0.0.0' } }));
    const first = run('--image', img, '--config', wifiConfig);
    expect(first.err).toBe('');
    const files = wifiFiles(parseWifiConfig(wifi));
    expect(read(img, 'meow/wifi/etc/hostapd/meow.conf')).toBe(files.hostapdConf);
    expect(read(img, 'meow/wifi/etc/dnsmasq.d/meow.conf')).toBe(files.dnsmasqConf);
    expect(read(img, 'meow/wifi/etc/systemd/system/dnsmasq.service.d/meow.conf')).toBe(files.dnsmasqDropIn);
    expect(read(img, 'meow/wifi/etc/systemd/system/meow-portal.service')).toContain('ExecStart=/usr/bin/env node /opt/meow/scripts/pi/meow-portal.js');
    expect(run('--image', img, '--config', wifiConfig).out).toContain('nothing to change');
    const off = run('--image', img, '--config', config);
    expect(off.out).toContain('removed meow/wifi (no enabled wifi block');
    expect(spawnSync('mdir', ['-i', `${img}@@${offset}`, '::/meow/wifi']).status).not.toBe(0);
    // A bad block is refused before anything is written: the card keeps what it had.
    const before = readFileSync(img);
    writeFileSync(wifiConfig, JSON.stringify({ region: 'US915', wifi: { ...wifi, channel: 14 } }));
    expect(run('--image', img, '--config', wifiConfig)).toMatchObject({ code: 2, err: 'prepare-sd: wifi-ap: config: wifi.channel must be a 2.4 GHz channel in 1..13\n' });
    expect(readFileSync(img).equals(before)).toBe(true);
  });

  it('refuses a file that is no image, and a missing config, with a clear line and exit 2', () => {
    const junk = join(dir, 'junk.img');
    writeFileSync(junk, Buffer.alloc(4096));
    expect(run('--image', junk, '--config', config)).toMatchObject({ code: 2, err: expect.stringContaining('no MBR partition table') });
    expect(run('--image', junk, '--config', join(dir, 'none.json'))).toMatchObject({ code: 2, err: expect.stringContaining('cannot read') });
  });
});
