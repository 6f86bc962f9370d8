/**
 * What the agent calls to send a deposit as an onion (whitepaper 1.2.2):
 * pick the chain, draw each hop's delay from an exponential distribution
 * (Loopix section 4.2), and build the packet. Pure: catalog, time and
 * randomness are given. The agent sends `packet` to `chain[0]`'s URL.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';
import { buildOnion } from './build.ts';
import { type ChainRequest, pickChain } from './chain.ts';
import type { OnionRelayInfo } from './catalog.ts';
import type { OnionClass } from './constants.ts';
import { delayMsOfCode, drawDelayCode } from './delay.ts';
import { encodeFinalPayload } from './payload.ts';
import { messageIdOf, senderPassOf } from '../server/mailbox.ts';
import { encodeRequest } from '../server/request-encode.ts';

export interface PackOnionRequest extends ChainRequest {
  readonly onionClass: OnionClass;
  /** The deposit request for the contact's mailbox (protocol/server request-encode.ts). */
  readonly depositRequest: Uint8Array;
  /** Mean hold time per hop, ms (0: no delays). */
  readonly meanDelayMs: number;
}

export interface PackedOnion {
  readonly packet: Uint8Array;
  readonly chain: readonly OnionRelayInfo[];
  /** Sum of the hops' delays: the earliest the deposit can land, give or take the network. */
  readonly totalDelayMs: number;
}

export function packOnion(suite: CryptoSuite, random: RandomSource, r: PackOnionRequest): PackedOnion {
  const chain = pickChain(random, r);
  const payload = encodeFinalPayload(r.onionClass, r.depositRequest);
  const hops = chain.map((relay) => ({ serverId: relay.serverId, onionKey: relay.onionKey, delayCode: drawDelayCode(random, r.meanDelayMs) }));
  const packet = buildOnion(suite, random, r.onionClass, hops, payload);
  return { packet, chain, totalDelayMs: hops.reduce((sum, h) => sum + delayMsOfCode(h.delayCode), 0) };
}

/** The deposit request an onion carries, with the contact's sender pass (protocol/server/mailbox.ts) so no stamp is needed. */
export function depositRequestWithPass(suite: CryptoSuite, tag: Uint8Array, envelope: Uint8Array, passKey: Uint8Array): Uint8Array {
  const pass = senderPassOf(suite, passKey, tag, messageIdOf(suite, tag, envelope));
  return encodeRequest({ kind: 'deposit', tag, envelope, pass });
}
