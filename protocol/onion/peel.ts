/**
 * Relay side: one layer off (docs/PROTOCOL.md "Matriochka message
 * packing"; Sphinx section 3.3). Order of work: X25519, then the MAC over
 * beta and delta in constant time, before anything else is read; the
 * caller checks the replay tag (verifyHop's result) before peelHop.
 */
import { concatBytes, constantTimeEqual } from '../codec/bytes.ts';
import { type DecodeResult, fail, ok } from '../codec/result.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import {
  DELAY_CODE_MASK, FINAL_HOP_FLAG, ONION_ALPHA_BYTES, ONION_ENTRY_BYTES, ONION_NEXT_ID_BYTES, routingBytes,
} from './constants.ts';
import { delayMsOfCode } from './delay.ts';
import { blindingFactor, deriveHopKeys, type HopKeys, hopMac, xorBeta, xorDelta } from './hop-crypto.ts';
import { encodeOnionPacket, type OnionPacket } from './packet.ts';

/** A packet whose MAC verified under one onion key. */
export interface VerifiedHop {
  readonly packet: OnionPacket;
  readonly shared: Uint8Array;
  readonly keys: HopKeys;
  /** Same packet, same tag: the relay keeps it for the key's period. */
  readonly replayTag: Uint8Array;
}

export type PeeledHop =
  | { readonly kind: 'forward'; readonly nextServerId: Uint8Array; readonly delayMs: number; readonly packet: Uint8Array }
  | { readonly kind: 'deliver'; readonly delayMs: number; readonly payload: Uint8Array };

/** Derives the hop keys and checks gamma; 'bad-key' for a low-order alpha, 'bad-mac' otherwise. */
export function verifyHop(suite: CryptoSuite, onionSecret: Uint8Array, packet: OnionPacket): DecodeResult<VerifiedHop> {
  const shared = suite.x25519(onionSecret, packet.alpha);
  if (!shared) return fail('bad-key', 1, 'alpha is a low-order point');
  const keys = deriveHopKeys(suite, shared, packet.alpha);
  const mac = hopMac(suite, keys, packet.beta, packet.delta);
  if (!constantTimeEqual(mac, packet.gamma)) {
    shared.fill(0);
    return fail('bad-mac', 1 + ONION_ALPHA_BYTES, 'onion MAC does not verify with this key');
  }
  return ok({ packet, shared, keys, replayTag: keys.replayTag.slice() });
}

/** Removes this hop's layer: the next packet (same size) or the final payload. */
export function peelHop(suite: CryptoSuite, hop: VerifiedHop): PeeledHop {
  const { packet, keys } = hop;
  const B = routingBytes(packet.onionClass);
  const extended = xorBeta(suite, keys, concatBytes(packet.beta, new Uint8Array(ONION_ENTRY_BYTES)));
  const code = extended[0] as number;
  const delayMs = delayMsOfCode(code & DELAY_CODE_MASK);
  const delta = xorDelta(suite, keys, packet.delta);
  if ((code & FINAL_HOP_FLAG) !== 0) {
    wipeHop(hop);
    return { kind: 'deliver', delayMs, payload: delta };
  }
  const nextServerId = extended.slice(1, 1 + ONION_NEXT_ID_BYTES);
  const gamma = extended.slice(1 + ONION_NEXT_ID_BYTES, ONION_ENTRY_BYTES);
  const beta = extended.slice(ONION_ENTRY_BYTES, ONION_ENTRY_BYTES + B);
  const alpha = nextAlpha(suite, hop);
  wipeHop(hop);
  const next = encodeOnionPacket({ onionClass: packet.onionClass, alpha, gamma, beta, delta });
  return { kind: 'forward', nextServerId, delayMs, packet: next };
}

function nextAlpha(suite: CryptoSuite, hop: VerifiedHop): Uint8Array {
  const b = blindingFactor(suite, hop.packet.alpha, hop.shared);
  // alpha had a non-zero shared secret, so it is not low order, nor is b x alpha.
  const alpha = suite.x25519(b, hop.packet.alpha) ?? new Uint8Array(ONION_ALPHA_BYTES);
  b.fill(0);
  return alpha;
}

function wipeHop(hop: VerifiedHop): void {
  hop.shared.fill(0);
  hop.keys.macKey.fill(0);
  hop.keys.streamKey.fill(0);
}
