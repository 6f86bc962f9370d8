/**
 * Keys and the two AEAD layers of a slot (layout.ts has the diagram).
 * Every nonce is 24 fresh random bytes (XChaCha20-Poly1305), drawn on every
 * write, so no key ever sees a nonce twice and rewritten slots share no byte
 * with their previous version.
 */
import { concatBytes, utf8, wipe } from '../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { NONCE_BYTES, SALT_BYTES, bodyBytes, type VaultLayout } from './layout.ts';
import type { PasswordKdf } from './password-kdf.ts';

const INNER_KEY_INFO = utf8('meow-vault-1 inner key');
const OUTER_KEY_INFO = utf8('meow-vault-1 outer key');
const INNER_AAD = utf8('meow-vault-1 inner');
const OUTER_AAD = utf8('meow-vault-1 outer');

/** The keys one password gives: K opens the body, R the outer layer. */
export interface SlotKeys {
  readonly innerKey: Uint8Array;
  readonly outerKey: Uint8Array;
}

export async function deriveSlotKeys(kdf: PasswordKdf, suite: CryptoSuite, password: Uint8Array, salt: Uint8Array): Promise<SlotKeys> {
  const master = await kdf.derive(password, salt);
  try {
    return {
      innerKey: suite.hkdf(master, salt, INNER_KEY_INFO, 32),
      outerKey: suite.hkdf(master, salt, OUTER_KEY_INFO, 32),
    };
  } finally {
    wipe(master);
  }
}

/** Keys drawn at random and forgotten: what a fake compartment is sealed under. */
export function randomSlotKeys(random: RandomSource): SlotKeys {
  return { innerKey: random.bytes(32), outerKey: random.bytes(32) };
}

function aad(label: Uint8Array, slot: number, salt: Uint8Array): Uint8Array {
  return concatBytes(label, Uint8Array.of(slot), salt);
}

function seal(suite: CryptoSuite, random: RandomSource, key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const nonce = random.bytes(NONCE_BYTES);
  return concatBytes(nonce, suite.xaeadSeal(key, nonce, plaintext, ad));
}

function open(suite: CryptoSuite, key: Uint8Array, sealed: Uint8Array, ad: Uint8Array): Uint8Array | undefined {
  return suite.xaeadOpen(key, sealed.subarray(0, NONCE_BYTES), sealed.subarray(NONCE_BYTES), ad);
}

export interface SlotContext {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly salt: Uint8Array;
  readonly layout: VaultLayout;
}

/** The inner layer: the padded body sealed under K. `paddedBody` is exactly bodyBytes(layout) long. */
export function sealInner(ctx: SlotContext, slot: number, innerKey: Uint8Array, paddedBody: Uint8Array): Uint8Array {
  return seal(ctx.suite, ctx.random, innerKey, paddedBody, aad(INNER_AAD, slot, ctx.salt));
}

export function openInner(ctx: SlotContext, slot: number, innerKey: Uint8Array, inner: Uint8Array): Uint8Array | undefined {
  return open(ctx.suite, innerKey, inner, aad(INNER_AAD, slot, ctx.salt));
}

/** The outer layer over an inner blob: this is the slot as stored. */
export function sealOuter(ctx: SlotContext, slot: number, outerKey: Uint8Array, inner: Uint8Array): Uint8Array {
  return seal(ctx.suite, ctx.random, outerKey, inner, aad(OUTER_AAD, slot, ctx.salt));
}

export function openOuter(ctx: SlotContext, slot: number, outerKey: Uint8Array, stored: Uint8Array): Uint8Array | undefined {
  return open(ctx.suite, outerKey, stored, aad(OUTER_AAD, slot, ctx.salt));
}

/** Pads an encoded body with zeros to the slot's plaintext size (the caller checked it fits). */
export function padBody(layout: VaultLayout, encoded: Uint8Array): Uint8Array {
  const out = new Uint8Array(bodyBytes(layout));
  out.set(encoded);
  return out;
}

export function sealSlot(ctx: SlotContext, slot: number, keys: SlotKeys, paddedBody: Uint8Array): Uint8Array {
  return sealOuter(ctx, slot, keys.outerKey, sealInner(ctx, slot, keys.innerKey, paddedBody));
}

export function splitFile(layout: VaultLayout, file: Uint8Array): { salt: Uint8Array; slots: Uint8Array[] } {
  const slots: Uint8Array[] = [];
  for (let i = 0; i < layout.slotCount; i++) {
    const start = SALT_BYTES + i * layout.slotBytes;
    slots.push(file.slice(start, start + layout.slotBytes));
  }
  return { salt: file.slice(0, SALT_BYTES), slots };
}
