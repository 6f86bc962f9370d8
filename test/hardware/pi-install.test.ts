import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = new URL('../../scripts/pi/install.sh', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A Pi's root file system as install.sh sees it, plus a tiny app source tree. */
function piTree(model: string, bookworm = true): { root: string; source: string; boot: string } {
  const root = mkdtempSync(join(tmpdir(), 'meow-pi-'));
  const source = mkdtempSync(join(tmpdir(), 'meow-src-'));
  dirs.push(root, source);
  const boot = join(root, bookworm ? 'boot/firmware' : 'boot');
  mkdirSync(boot, { recursive: true });
  writeFileSync(join(boot, 'config.txt'), '# stock\ndtparam=audio=on\n[cm4]\notg_mode=1\n');
  writeFileSync(join(boot, 'cmdline.txt'), 'console=serial0,115200 console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n');
  mkdirSync(join(root, 'proc/device-tree'), { recursive: true });
  writeFileSync(join(root, 'proc/device-tree/model'), `${model}\0`);
  mkdirSync(join(source, 'bin'));
  writeFileSync(join(source, 'bin/meow-node.js'), '// app');
  mkdirSync(join(source, 'node_modules'));
  writeFileSync(join(source, 'node_modules/big'), 'x');
  return { root, source, boot };
}

function install(args: string[]): string {
  return execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('scripts/pi/install.sh on a fake Pi tree', () => {
  it('enables the UART, frees it from the console, holds M0/M1 low, installs app, config and unit', () => {
    const { root, source, boot } = piTree('Raspberry Pi 4 Model B Rev 1.4');
    const out = install(['--root', root, '--source', source]);
    const config = readFileSync(join(boot, 'config.txt'), 'utf8');
    expect(config.startsWith('# stock\ndtparam=audio=on\n[cm4]\notg_mode=1\n')).toBe(true);
    const block = config.slice(config.indexOf('# >>> meow-mesh'));
    expect(block.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(['[all]', 'enable_uart=1', 'gpio=22,27=op,dl']);
    expect(readFileSync(join(boot, 'cmdline.txt'), 'utf8')).toBe('console=tty1 root=PARTUUID=1234-02 rootfstype=ext4 fsck.repair=yes rootwait\n');
    expect(existsSync(join(root, 'opt/meow/bin/meow-node.js'))).toBe(true);
    expect(existsSync(join(root, 'opt/meow/node_modules'))).toBe(false);
    const nodeJson = JSON.parse(readFileSync(join(root, 'etc/meow/node.json'), 'utf8')) as { links: Array<{ type: string; m0Pin?: number }> };
    expect(nodeJson.links.find((l) => l.type === 'lora')).toMatchObject({ m0Pin: 22, m1Pin: 27, path: '/dev/serial0' });
    const unit = readFileSync(join(root, 'etc/systemd/system/meow-node.service'), 'utf8');
    expect(unit).toContain('ExecStart=/usr/bin/env node /opt/meow/bin/meow-node.js --config /etc/meow/node.json');
    expect(unit).toContain('SupplementaryGroups=dialout gpio');
    // System commands are printed, not run, under --root.
    expect(out).toContain('would run: useradd --system');
    expect(out).toContain('would run: systemctl enable meow-node.service');
    expect(out).toMatch(/node v\d+\.\d+\.\d+ is recent enough/);
  });

  it('is idempotent and keeps an edited config', () => {
    const { root, source, boot } = piTree('Raspberry Pi 4 Model B Rev 1.4');
    install(['--root', root, '--source', source, '--skip-node']);
    const first = readFileSync(join(boot, 'config.txt'), 'utf8');
    writeFileSync(join(root, 'etc/meow/node.json'), '{"region":"US915"}');
    const out = install(['--root', root, '--source', source, '--skip-node']);
    expect(readFileSync(join(boot, 'config.txt'), 'utf8')).toBe(first);
    expect(readFileSync(join(root, 'etc/meow/node.json'), 'utf8')).toBe('{"region":"US915"}');
    expect(out).toContain('kept existing /etc/meow/node.json');
  });

  it('turns on UART0 on a Pi 5, disables Bluetooth on request, and handles Bullseye /boot', () => {
    const pi5 = piTree('Raspberry Pi 5 Model B Rev 1.0');
    install(['--root', pi5.root, '--source', pi5.source, '--skip-node', '--disable-bt']);
    const config = readFileSync(join(pi5.boot, 'config.txt'), 'utf8');
    expect(config).toContain('\ndtparam=uart0=on\n');
    expect(config).toContain('\ndtoverlay=disable-bt\n');
    const old = piTree('Raspberry Pi 3 Model B Plus Rev 1.3', false);
    install(['--root', old.root, '--source', old.source, '--skip-node']);
    expect(readFileSync(join(old.boot, 'config.txt'), 'utf8')).toContain('gpio=22,27=op,dl');
    expect(readFileSync(join(old.boot, 'config.txt'), 'utf8')).not.toContain('uart0');
  });

  it('changes nothing with --dry-run, and refuses unknown options', () => {
    const { root, source, boot } = piTree('Raspberry Pi 4 Model B Rev 1.4');
    const before = readFileSync(join(boot, 'config.txt'), 'utf8');
    const out = install(['--root', root, '--source', source, '--skip-node', '--dry-run']);
    expect(readFileSync(join(boot, 'config.txt'), 'utf8')).toBe(before);
    expect(existsSync(join(root, 'etc/meow'))).toBe(false);
    expect(out).toContain('would write /boot/firmware/config.txt');
    expect(() => install(['--bogus'])).toThrow();
  });
});
