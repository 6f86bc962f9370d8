/**
 * The node's web server for phones (docs/WEB.md): the browser client's
 * three files under a strict Content Security Policy, GET /status for the
 * mesh map, GET /where for the addresses it is announced at, and the per-browser envelope API under /api/. Started only
 * when the config's `web.enabled` is true. Its own port, so the local API
 * (the node user's token, loopback only) is never exposed with it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { API_ERROR_STATUS, type ApiErrorBody } from '../../../seams/local-api.ts';
import type { Logger } from '../../../seams/logger.ts';
import { LocalApiError } from '../local-api/errors.ts';
import { RateLimiter, readJson } from '../local-api/http-guard.ts';
import { type Browser, BrowserRegistry } from './browsers.ts';
import type { WebBundle } from './bundle.ts';
import { claimMailboxes, poll, release, sendBroadcastEnvelope, submitEnvelope, type WebRouteDeps } from './routes.ts';
import type { WebRelays } from './relay-routes.ts';

/**
 * Nothing but the node's own origin: no inline script or style, no frames,
 * no forms posted elsewhere. data: and blob: images are the QR codes drawn
 * and the photos read, both made in the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'", "manifest-src 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
} as const;

export interface WebServerDeps extends Omit<WebRouteDeps, 'browsers'> {
  readonly dataDir: string;
  readonly bundle: WebBundle;
  readonly status: () => unknown;
  readonly log: Logger;
  readonly random: { bytes(n: number): Uint8Array };
  /** Where phones reach this client (the mDNS name, the addresses), for GET /where. */
  readonly where: () => unknown;
  /** PEM certificate chain and key: HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  /** The node's relays, for the browsers' directory and broadcasts (relay-routes.ts); none when absent. */
  readonly relayProxy?: WebRelays;
}

export interface WebServer {
  readonly port: number;
  readonly browsers: BrowserRegistry;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sendAsset(req: IncomingMessage, res: ServerResponse, bundle: WebBundle, path: string): boolean {
  const a = bundle.assets.get(path === '/index.html' ? '/' : path);
  if (!a || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, {
    ...SECURITY_HEADERS, 'content-type': a.type, 'cache-control': 'no-cache', vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : gzip ? a.gzip : a.body);
  return true;
}

export async function startWebServer(host: string, port: number, deps: WebServerDeps): Promise<WebServer> {
  const browsers = new BrowserRegistry(deps.dataDir, deps.random, () => deps.clock.now());
  const routeDeps: WebRouteDeps = { ...deps, browsers };
  const now = (): number => deps.clock.now();
  const perAddress = new RateLimiter(now);
  // A new browser is cheap to make: at most 5 at once, then one per 10 s from one address.
  const registrations = new RateLimiter(now, 0.1, 5);
  // A broadcast is flooded over every radio of the mesh: 3 at once, then one a minute per browser.
  const broadcasts = new RateLimiter(now, 1 / 60, 3);
  // Asking a relay costs the node a round trip: 20 at once, then one every 2 s per browser.
  const relayCalls = new RateLimiter(now, 0.5, 20);
  // A record the node may have to stamp (seconds of work on a Pi): 6 at once, then one a minute per browser.
  const relayRecords = new RateLimiter(now, 1 / 60, 6);

  /** The relay routes (docs/WEB.md, "Relays"), or undefined for another path. */
  function relayRoute(path: string, method: string, browser: Browser, body: unknown): Promise<unknown> | undefined {
    const relays = deps.relayProxy;
    const route = method === 'GET' && path === '/api/relays' ? 'list'
      : method === 'POST' ? ({ '/api/directory/search': 'search', '/api/directory/publish': 'publish', '/api/directory/withdraw': 'withdraw',
        '/api/relays/broadcasts': 'post', '/api/relays/broadcasts/list': 'read' } as Record<string, string>)[path] : undefined;
    if (!route) return undefined;
    relayCalls.take(browser.key);
    if (!relays && route === 'list') return Promise.resolve({ relays: [] });
    if (!relays) throw new LocalApiError('not-found', 'this node has no relay (its operator sets gateway.relays)', { field: 'relay' });
    const record = (): void => relayRecords.take(browser.key);
    switch (route) {
      case 'list': return relays.list();
      case 'search': return relays.search(body);
      case 'publish': return relays.publish(body, record);
      case 'withdraw': return relays.withdraw(body);
      case 'post': return relays.postBroadcast(body, record);
      default: return relays.listBroadcasts(body);
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<unknown> {
    const address = req.socket.remoteAddress ?? '?';
    perAddress.take(address);
    const method = req.method ?? 'GET';
    if (path === '/api/browsers' && method === 'POST') {
      registrations.take(address);
      res.statusCode = 201;
      return { token: browsers.register() };
    }
    const browser = browsers.authenticate(req.headers.authorization);
    const body = method === 'POST' ? await readJson(req) : {};
    if (path === '/api/envelopes' && method === 'POST') {
      res.statusCode = 201;
      return submitEnvelope(routeDeps, body);
    }
    if (path === '/api/broadcasts' && method === 'POST') {
      const sent = sendBroadcastEnvelope(routeDeps, body, () => broadcasts.take(browser.key));
      res.statusCode = 201;
      return sent;
    }
    if (path === '/api/mailboxes' && method === 'POST') return claimMailboxes(routeDeps, browser, body);
    const proxied = relayRoute(path, method, browser, body);
    if (proxied) return proxied;
    if (path === '/api/poll' && method === 'POST') return poll(routeDeps, browser, body, () => req.socket.destroyed);
    const rel = /^\/api\/mailboxes\/([0-9a-f]{12})\/([0-9a-f]{2,64})$/.exec(path);
    if (rel && method === 'DELETE') {
      release(routeDeps, browser, rel[1]!, rel[2]!);
      res.statusCode = 204;
      return undefined;
    }
    throw new LocalApiError('not-found', `no endpoint ${method} ${path} (docs/WEB.md)`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    try {
      if (path.startsWith('/api/')) {
        const result = await api(req, res, path);
        if (res.statusCode === 204) res.writeHead(204, SECURITY_HEADERS).end();
        else sendJson(res, res.statusCode, result);
        return;
      }
      if (path === '/where' && req.method === 'GET') {
        perAddress.take(req.socket.remoteAddress ?? '?');
        sendJson(res, 200, deps.where());
        return;
      }
      if (path === '/status' && req.method === 'GET') {
        perAddress.take(req.socket.remoteAddress ?? '?');
        const text = JSON.stringify(deps.status(), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
        return;
      }
      if (!sendAsset(req, res, deps.bundle, path)) throw new LocalApiError('not-found', `no page ${path}`);
    } catch (error) {
      const e = error instanceof LocalApiError ? error : new LocalApiError('internal', 'the node could not do this (see its log)');
      if (!(error instanceof LocalApiError)) deps.log.warn('web: unexpected error', { error: (error as Error).message });
      const body: ApiErrorBody = { error: { code: e.code, message: e.message, ...(e.fields && Object.keys(e.fields).length ? { fields: e.fields as Record<string, string> } : {}) } };
      if (e.code === 'rate-limited') res.setHeader('retry-after', String(e.fields?.retryAfterS ?? 1));
      if (!res.headersSent) sendJson(res, API_ERROR_STATUS[e.code], body);
      if (e.code === 'payload-too-large') req.destroy();
    }
  }

  const server: Server = deps.tls
    ? createTlsServer({ cert: deps.tls.cert, key: deps.tls.key }, (req, res) => void handle(req, res))
    : createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    browsers,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
