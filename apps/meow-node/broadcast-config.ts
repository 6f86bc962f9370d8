/**
 * The node's trusted emergency broadcasters (whitepaper 1.7), config field
 * `broadcast`:
 *
 *   "broadcast": { "trusted": [ "<64 hex: Ed25519 public key>",
 *                               { "key": "<64 hex>", "name": "civil protection" } ] }
 *
 * A mesh broadcast carries only its author key's 8-byte id. For these keys
 * the node checks the signature before it stores or floods anything further
 * (delivery.ts): a forgery under a trusted key's id is dropped, the genuine
 * ones are kept apart from the budgeted untrusted ones, and the node's agent
 * shows them under the given name without the user trusting the key first.
 * The operator gets a key from its holder (`meow broadcast list` shows one's
 * own), in person or over a channel that cannot be tampered with: a wrong key
 * here makes the node vouch for someone else.
 */
import { fromHex } from '../../protocol/codec/bytes.ts';
import { check, isObject, onlyKnown, str, type JsonObject } from '../../node-runtime/links/config-fields.ts';

export const MAX_TRUSTED_BROADCASTERS = 32;
export const MAX_BROADCASTER_NAME_CHARS = 32;
const DEFAULT_NAME = 'trusted by this node';

export interface TrustedBroadcaster {
  /** Ed25519 public key, 64 lowercase hex digits. */
  readonly key: string;
  readonly name: string;
}

export interface BroadcastConfig {
  readonly trusted: readonly TrustedBroadcaster[];
}

function parseOne(raw: unknown, field: string): TrustedBroadcaster {
  const expected = 'an Ed25519 public key of 64 hex digits, or { "key": "<64 hex>", "name": "..." }';
  let key: unknown = raw;
  let name = DEFAULT_NAME;
  if (isObject(raw)) {
    onlyKnown(raw, field, ['key', 'name']);
    key = raw.key;
    if (raw.name !== undefined) {
      name = str(raw.name, `${field}.name`).trim();
      check(name.length >= 1 && name.length <= MAX_BROADCASTER_NAME_CHARS, `${field}.name`, `1 to ${MAX_BROADCASTER_NAME_CHARS} characters`);
    }
  }
  check(typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key), isObject(raw) ? `${field}.key` : field, expected);
  return { key: (key as string).toLowerCase(), name };
}

export function parseBroadcastConfig(raw: unknown): BroadcastConfig {
  check(isObject(raw), 'broadcast', 'an object { trusted: [...] }');
  const o = raw as JsonObject;
  onlyKnown(o, 'broadcast', ['trusted']);
  const list = o.trusted ?? [];
  check(Array.isArray(list) && list.length <= MAX_TRUSTED_BROADCASTERS, 'broadcast.trusted', `a list of at most ${MAX_TRUSTED_BROADCASTERS} broadcaster keys`);
  const trusted = (list as unknown[]).map((k, i) => parseOne(k, `broadcast.trusted[${i}]`));
  trusted.forEach((t, i) => check(trusted.findIndex((u) => u.key === t.key) === i, `broadcast.trusted[${i}]`, 'a key not listed twice'));
  return { trusted };
}

/** The keys as bytes, for delivery.ts. */
export function trustedBroadcasterKeys(config: BroadcastConfig | undefined): Uint8Array[] {
  return (config?.trusted ?? []).map((t) => fromHex(t.key)!);
}
