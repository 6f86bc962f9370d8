/**
 * How this node's agent builds Matriochka chains for contacts whose policy
 * is `matriochka` (agent/onion-send.ts; docs/PROTOCOL.md "Matriochka message
 * packing", "Sending", "Matriochka over the mesh"), config field `onion`,
 * every key optional:
 *
 *   "onion": { "hops": 3, "meanDelayMs": 500, "receiptWithinMs": 120000,
 *              "gateway": "auto", "carryPerSenderPerHour": 30 }
 *
 * More hops and longer delays hide more and cost latency; receiptWithinMs is
 * how long after the delays a contact's receipt may take (its fetch period
 * and the way back) before the chain is suspected and a new one tried.
 *
 * `gateway`: this node has no Internet of its own; its onions (built here,
 * with the user's keys) go over the mesh to a gateway node that hands them
 * to the first relay: "auto" for the nearest gateway heard on the mesh, or
 * the gateway's node public key (64 hex digits, as its node.key holds it),
 * which also authenticates the very first request. On a gateway node,
 * `carryPerSenderPerHour` bounds the onion requests it carries per mesh
 * sender (default 30; a catalog request counts as one).
 */
import type { OnionSendOptions } from '../../agent/onion-send.ts';
import { fromHex } from '../../protocol/codec/bytes.ts';
import { check, int, isObject, type JsonObject, onlyKnown, str } from '../../node-runtime/links/config-fields.ts';

export interface OnionConfig extends Partial<OnionSendOptions> {
  /** 'auto', or the gateway node's Ed25519 public key (hex). */
  readonly gateway?: string;
  readonly carryPerSenderPerHour?: number;
}

export const DEFAULT_CARRY_PER_SENDER_PER_HOUR = 30;

export function parseOnionConfig(raw: unknown): OnionConfig {
  check(isObject(raw), 'onion', 'an object { hops?, meanDelayMs?, receiptWithinMs?, gateway?, carryPerSenderPerHour? }');
  const o = raw as JsonObject;
  onlyKnown(o, 'onion', ['hops', 'meanDelayMs', 'receiptWithinMs', 'gateway', 'carryPerSenderPerHour']);
  let gateway: string | undefined;
  if (o.gateway !== undefined) {
    gateway = str(o.gateway, 'onion.gateway').toLowerCase();
    check(gateway === 'auto' || fromHex(gateway)?.length === 32, 'onion.gateway', '"auto" or the gateway node\'s public key, 64 hex digits');
  }
  return {
    ...(o.hops !== undefined ? { hops: int(o.hops, 'onion.hops', 2, 5) } : {}),
    // The deposit's stamp is valid 10 minutes: a minute per hop at most keeps it fresh.
    ...(o.meanDelayMs !== undefined ? { meanDelayMs: int(o.meanDelayMs, 'onion.meanDelayMs', 0, 60_000) } : {}),
    ...(o.receiptWithinMs !== undefined ? { receiptWithinMs: int(o.receiptWithinMs, 'onion.receiptWithinMs', 1_000, 7 * 86_400_000) } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(o.carryPerSenderPerHour !== undefined ? { carryPerSenderPerHour: int(o.carryPerSenderPerHour, 'onion.carryPerSenderPerHour', 0, 3600) } : {}),
  };
}
