/** HTTP/S transport: POST /v1/relay with keep-alive; basic credentials from the URL's user:pass@. */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { MAX_REQUEST_FRAME_BYTES } from '../../protocol/server/constants.ts';
import { basicAuthHeader, HTTP_DEFAULT_PORT, HTTP_RELAY_PATH, HTTPS_DEFAULT_PORT } from '../../protocol/server/doors.ts';
import { RelayTransportError } from './errors.ts';
import { DEFAULT_TIMEOUT_MS, type RelayTransport, type TransportOptions } from './transport.ts';

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export function httpTransport(url: string, options: TransportOptions & { maxSockets?: number } = {}): RelayTransport {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  if (!secure && parsed.protocol !== 'http:') throw new RelayTransportError(`not an http(s) URL: ${parsed.protocol}`);
  const auth = parsed.username
    ? basicAuthHeader({ user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) }) : undefined;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
  const agent = secure ? new HttpsAgent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) }) : new HttpAgent(agentOptions);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doRequest = secure ? httpsRequest : httpRequest;
  const publicUrl = `${parsed.protocol}//${parsed.host}`;

  return {
    url: publicUrl,
    maxRequestBytes: MAX_REQUEST_FRAME_BYTES,
    exchange(frame) {
      return send(frame, true);
    },
    async close() {
      agent.destroy();
    },
  };

  /**
   * One POST. A keep-alive socket the relay closed as idle just as we reused
   * it fails with ECONNRESET before the relay read anything (the race Node's
   * http documentation describes; on a loaded Pi a blocked event loop widens
   * it): sent once more on a fresh socket. Any other failure is the caller's.
   */
  function send(frame: Uint8Array, mayRetry: boolean): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const req = doRequest({
        host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port || (secure ? HTTPS_DEFAULT_PORT : HTTP_DEFAULT_PORT), path: HTTP_RELAY_PATH, method: 'POST', agent,
        headers: { 'content-type': 'application/octet-stream', 'content-length': frame.length, ...(auth ? { authorization: auth } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new RelayTransportError('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          if (res.statusCode === 401) return reject(new RelayTransportError('relay refused the credentials (401)'));
          const body = Buffer.concat(chunks);
          if (body.length === 0) return reject(new RelayTransportError(`HTTP ${res.statusCode ?? '?'} without a relay frame`));
          resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
        });
        res.on('error', (e) => reject(new RelayTransportError(e.message)));
      });
      req.setTimeout(timeoutMs, () => req.destroy(new RelayTransportError(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (mayRetry && req.reusedSocket && e.code === 'ECONNRESET') return void send(frame, false).then(resolve, reject);
        reject(e instanceof RelayTransportError ? e : new RelayTransportError(e.message));
      });
      req.end(frame);
    });
  }
}
