/**
 * The node's loopback HTTP endpoint: `GET /status` (no token; `meow status`
 * reads it, nothing on it is secret but it tells who the neighbours are),
 * and the authenticated local API under /v1/ (local-api/router.ts,
 * docs/API.md). Never bound to a routable address by default.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function startStatusServer(host: string, port: number, status: () => unknown, api?: ApiHandler): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (api && path?.startsWith('/v1/')) {
      void api(req, res);
      return;
    }
    if (req.method !== 'GET' || (path !== '/status' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not-found","message":"not found"}}');
      return;
    }
    let body: string;
    try {
      body = JSON.stringify(status(), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
