/**
 * Coexistence with Avahi, as on a stock Raspberry Pi OS: avahi-daemon holds
 * 0.0.0.0:5353 in one namespace, and our node there must still bind 5353
 * (bonjour-service / multicast-dns set SO_REUSEADDR, as Avahi does), publish,
 * and discover the node in the other namespace. Runs where avahi-daemon is
 * installed and `ip netns` is permitted; skips with the reason otherwise
 * (CI does not install avahi-daemon). Avahi runs with the stock Debian
 * configuration except `enable-dbus=no` and `use-ipv6=no` (no system bus in
 * a test, and our link is IPv4), which do not touch its sockets' options.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsPair } from './support/netns.ts';
import { toolsRequired } from '../support/required-tool.ts';

const avahiConfig = `[server]
use-ipv4=yes
use-ipv6=no
enable-dbus=no
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=yes
[publish]
publish-hinfo=no
publish-workstation=no
`;

function findAvahi(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v avahi-daemon || ls /usr/sbin/avahi-daemon'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

describe('mDNS discovery beside a running avahi-daemon (shared port 5353)', () => {
  const pair = new NetnsPair('v', 2);
  let skipReason: string | undefined;
  let configDir: string | undefined;
  let avahiLog = '';
  let avahiExit: number | null = null;

  beforeAll(async () => {
    const avahi = findAvahi();
    if (!avahi) skipReason = 'avahi-daemon is not installed';
    else skipReason = pair.setUp();
    if (skipReason) {
      console.warn(`[udp-avahi] skipped: ${skipReason}`);
      return;
    }
    configDir = mkdtempSync(join(tmpdir(), 'meow-avahi-'));
    const configFile = join(configDir, 'avahi-daemon.conf');
    writeFileSync(configFile, avahiConfig);
    const child = pair.spawnIn(pair.nsA, avahi!, ['-f', configFile, '--no-drop-root', '--no-chroot', '--no-proc-title', '--no-rlimits']);
    child.stderr?.on('data', (d: Buffer) => { avahiLog += d.toString(); });
    child.stdout?.on('data', (d: Buffer) => { avahiLog += d.toString(); });
    child.on('exit', (code) => { avahiExit = code; });
    const start = Date.now();
    while (!avahiLog.includes('Server startup complete') && avahiExit === null && Date.now() - start < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!avahiLog.includes('Server startup complete')) {
      skipReason = `avahi-daemon did not start: ${avahiLog.slice(-300)}`;
      console.warn(`[udp-avahi] skipped: ${skipReason}`);
    }
  }, 20_000);

  afterAll(() => {
    pair.remove();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('binds 5353 beside Avahi, publishes, and finds the other node', async (ctx) => {
    if (skipReason) {
      if (toolsRequired()) throw new Error(`required in CI: ${skipReason}`);
      ctx.skip();
    }
    const holders = spawnSync('ip', ['netns', 'exec', pair.nsA, 'ss', '-ulnp'], { encoding: 'utf8' }).stdout;
    expect(holders).toMatch(/0\.0\.0\.0:5353.*avahi-daemon/);
    const [a, b] = await Promise.all([pair.runNode(pair.nsA, 'aa11', 'bb22'), pair.runNode(pair.nsB, 'bb22', 'aa11')]);
    const detail = `a: ${JSON.stringify(a.result)} ${a.stderr.slice(0, 500)}\nb: ${JSON.stringify(b.result)}\navahi: ${avahiLog.slice(-500)}`;
    expect(a.code, detail).toBe(0);
    expect(b.code, detail).toBe(0);
    expect(a.result?.mdnsErrors, detail).toEqual([]);
    // The node beside Avahi heard the other node's mDNS records (so it shares 5353) and was heard (it published).
    expect(a.result?.peers).toEqual([expect.objectContaining({ host: pair.addressB, nodeId: 'bb22', source: 'mdns' })]);
    expect(b.result?.peers).toEqual([expect.objectContaining({ host: pair.addressA, nodeId: 'aa11', source: 'mdns' })]);
    expect(avahiExit, 'avahi-daemon kept running').toBeNull();
  }, 30_000);
});
