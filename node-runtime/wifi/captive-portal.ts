/**
 * The captive-portal redirect of the node's access point. dnsmasq answers
 * every name with the node's address (wifi.captivePortal, wifi-ap.ts), so a
 * phone's connectivity probe (Android's http://connectivitycheck.gstatic.com/generate_204,
 * Apple's http://captive.apple.com/hotspot-detect.html, Windows'
 * http://www.msftconnecttest.com/connecttest.txt) reaches the node on port
 * 80. This server answers every request there with a 302 to the browser
 * chat: the phone sees a portal (not the 204 or "Success" it expected) and
 * opens its sign-in window on the chat.
 *
 * It runs apart from meow-node (scripts/pi/meow-portal.service): port 80
 * needs CAP_NET_BIND_SERVICE, which the node itself is not given.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WifiConfigError } from './errors.ts';
import type { WifiConfig } from './wifi-ap.ts';

/** The part of the node's `web` block the redirect needs (apps/meow-node/web/config.ts). */
export interface WebListen {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  readonly tls?: unknown;
}

/**
 * Where the portal sends phones: the web client at the access point's
 * address. Throws WifiConfigError when the web client is off or not
 * reachable from the access point (a redirect to nothing would strand the
 * phone in its sign-in window).
 */
export function portalTarget(wifi: WifiConfig, web: WebListen): string {
  if (!web.enabled) {
    throw new WifiConfigError('config: wifi.captivePortal needs the web client: set "web": { "enabled": true, "host": "0.0.0.0" } (or "captivePortal": false)', { field: 'web.enabled', expected: 'true' });
  }
  if (!['0.0.0.0', '::', wifi.address].includes(web.host)) {
    throw new WifiConfigError(`config: web.host ${web.host} is not reachable from the access point: use "0.0.0.0" or "${wifi.address}"`, { field: 'web.host', expected: `0.0.0.0 or ${wifi.address}` });
  }
  if (web.port === 80) {
    throw new WifiConfigError('config: web.port 80 is the captive portal\'s: keep the web client on another port (8480)', { field: 'web.port', expected: 'a port other than 80' });
  }
  return `${web.tls ? 'https' : 'http'}://${wifi.address}:${web.port}/`;
}

export interface CaptivePortal {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (80 on the Pi, 0 in tests) and redirects every request to `target`. */
export async function startCaptivePortal(options: { host: string; port: number; target: string }): Promise<CaptivePortal> {
  const { target } = options;
  const body = `<!doctype html><meta charset="utf-8"><title>Meow</title><a href="${target}">Meow chat</a>\n`;
  const server: Server = createServer((req, res) => {
    // Drain the request (a probe may POST); every answer is the same redirect, never cached.
    req.resume();
    res.writeHead(302, { location: target, 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
