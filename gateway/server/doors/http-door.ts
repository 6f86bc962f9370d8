/**
 * HTTP and HTTPS front door (docs/PROTOCOL.md section "server", "HTTP/S",
 * filling the whitepaper's TODO 5.2):
 *   POST /v1/relay        body: request frame  -> response frame (application/octet-stream)
 *   GET  /v1/descriptor   the relay's signed descriptor (raw bytes), for bootstrapping
 * Status codes mirror the frame: 200 sealed answers and descriptors, 400
 * refusals, 413 bodies over the cap, 429 rate-limited, 401 missing or wrong
 * basic credentials, 404/405 anything else. The body of a refusal is still
 * a refusal frame, so clients need only the frame to understand it.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_FRAME_BYTES, MAX_RESPONSE_FRAME_BYTES, REPLY_ID_BYTES } from '../../../protocol/server/constants.ts';
import { type BasicCredentials, HTTP_DESCRIPTOR_PATH, HTTP_RELAY_PATH } from '../../../protocol/server/doors.ts';
import { encodeRefusalFrame, FRAME } from '../../../protocol/server/frame.ts';
import { RELAY_STATUS } from '../../../protocol/server/errors.ts';
import type { DoorCore, RunningDoor } from '../../../seams/door.ts';
import { basicAuthChecker } from './basic-auth.ts';
import { capConnections, type ConnectionCaps } from './connection-cap.ts';
import { sourceKeyOf } from './source-key.ts';

export interface HttpDoorOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** PEM key and certificate: serve https. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  readonly basicAuth?: BasicCredentials;
  readonly maxRequestBytes?: number;
  /** Caps on open sockets, in total and per source, and their idle timeout (connection-cap.ts). */
  readonly connections?: ConnectionCaps;
}

const ZERO_REPLY_ID = new Uint8Array(REPLY_ID_BYTES);

function statusFor(frame: Uint8Array): number {
  if (frame[0] !== FRAME.refusal) return 200;
  const code = frame[1 + REPLY_ID_BYTES];
  if (code === RELAY_STATUS['rate-limited']) return 429;
  if (code === RELAY_STATUS['too-large']) return 413;
  return 400;
}

function send(res: ServerResponse, status: number, body: Uint8Array, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

export function startHttpDoor(core: DoorCore, options: HttpDoorOptions = {}): Promise<RunningDoor> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxRequestBytes ?? MAX_REQUEST_FRAME_BYTES;
  const authorized = options.basicAuth ? basicAuthChecker(options.basicAuth) : () => true;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req.headers.authorization)) {
      req.resume();
      send(res, 401, new Uint8Array(0), { 'www-authenticate': 'Basic realm="meow-relay", charset="UTF-8"' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === HTTP_DESCRIPTOR_PATH) {
      req.resume();
      if (req.method !== 'GET') return send(res, 405, new Uint8Array(0), { allow: 'GET' });
      return send(res, 200, core.descriptor().bytes);
    }
    if (path !== HTTP_RELAY_PATH) {
      req.resume();
      return send(res, 404, new Uint8Array(0));
    }
    if (req.method !== 'POST') {
      req.resume();
      return send(res, 405, new Uint8Array(0), { allow: 'POST' });
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > maxBytes) {
      // Refuse before reading: an oversized body is never buffered.
      send(res, 413, encodeRefusalFrame(ZERO_REPLY_ID, 'too-large', `request over ${maxBytes} bytes`), { connection: 'close' });
      req.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes && !refused) {
        refused = true;
        send(res, 413, encodeRefusalFrame(ZERO_REPLY_ID, 'too-large', `request over ${maxBytes} bytes`), { connection: 'close' });
        req.destroy();
        return;
      }
      if (!refused) chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks, size);
      const frame = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      // handle() never rejects by contract; should it (or the answer's write) fail anyway, this
      // request gets an 'internal' refusal instead of an unhandled rejection that ends the process.
      core.handle(frame, { source: sourceKeyOf(req.socket.remoteAddress ?? 'unknown'), maxResponseBytes: MAX_RESPONSE_FRAME_BYTES })
        .then((answer) => send(res, statusFor(answer), answer))
        .catch(() => {
          if (res.headersSent) res.destroy();
          else send(res, 500, encodeRefusalFrame(ZERO_REPLY_ID, 'internal', 'the relay could not answer'), { connection: 'close' });
        });
    });
    req.on('error', () => res.destroy());
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  capConnections(server, options.connections);

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const scheme = options.tls ? 'https' : 'http';
      const auth = options.basicAuth
        ? `${encodeURIComponent(options.basicAuth.user)}:${encodeURIComponent(options.basicAuth.pass)}@` : '';
      const hostPart = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `${scheme}://${auth}${hostPart}:${port}`,
        port,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
