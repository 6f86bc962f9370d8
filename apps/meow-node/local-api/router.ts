/**
 * Dispatch of the local API: the guard (http-guard.ts), then the route
 * table; every refusal becomes `{ error: { code, message, fields? } }` with
 * the status of API_ERROR_STATUS. A route never sees an unchecked request;
 * an unexpected throw is logged and answered `internal` without detail.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_ERROR_STATUS, type AgentEvent, type ApiErrorBody, type ApiErrorCode } from '../../../seams/local-api.ts';
import type { Logger } from '../../../seams/logger.ts';
import { AgentCoreError } from '../../../agent/errors.ts';
import { LocalApiError } from './errors.ts';
import { checkHost, checkToken, RateLimiter, readJson } from './http-guard.ts';

export interface RouteContext {
  readonly params: string[];
  readonly body: unknown;
  readonly query: URLSearchParams;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: RegExp;
  readonly status?: number;
  run(ctx: RouteContext): unknown;
}

/** A stream of events for GET /v1/events: subscribe returns the unsubscribe. */
export type EventSource = (send: (event: AgentEvent) => void) => () => void;

/** What a route returns to answer with Server-Sent Events: each `send(name, data)` is one event; subscribe returns the unsubscribe. */
export class EventStream {
  constructor(readonly subscribe: (send: (name: string, data: unknown) => void) => () => void) {}
}

export interface LocalApiOptions {
  readonly port: () => number;
  readonly token: Uint8Array;
  readonly routes: readonly Route[];
  readonly events: EventSource;
  readonly log: Logger;
  readonly now: () => number;
}

const AGENT_CODES = new Set<string>(['bad-card', 'own-invitation', 'card-mismatch', 'unknown-contact', 'unknown-message', 'policy-unsupported', 'message-too-large', 'bad-request', 'no-identity']);

function toApiError(error: unknown, log: Logger): LocalApiError {
  if (error instanceof LocalApiError) return error;
  if (error instanceof AgentCoreError) {
    if (AGENT_CODES.has(error.code)) return new LocalApiError(error.code as ApiErrorCode, error.message, error.fields);
    if (error.code === 'not-active') return new LocalApiError('bad-request', error.message);
  }
  log.warn('local API: unexpected error', { error: (error as Error).message, name: (error as Error).name });
  return new LocalApiError('internal', 'the node could not do this (see its log)');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body ?? {}));
}

export function createLocalApiHandler(options: LocalApiOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limiter = new RateLimiter(options.now);
  return async (req, res) => {
    try {
      checkHost(req, options.port());
      limiter.take(req.socket.remoteAddress ?? '?');
      checkToken(req, options.token);
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'GET' && url.pathname === '/v1/events') {
        return openEvents(res, new EventStream((send) => options.events((e) => send(e.type, e))));
      }
      const candidates = options.routes.filter((r) => r.path.test(url.pathname));
      if (candidates.length === 0) throw new LocalApiError('not-found', `no endpoint ${url.pathname} (docs/API.md)`);
      const route = candidates.find((r) => r.method === req.method);
      if (!route) throw new LocalApiError('method-not-allowed', `${req.method ?? '?'} is not allowed on ${url.pathname}`);
      const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req);
      const params = route.path.exec(url.pathname)!.slice(1);
      const result = await route.run({ params, body, query: url.searchParams });
      if (result instanceof EventStream) openEvents(res, result);
      else if (result === undefined) res.writeHead(204).end();
      else sendJson(res, route.status ?? 200, result);
    } catch (error) {
      const e = toApiError(error, options.log);
      const body: ApiErrorBody = { error: { code: e.code, message: e.message, ...(Object.keys(e.fields ?? {}).length ? { fields: e.fields as Record<string, string> } : {}) } };
      if (e.code === 'rate-limited') res.setHeader('retry-after', String(e.fields?.retryAfterS ?? 1));
      if (!res.headersSent) sendJson(res, API_ERROR_STATUS[e.code], body);
      // A refused upload is not read further: close instead of draining it.
      if (e.code === 'payload-too-large') req.destroy();
    }
  };
}

function openEvents(res: ServerResponse, stream: EventStream): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': meow events\n\n');
  const unsubscribe = stream.subscribe((name, data) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`));
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  res.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}
