/**
 * Sender side: wraps a final payload in one layer per relay (Sphinx,
 * Danezis and Goldberg 2009, section 3.2, with the MAC extended over the
 * payload: docs/PROTOCOL.md "Matriochka message packing"). The packet has
 * the class's size whatever the number of hops: unused routing entries are
 * random bytes, and the filler makes every hop's beta look the same.
 */
import { concatBytes } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { KEY_BYTES } from '../crypto/suite.ts';
import type { RandomSource } from '../random.ts';
import { SERVER_ID_BYTES } from '../server/constants.ts';
import {
  DELAY_CODE_MASK, FINAL_HOP_FLAG, ONION_ENTRY_BYTES, ONION_NEXT_ID_BYTES, type OnionClass, routingBytes,
} from './constants.ts';
import { OnionUsageError } from './errors.ts';
import { blindingFactor, deriveHopKeys, type HopKeys, hopMac, xorBeta, xorDelta } from './hop-crypto.ts';
import { encodeOnionPacket } from './packet.ts';

export interface OnionHop {
  /** The relay's 8-byte server id (protocol/server/seal.ts serverIdOf). */
  readonly serverId: Uint8Array;
  /** The relay's current onion key (X25519 public), from its signed descriptor. */
  readonly onionKey: Uint8Array;
  /** This hop's hold time as a delay code (delay.ts drawDelayCode). */
  readonly delayCode: number;
}

function xorInto(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}

/** alpha_i and s_i for every hop: one fresh secret x, blinded at each hop (section 3.2). */
function hopSecrets(suite: CryptoSuite, random: RandomSource, hops: readonly OnionHop[]) {
  const x = random.bytes(KEY_BYTES);
  const alphas: Uint8Array[] = [suite.x25519PublicKey(x)];
  const blinds: Uint8Array[] = [];
  const keys: HopKeys[] = [];
  for (let i = 0; i < hops.length; i++) {
    // s_i = b_{i-1} ... b_0 x pk_i, one scalar multiplication per factor.
    let s = suite.x25519(x, (hops[i] as OnionHop).onionKey);
    for (let j = 0; j < i && s; j++) s = suite.x25519(blinds[j] as Uint8Array, s);
    if (!s) throw new OnionUsageError(`hop ${i}: the relay's onion key is a low-order point`);
    const alpha = alphas[i] as Uint8Array;
    keys.push(deriveHopKeys(suite, s, alpha));
    const b = blindingFactor(suite, alpha, s);
    blinds.push(b);
    s.fill(0);
    if (i + 1 < hops.length) {
      const next = suite.x25519(b, alpha);
      if (!next) throw new OnionUsageError('blinded key is a low-order point');
      alphas.push(next);
    }
  }
  x.fill(0);
  return { alpha0: alphas[0] as Uint8Array, keys };
}

/** The filler: what the hops before the last append to beta, seen from the last hop (section 3.2, phi). */
function filler(suite: CryptoSuite, keys: readonly HopKeys[], betaBytes: number): Uint8Array {
  let phi: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < keys.length - 1; i++) {
    const stream = xorBeta(suite, keys[i] as HopKeys, new Uint8Array(betaBytes + ONION_ENTRY_BYTES));
    phi = xorInto(concatBytes(phi, new Uint8Array(ONION_ENTRY_BYTES)), stream.subarray(betaBytes - ONION_ENTRY_BYTES * i));
  }
  return phi;
}

function checkHops(onionClass: OnionClass, hops: readonly OnionHop[], payload: Uint8Array): void {
  if (hops.length < 1 || hops.length > onionClass.maxHops) {
    throw new OnionUsageError(`class ${onionClass.name} carries 1..${onionClass.maxHops} hops, not ${hops.length}`);
  }
  if (payload.length !== onionClass.payloadBytes) throw new OnionUsageError(`payload must be ${onionClass.payloadBytes} bytes`);
  for (const h of hops) {
    if (h.serverId.length !== SERVER_ID_BYTES || h.onionKey.length !== KEY_BYTES) throw new OnionUsageError('bad hop id or key size');
    if (!Number.isInteger(h.delayCode) || h.delayCode < 0 || h.delayCode > DELAY_CODE_MASK) throw new OnionUsageError('bad delay code');
  }
}

/**
 * Builds the packet the sender hands to hops[0]. `payload` is the final
 * payload (payload.ts), exactly the class's payload size. Throws on misuse.
 */
export function buildOnion(
  suite: CryptoSuite, random: RandomSource, onionClass: OnionClass, hops: readonly OnionHop[], payload: Uint8Array,
): Uint8Array {
  checkHops(onionClass, hops, payload);
  const n = hops.length;
  const B = routingBytes(onionClass);
  const { alpha0, keys } = hopSecrets(suite, random, hops);
  const key = (i: number) => keys[i] as HopKeys;
  // Every hop removes its payload layer, the last one included (no hop is told apart by its work).
  const deltas: Uint8Array[] = new Array<Uint8Array>(n);
  deltas[n - 1] = xorDelta(suite, key(n - 1), payload);
  for (let i = n - 2; i >= 0; i--) deltas[i] = xorDelta(suite, key(i), deltas[i + 1] as Uint8Array);
  // Last hop: its entry, then random bytes where unused entries would be, then the filler.
  const finalHead = random.bytes(B - ONION_ENTRY_BYTES * (n - 1));
  finalHead[0] = FINAL_HOP_FLAG | (hops[n - 1] as OnionHop).delayCode;
  let beta = concatBytes(xorBeta(suite, key(n - 1), finalHead), filler(suite, keys, B));
  let gamma = hopMac(suite, key(n - 1), beta, deltas[n - 1] as Uint8Array);
  for (let i = n - 2; i >= 0; i--) {
    const entry = new Uint8Array(ONION_ENTRY_BYTES);
    entry[0] = (hops[i] as OnionHop).delayCode;
    entry.set((hops[i + 1] as OnionHop).serverId, 1);
    entry.set(gamma, 1 + ONION_NEXT_ID_BYTES);
    beta = xorBeta(suite, key(i), concatBytes(entry, beta.subarray(0, B - ONION_ENTRY_BYTES)));
    gamma = hopMac(suite, key(i), beta, deltas[i] as Uint8Array);
  }
  return encodeOnionPacket({ onionClass, alpha: alpha0, gamma: gamma.slice(), beta, delta: deltas[0] as Uint8Array });
}
