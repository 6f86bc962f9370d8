/**
 * One delivery attempt of a Matriochka submission (seams/node-port.ts
 * OnionRoute; docs/PROTOCOL.md "Matriochka message packing"). The route is
 * kept with the row (in its relay list, as one `matriochka:` entry), so it
 * survives a restart like the envelope. Per attempt:
 *  - the first trusted relay that answers gives its catalog; the chain, the
 *    delays and the packet are new every time (gateway/client/onion-sender.ts);
 *  - taken by the first relay: announced 'sent', and the row stays queued
 *    until the deadline (drawn delays + receiptWithinMs + slack per hop);
 *  - the contact's receipt (confirmed()) settles it: nothing more is sent;
 *  - deadline passed, no receipt: the message says so ('sent' with a
 *    failure) and goes again through a new chain without the middle relays
 *    of the chains that brought nothing, at most MAX_ONION_SENDS chains in all;
 *  - no trusted relay can build a chain: 'failed' with the reason, never a
 *    plain deposit; trusted relays unreachable: 'queued' with the reason,
 *    retried with backoff.
 * The chains sent are remembered in memory only: after a restart a due row
 * goes out through a fresh chain, without exclusions.
 * On a node with no Internet (config onion.gateway) the relay port's
 * sendOnion builds the same packet here and a mesh gateway carries it
 * (gateway/bridge/mesh-onion-client.ts); the gateway's answers arrive as
 * the same errors: not served is a route problem (failed), over its
 * allowance or a relay down is 'queued' with the reason.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { OnionRouteError, RelayRefusedError } from '../../../seams/relay-port.ts';
import { redactUrl } from '../../../gateway/bridge/redact-url.ts';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../../node-runtime/store/index.ts';
import type { AgentSubmissions, SubmissionRow } from '../../../node-runtime/store/agent-submissions.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { OnionRoute, SubmissionUpdate } from '../../../seams/node-port.ts';
import type { RelayPort } from '../../../seams/relay-port.ts';

/** What an onion attempt needs of the node port (a part of submission-attempt.ts AttemptContext). */
export interface OnionAttemptContext {
  readonly submissions: AgentSubmissions;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly relayFor: (url: string) => RelayPort | undefined;
  readonly announce: (update: SubmissionUpdate) => void;
  readonly onions: OnionLedger;
}

const ROUTE_PREFIX = 'matriochka:';
/** Chains tried for one message before it stays 'sent' with no receipt (the contact may just be offline). */
export const MAX_ONION_SENDS = 4;
/** Network time allowed per hop on top of its drawn delay. */
const HOP_SLACK_MS = 2_000;
const RELAY_TAG_BYTES = 16;

/** The relay list stored with a submission: the route first, then the contact's relays. */
export function withOnionRoute(relays: readonly string[], route: OnionRoute): string[] {
  return [ROUTE_PREFIX + JSON.stringify(route), ...relays];
}

export function splitOnionRoute(stored: readonly string[]): { relays: readonly string[]; route?: OnionRoute } {
  const first = stored[0];
  if (first === undefined || !first.startsWith(ROUTE_PREFIX)) return { relays: stored };
  return { relays: stored.slice(1), route: JSON.parse(first.slice(ROUTE_PREFIX.length)) as OnionRoute };
}

interface SentChain {
  readonly chain: readonly string[];
  readonly sends: number;
  /** Middle relays of every chain sent that brought no receipt yet (hex ids). */
  readonly suspects: readonly string[];
}

/** The chains this node sent, by receipt id, while their receipts are awaited. */
export class OnionLedger {
  private readonly sent = new Map<string, SentChain>();

  get(receiptId: string): SentChain | undefined {
    return this.sent.get(receiptId);
  }

  set(receiptId: string, s: SentChain): void {
    this.sent.set(receiptId, s);
  }

  /** The submission is settled another way (expired, given up): nothing more to remember. */
  forget(receiptId: string): void {
    this.sent.delete(receiptId);
  }

  /** The contact's receipt came: settle the row (its envelope is dropped) so no new chain is tried. */
  confirmed(submissions: AgentSubmissions, receiptId: string): void {
    if (!this.sent.delete(receiptId)) return;
    const id = Uint8Array.from(Buffer.from(receiptId, 'hex'));
    const row = submissions.get(id);
    if (row?.state === 'queued') submissions.settle(id, 'sent', { attempts: row.attempts, nextAttemptAt: 0 });
  }
}

type Outcome = { kind: 'sent'; chain: readonly string[]; totalDelayMs: number } | { kind: 'route' | 'down'; problem: string };

async function tryTrusted(ctx: OnionAttemptContext, row: SubmissionRow, route: OnionRoute, mailboxUrls: readonly string[], exclude: ReadonlySet<string>, url: string): Promise<Outcome> {
  const port = ctx.relayFor(url);
  if (!port?.sendOnion) return { kind: 'route', problem: `relay ${redactUrl(url)}: this node cannot send onions through it` };
  const request = { mailboxUrls, tag: row.tag, envelope: row.envelope, hops: route.hops, meanDelayMs: route.meanDelayMs };
  try {
    try {
      return { kind: 'sent', ...(await port.sendOnion({ ...request, exclude })) };
    } catch (e) {
      // Too few relays left without the suspects: a new random chain through any of them is still new.
      if (!(e instanceof OnionRouteError) || exclude.size === 0) throw e;
      return { kind: 'sent', ...(await port.sendOnion({ ...request, exclude: new Set() })) };
    }
  } catch (e) {
    const what = e instanceof OnionRouteError ? 'cannot build a chain' : e instanceof RelayRefusedError ? 'refused it' : 'unreachable';
    return { kind: e instanceof OnionRouteError ? 'route' : 'down', problem: `relay ${redactUrl(url)} ${what}: ${(e as Error).message}` };
  }
}

export async function attemptOnion(ctx: OnionAttemptContext, row: SubmissionRow, route: OnionRoute, mailboxUrls: readonly string[]): Promise<void> {
  const { submissions, clock, announce } = ctx;
  const receiptId = toHex(row.id);
  const attempts = row.attempts + 1;
  const settle = (state: 'sent' | 'failed' | 'queued', failure: string | undefined, nextAttemptAt = 0): void => {
    submissions.settle(row.id, state, { attempts, nextAttemptAt, ...(failure ? { failure } : {}) });
    announce({ receiptId, state, ...(failure ? { failure } : {}) });
  };
  if (row.tag.length !== RELAY_TAG_BYTES) return settle('failed', 'an onion ends in a relay mailbox: the envelope came without its relay mailbox tag');
  const past = ctx.onions.get(receiptId);
  if (clock.now() >= row.expiresAt) {
    ctx.onions.forget(receiptId);
    return past ? settle('sent', 'no receipt before the message expired') : settle('failed', 'expired: no trusted relay took the onion in time');
  }
  if (past && past.sends >= MAX_ONION_SENDS) {
    ctx.onions.forget(receiptId);
    return settle('sent', `no receipt after ${past.sends} chains: the contact may be offline, or relays drop onions`);
  }
  if (past) {
    announce({ receiptId, state: 'sent', failure: 'no receipt by the deadline: a relay of the chain may be down; sending again through a new chain without its middle relays' });
  }
  // Every middle relay of the chains that brought nothing is left out, as long as a chain can still be built.
  const suspects = past ? [...new Set([...past.suspects, ...past.chain.slice(1, -1)])] : [];
  const exclude = new Set(suspects);
  const problems: string[] = [];
  let routeOnly = true;
  for (const url of route.trusted) {
    const outcome = await tryTrusted(ctx, row, route, mailboxUrls, exclude, url);
    if (outcome.kind === 'sent') {
      ctx.onions.set(receiptId, { chain: outcome.chain, sends: (past?.sends ?? 0) + 1, suspects });
      const deadline = clock.now() + outcome.totalDelayMs + route.receiptWithinMs + HOP_SLACK_MS * outcome.chain.length;
      // Kept queued (with its envelope) until the receipt, or the deadline and a new chain.
      submissions.settle(row.id, 'queued', { attempts, nextAttemptAt: deadline });
      announce({ receiptId, state: 'sent' });
      return;
    }
    if (outcome.kind === 'down') routeOnly = false;
    problems.push(outcome.problem);
  }
  const failure = problems.join('; ') || 'no trusted relay';
  // No trusted relay could build a chain from its catalog: refused, never downgraded to a plain deposit.
  if (routeOnly && !past) return settle('failed', `no onion chain: ${failure}`);
  settle('queued', failure, clock.now() + backoffDelayMs(attempts, DEFAULT_BACKOFF, ctx.random));
}
