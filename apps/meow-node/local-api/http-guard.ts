/**
 * The checks every local API request passes before a route sees it, the
 * cheapest refusal first: Host (DNS rebinding), token (constant time), rate
 * per client address, then the body (size cap, JSON). docs/API.md.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES, RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from '../../../seams/local-api.ts';
import { LocalApiError } from './errors.ts';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function checkHost(req: IncomingMessage, port: number): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    throw new LocalApiError('bad-host', 'the Host header must be localhost, 127.0.0.1 or [::1] with the node\'s port');
  }
}

export function checkToken(req: IncomingMessage, token: Uint8Array): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer ([0-9a-f]{64})$/i.exec(header);
  const given = match ? Buffer.from(match[1]!, 'hex') : Buffer.alloc(token.length);
  // Always compare, so a missing token and a wrong one take the same time.
  const same = timingSafeEqual(given, token);
  if (!match || !same) throw new LocalApiError('unauthorized', 'a valid token is needed: Authorization: Bearer <the hex in the node\'s api.token>');
}

/** Token buckets per client address (loopback clients are few: the map stays small, and old entries are dropped). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly now: () => number, private readonly perSecond = RATE_LIMIT_PER_SECOND, private readonly burst = RATE_LIMIT_BURST) {}

  take(client: string): void {
    const now = this.now();
    const b = this.buckets.get(client) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(client, b);
      throw new LocalApiError('rate-limited', 'too many requests: slow down', { retryAfterS: Math.ceil((1 - b.tokens) / this.perSecond) });
    }
    b.tokens -= 1;
    this.buckets.set(client, b);
    if (this.buckets.size > 1000) this.buckets.clear();
  }
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new LocalApiError('payload-too-large', `the body is over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new LocalApiError('payload-too-large', `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new LocalApiError('bad-json', 'the body is not valid JSON');
  }
}
