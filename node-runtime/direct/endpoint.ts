/**
 * The node's direct endpoint: a UDP socket where contacts who read this
 * node's presence send sealed envelopes straight to it (datagram.ts).
 *
 * Order of work for one datagram, cheapest refusal first:
 *   source budget (per IP address) -> decode -> accept() (the node files
 *   the envelope in the mailbox it names, only if an agent here watches
 *   that mailbox, and only once: a replay is a duplicate) -> answer.
 * The endpoint never opens an envelope: the agent does, with the session's
 * checks, exactly as for an envelope fetched from a relay.
 *
 * Anything on the network can send here, so:
 *  - every source address has a budget (a token bucket, `perSourcePerSecond`
 *    and `burst`), and the table of sources is bounded;
 *  - a datagram shorter than an answer is never answered, so a forged
 *    source address gets no amplification (the answer is at most the size
 *    of what was sent);
 *  - envelopes for a mailbox nobody here watches are not stored.
 *
 * Behind a NAT, the same socket does the hole punching (docs/PROTOCOL.md):
 * observe() asks a relay's reflector which public address it has, punch()
 * opens this NAT towards a contact, and sendEnvelope() sends from this
 * socket, the one the NATs now let through (sender.ts uses a socket of its
 * own, fine where no NAT stands between).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { envelopeId } from '../../protocol/envelope/envelope-id.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Logger } from '../../seams/logger.ts';
import { constantTimeEqual, toHex } from '../../protocol/codec/bytes.ts';
import type { TimerHandle } from '../../seams/clock.ts';
import { formatDirectAddress, parseDirectAddress } from './address.ts';
import {
  DIRECT_ANSWER_BYTES, decodeDirectDatagram, type DirectDatagram, type DirectStatus, encodeDirectAnswer, encodeDirectEnvelope, encodeObserve, encodePunch,
} from './datagram.ts';
import { DirectPathError } from './errors.ts';
import { DEFAULT_DIRECT_SEND, type DirectSendOptions } from './sender.ts';

export type DirectAcceptOutcome = 'stored' | 'duplicate' | 'unknown-mailbox' | 'malformed';

export interface DirectEndpointOptions {
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  readonly perSourcePerSecond: number;
  readonly burst: number;
  /** Sources remembered for budgets; past it the least recently seen is forgotten. */
  readonly maxSources: number;
}

export const DEFAULT_DIRECT_BUDGET = { perSourcePerSecond: 20, burst: 40, maxSources: 4096 } as const;

export interface DirectEndpointDeps {
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly log: Logger;
  /** Files the envelope (the node's mailboxes) and hands it to the agents watching it. */
  readonly accept: (envelope: Uint8Array) => DirectAcceptOutcome;
}

export interface DirectEndpointStats {
  readonly received: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly refused: number;
  readonly overBudget: number;
  readonly punches: number;
}

export interface DirectEndpoint {
  /** The port bound (the one asked for, or the one the system chose for 0). */
  readonly port: number;
  stats(): DirectEndpointStats;
  /** This socket's address as the reflector at `reflector` (udp://ip:port) sees it; `token` is 16 random bytes. */
  observe(reflector: string, token: Uint8Array, timeoutMs: number): Promise<string>;
  /** Sends `count` punch datagrams to `address`, `everyMs` apart (the contact does the same towards this socket). */
  punch(address: string, token: Uint8Array, count: number, everyMs: number): Promise<void>;
  /** Sends an envelope from this socket and waits for the answer, as sender.ts does from its own. */
  sendEnvelope(address: string, envelope: Uint8Array, options?: DirectSendOptions): Promise<'stored' | 'duplicate'>;
  close(): Promise<void>;
}

interface Waiter {
  readonly from: string;
  resolve(d: DirectDatagram): void;
}

/** Token buckets per source address (bounded map, least recently used first). */
function sourceBudget(options: DirectEndpointOptions, clock: Clock): (source: string) => boolean {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return (source) => {
    const now = clock.now();
    let b = buckets.get(source);
    if (b) {
      buckets.delete(source);
      b.tokens = Math.min(options.burst, b.tokens + (Math.max(0, now - b.atMs) / 1000) * options.perSourcePerSecond);
      b.atMs = Math.max(b.atMs, now);
    } else {
      b = { tokens: options.burst, atMs: now };
      if (buckets.size >= options.maxSources) buckets.delete(buckets.keys().next().value!);
    }
    buckets.set(source, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
}

export async function startDirectEndpoint(deps: DirectEndpointDeps, options: DirectEndpointOptions): Promise<DirectEndpoint> {
  const socket: Socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  const withinBudget = sourceBudget(options, deps.clock);
  const counts = { received: 0, stored: 0, duplicates: 0, refused: 0, overBudget: 0, punches: 0 };
  /** Answers this socket waits for (observed by token, envelope answers by id), keyed by hex. */
  const waiters = new Map<string, Waiter>();
  const sameSource = (from: RemoteInfo, want: string): boolean => formatDirectAddress(from.address.replace(/^::ffff:(?=\d+\.)/i, ''), from.port) === want;

  function wait(key: string, from: string, timeoutMs: number): Promise<DirectDatagram | undefined> {
    return new Promise((resolve) => {
      waiters.set(key, { from, resolve: (d) => { timer.cancel(); waiters.delete(key); resolve(d); } });
      const timer: TimerHandle = deps.clock.setTimer(timeoutMs, () => {
        waiters.delete(key);
        resolve(undefined);
      });
    });
  }

  function answer(status: DirectStatus, id: Uint8Array, to: RemoteInfo, sentBytes: number): void {
    if (sentBytes < DIRECT_ANSWER_BYTES) return; // no amplification towards a forged source
    socket.send(encodeDirectAnswer(status, id), to.port, to.address, () => undefined);
  }

  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    counts.received++;
    if (!withinBudget(from.address)) {
      // Answered only while the budget lasts: a flood is dropped without a word.
      counts.overBudget++;
      return;
    }
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    const d = decodeDirectDatagram(bytes);
    if (!d.ok || d.value.type === 'observe') {
      counts.refused++;
      return;
    }
    if (d.value.type === 'punch') {
      counts.punches++;
      return;
    }
    if (d.value.type === 'observed' || d.value.type === 'answer') {
      const key = toHex(d.value.type === 'observed' ? d.value.token : d.value.envelopeId);
      const waiter = waiters.get(key);
      if (waiter && sameSource(from, waiter.from)) waiter.resolve(d.value);
      return;
    }
    const envelope = Uint8Array.from(d.value.envelope);
    const id = envelopeId(deps.suite, envelope);
    let outcome: DirectAcceptOutcome;
    try {
      outcome = deps.accept(envelope);
    } catch (e) {
      deps.log.warn('direct envelope not filed', { error: (e as Error).message });
      return; // the sender times out and falls back to the relays
    }
    if (outcome === 'stored') counts.stored++;
    else if (outcome === 'duplicate') counts.duplicates++;
    else counts.refused++;
    answer(outcome, id, from, bytes.length);
  });
  socket.on('error', (e) => deps.log.warn('direct endpoint socket error', { error: e.message }));

  await new Promise<void>((resolve, reject) => {
    const failed = (e: Error): void => reject(new DirectPathError('endpoint-start', `cannot open the direct endpoint on ${options.host}:${options.port}: ${e.message}`, { cause: e }));
    socket.once('error', failed);
    socket.bind(options.port, options.host, () => {
      socket.off('error', failed);
      resolve();
    });
  });
  const port = socket.address().port;
  const sendTo = (address: string, bytes: Uint8Array): void => {
    const to = parseDirectAddress(address);
    // A host name would mean a DNS lookup telling a resolver whom this node talks to.
    if (isIP(to.host) === 0) throw new DirectPathError('bad-address', 'a direct address names an IP address, not a host name');
    socket.send(bytes, to.port, to.host, () => undefined);
  };
  return {
    port,
    stats: () => ({ ...counts }),
    async observe(reflector, token, timeoutMs) {
      const answer = wait(toHex(token), formatDirectAddress(parseDirectAddress(reflector).host, parseDirectAddress(reflector).port), timeoutMs);
      sendTo(reflector, encodeObserve(token));
      const d = await answer;
      if (d?.type !== 'observed' || !constantTimeEqual(d.token, token)) throw new DirectPathError('unreachable', 'the reflector did not answer');
      return formatDirectAddress(d.host, d.port);
    },
    async punch(address, token, count, everyMs) {
      for (let i = 0; i < count; i++) {
        sendTo(address, encodePunch(token));
        if (i < count - 1) await new Promise<void>((resolve) => deps.clock.setTimer(everyMs, resolve));
      }
    },
    async sendEnvelope(address, envelope, options = DEFAULT_DIRECT_SEND) {
      const to = parseDirectAddress(address);
      const key = toHex(envelopeId(deps.suite, envelope));
      for (let i = 0; i < options.attempts; i++) {
        const answer = wait(key, formatDirectAddress(to.host, to.port), options.attemptTimeoutMs);
        sendTo(address, encodeDirectEnvelope(envelope));
        const d = await answer;
        if (d?.type !== 'answer') continue;
        if (d.status === 'stored' || d.status === 'duplicate') return d.status;
        throw new DirectPathError('refused', `the contact's node refused it: ${d.status}`);
      }
      throw new DirectPathError('unreachable', `no answer from the contact's node after ${options.attempts} attempts`);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
