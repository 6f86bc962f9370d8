/**
 * The access point's captive-portal redirect (node-runtime/wifi/captive-portal.ts,
 * run by scripts/pi/meow-portal.service): every request on its port, the
 * phones' connectivity probes included, gets a 302 to the browser chat at
 * the access point's address; the plan comes from the node config, and a
 * config whose web client phones could not reach is refused.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCaptivePortal } from '../../node-runtime/wifi/captive-portal.ts';
import { planPortal } from '../../scripts/pi/captive-portal.ts';

const dir = mkdtempSync(join(tmpdir(), 'meow-portal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function get(port: number, host: string, path: string, method = 'GET'): Promise<{ status: number; location: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject).end();
  });
}

describe('captive portal', () => {
  it('answers the phones\' probes and any other request with a 302 to the chat', async () => {
    const target = 'http://10.42.0.1:8480/';
    const portal = await startCaptivePortal({ host: '127.0.0.1', port: 0, target });
    try {
      for (const [host, path] of [['connectivitycheck.gstatic.com', '/generate_204'], ['captive.apple.com', '/hotspot-detect.html'], ['www.msftconnecttest.com', '/connecttest.txt'], ['example.org', '/a?b=c']]) {
        const r = await get(portal.port, host!, path!);
        expect(r).toEqual({ status: 302, location: target, body: `<!doctype html><meta charset="utf-8"><title>Meow</title><a href="${target}">Meow chat</a>\n` });
      }
      expect(await get(portal.port, 'x', '/', 'HEAD')).toEqual({ status: 302, location: target, body: '' });
    } finally {
      await portal.close();
    }
  });

  it('plans port 80 on the access point address, to the web client there, from the node config', () => {
    const config = join(dir, 'node.json');
    const wifi = { enabled: true, ssid: 'meow-mesh', address: '10.7.0.1' };
    writeFileSync(config, JSON.stringify({ wifi, web: { enabled: true, host: '0.0.0.0', port: 8480 } }));
    expect(planPortal(['--config', config])).toEqual({ host: '10.7.0.1', port: 80, target: 'http://10.7.0.1:8480/' });
    writeFileSync(config, JSON.stringify({ wifi, web: { enabled: true, host: '10.7.0.1', port: 9000, tls: { cert: 'c.pem', key: 'k.pem' } } }));
    expect(planPortal(['--config', config, '--port', '0'])).toEqual({ host: '10.7.0.1', port: 0, target: 'https://10.7.0.1:9000/' });
    writeFileSync(config, JSON.stringify({ wifi: { ...wifi, captivePortal: false }, web: { enabled: true, host: '0.0.0.0' } }));
    expect(planPortal(['--config', config])).toEqual({ error: 'meow-portal: wifi.enabled and wifi.captivePortal must both be true' });
    writeFileSync(config, JSON.stringify({ wifi, web: { enabled: true, host: '127.0.0.1' } }));
    expect(planPortal(['--config', config])).toEqual({ error: 'meow-portal: config: web.host 127.0.0.1 is not reachable from the access point: use "0.0.0.0" or "10.7.0.1"' });
    expect(planPortal(['--config', join(dir, 'none.json')])).toMatchObject({ error: expect.stringContaining('meow-portal: cannot read') });
    expect(planPortal([])).toEqual({ error: 'usage: meow-portal.js --config NODE_CONFIG.json [--port N]' });
  });
});
