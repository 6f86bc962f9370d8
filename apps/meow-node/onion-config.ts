/**
 * How this node's agent builds Matriochka chains for contacts whose policy
 * is `matriochka` (agent/onion-send.ts; docs/PROTOCOL.md "Matriochka message
 * packing", "Sending"), config field `onion`, every key optional:
 *
 *   "onion": { "hops": 3, "meanDelayMs": 500, "receiptWithinMs": 120000 }
 *
 * More hops and longer delays hide more and cost latency; receiptWithinMs is
 * how long after the delays a contact's receipt may take (its fetch period
 * and the way back) before the chain is suspected and a new one tried.
 */
import type { OnionSendOptions } from '../../agent/onion-send.ts';
import { check, int, isObject, type JsonObject, onlyKnown } from '../../node-runtime/links/config-fields.ts';

export type OnionConfig = Partial<OnionSendOptions>;

export function parseOnionConfig(raw: unknown): OnionConfig {
  check(isObject(raw), 'onion', 'an object { hops?, meanDelayMs?, receiptWithinMs? }');
  const o = raw as JsonObject;
  onlyKnown(o, 'onion', ['hops', 'meanDelayMs', 'receiptWithinMs']);
  return {
    ...(o.hops !== undefined ? { hops: int(o.hops, 'onion.hops', 2, 5) } : {}),
    // The deposit's stamp is valid 10 minutes: a minute per hop at most keeps it fresh.
    ...(o.meanDelayMs !== undefined ? { meanDelayMs: int(o.meanDelayMs, 'onion.meanDelayMs', 0, 60_000) } : {}),
    ...(o.receiptWithinMs !== undefined ? { receiptWithinMs: int(o.receiptWithinMs, 'onion.receiptWithinMs', 1_000, 7 * 86_400_000) } : {}),
  };
}
