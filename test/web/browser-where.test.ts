/**
 * Issue 12: the node announces its web client by mDNS and the page shows
 * where phones reach it. A node serving beyond the loopback publishes
 * `<name>.local` and an `_http._tcp` service on the web port (found here by
 * a real mDNS browse on this host), GET /where gives the name and every
 * address, `meow status` prints them, and the mesh screen in Chromium
 * shows the name first, then the IP addresses.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bonjour, type Service } from 'bonjour-service';
import { afterAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { missingTool } from '../support/required-tool.ts';
import { hasChromium, phone, startWebNode, stopNode, until, type WebNode } from './support.ts';
import { freePorts } from '../support/free-port.ts';
import { enter, shot } from './page.ts';

const skip = missingTool('chromium', hasChromium(), 'the web client tests drive Debian\'s chromium');
const port = await freePorts(6);
/** Unique to this run: other runs on the same LAN must not answer for us. */
const name = `meow-test-${process.pid.toString(16)}`;
const meowBin = new URL('../../bin/meow.js', import.meta.url).pathname;

describe.skipIf(skip)('the node\'s announced name on the page', () => {
  const root = mkdtempSync(join(tmpdir(), 'meow-web-where-'));
  const nodes: WebNode[] = [];
  let browser: BrowserContext | undefined;
  const bonjour = new Bonjour({}, () => undefined);
  afterAll(async () => {
    bonjour.destroy();
    await browser?.close().catch(() => undefined);
    for (const n of nodes) await stopNode(n);
  });

  it('publishes <name>.local and the web port by mDNS, and the mesh screen shows the name and the addresses', async () => {
    const a = startWebNode(root, 'a', { udp: port[0]!, peer: port[1]!, status: port[2]!, web: port[3]! }, { host: '0.0.0.0', mdnsName: name });
    nodes.push(a);
    const local = `http://127.0.0.1:${a.webPort}`;
    await until(async () => ((await fetch(`${local}/`)).ok ? true : undefined), 60_000, 'the web client')
      .catch((e: Error) => { throw new Error(`${e.message}; the node printed:\n${a.out}`); });

    const ips = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address);
    const where = await (await fetch(`${local}/where`)).json() as { mdnsHost: string; urls: string[] };
    expect(where).toEqual({ mdnsHost: `${name}.local`, urls: [`http://${name}.local:${a.webPort}`, ...ips.map((ip) => `http://${ip}:${a.webPort}`)] });
    expect(a.out).toContain(`web client for phones at http://${name}.local:${a.webPort}`);

    // A phone's resolver asks the LAN: here a real mDNS browse for _http._tcp on this host.
    const found = await new Promise<Service>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no _http._tcp service for the node within 15 s')), 15_000);
      bonjour.find({ type: 'http' }, (s: Service) => {
        if (s.name !== `Meow web client ${name}`) return;
        clearTimeout(timer);
        resolve(s);
      });
    });
    expect(found.port).toBe(a.webPort);
    expect(found.host).toBe(`${name}.local`);
    expect(found.txt).toMatchObject({ path: '/' });

    // `meow status` prints the same addresses for the operator.
    const status = spawnSync(process.execPath, [meowBin, 'status', '-d', a.dir], { encoding: 'utf8' });
    expect(status.stdout).toContain(`web client for phones: ${where.urls.join(' ')}`);

    browser = await phone();
    const page = await browser.newPage();
    await enter(page, `${local}/`, 'a phone password', true);
    await page.click('[data-tab=mesh]');
    await page.waitForSelector('.node-address code.mdns');
    expect(await page.textContent('.node-address code.mdns')).toBe(`http://${name}.local:${a.webPort}`);
    expect(await page.$$eval('.node-address code.ip', (els) => els.map((e) => e.textContent))).toEqual(ips.map((ip) => `http://${ip}:${a.webPort}`));
    await shot(page, 'web-node-address');
  }, 180_000);
});
