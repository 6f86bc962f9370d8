/**
 * The agent's part of a Matriochka message (whitepaper 1.2.2 and 1.2.4,
 * "required matriochka for Edward, first node one of my trusted servers"):
 * the message is sealed as usual, then handed to the node durably with the
 * onion route (seams/node-port.ts OnionRoute). The node picks a chain per
 * attempt, builds the onion and hands it to the first relay ('sent'); only
 * the contact's end-to-end receipt makes it 'delivered'. With no receipt
 * by the deadline (the drawn delays plus `receiptWithinMs`), the node says
 * so on the message (a 'sent' update with a failure) and sends it again
 * through a new chain without the last chain's middle relays; the receipt
 * stops that (confirmed()).
 */
import type { OnionRoute, SubmissionUpdate } from '../seams/node-port.ts';
import type { MessageRecord } from './document.ts';
import { AgentCoreError } from './errors.ts';
import type { Route } from './policy.ts';

export interface OnionSendOptions {
  /** Relays in a chain, first (trusted) and last (the contact's) included: 2..5. */
  readonly hops: number;
  /** Mean per-hop hold, ms (Loopix-style exponential delays): more hides timing better, costs latency. */
  readonly meanDelayMs: number;
  /** Time allowed for the contact's fetch and receipt after the delays, before the chain is suspected. */
  readonly receiptWithinMs: number;
}

export const DEFAULT_ONION_SEND: OnionSendOptions = { hops: 3, meanDelayMs: 500, receiptWithinMs: 120_000 };

/**
 * The route for the node, or undefined when the policy is not matriochka.
 * The deposit inside carries a stamp valid 10 minutes (protocol/server/stamp.ts):
 * delays longer than a minute per hop would let it go stale on the way.
 */
export function onionRouteOf(route: Route, options: Partial<OnionSendOptions> = {}): OnionRoute | undefined {
  if (!route.onionTrusted) return undefined;
  const o = { ...DEFAULT_ONION_SEND, ...options };
  if (!Number.isInteger(o.hops) || o.hops < 2 || o.hops > 5) throw new AgentCoreError('bad-request', 'an onion chain has 2 to 5 relays');
  if (!(o.meanDelayMs >= 0 && o.meanDelayMs <= 60_000)) throw new AgentCoreError('bad-request', 'the mean onion delay is 0 to 60 000 ms');
  return { trusted: route.onionTrusted, hops: o.hops, meanDelayMs: o.meanDelayMs, receiptWithinMs: o.receiptWithinMs };
}

/**
 * A note for a message already in `update.state` (an onion with no receipt
 * by its deadline, being sent again): the new failure text, or undefined
 * when the update changes nothing shown.
 */
export function sameStateNote(m: MessageRecord, update: SubmissionUpdate): string | undefined {
  const current = m.state ?? 'queued';
  if (current !== 'sent' || update.state !== 'sent' || !update.failure || update.failure === m.failure) return undefined;
  return update.failure;
}
