/**
 * Relay requests: the plaintext inside a sealed request frame
 * (docs/PROTOCOL.md section "server", "Requests"). The first byte is the
 * kind; layouts are in request-encode.ts.
 */
import type { Stamp } from './stamp.ts';

export const REQUEST_KIND = {
  deposit: 0x01,
  register: 0x02,
  fetch: 0x03,
  'presence-publish': 0x04,
  'presence-lookup': 0x05,
  'broadcast-post': 0x06,
  'broadcast-list': 0x07,
  'directory-publish': 0x08,
  'directory-withdraw': 0x09,
  'directory-search': 0x0a,
  'directory-random': 0x0b,
  'catalog-list': 0x0c,
  'catalog-announce': 0x0d,
} as const;

export type RequestKind = keyof typeof REQUEST_KIND;

/** Fields shared by requests signed with an Ed25519 key (Lkp, or a directory entry key). */
export interface SignedFields {
  /** Ed25519 public key of the signer. */
  readonly signer: Uint8Array;
  /** Strictly increasing per signer and relay: the replay guard (clients use their clock in ms). */
  readonly counter: number;
  readonly signature: Uint8Array;
  /** Decoder output only: the exact bytes the signature covers. */
  readonly signedMessage?: Uint8Array;
}

export type DepositRequest = {
  readonly kind: 'deposit'; readonly tag: Uint8Array; readonly envelope: Uint8Array;
  readonly pass?: Uint8Array; readonly stamp?: Stamp;
};
export type RegisterRequest = SignedFields & { readonly kind: 'register'; readonly passKey?: Uint8Array };
export type FetchRequest = SignedFields & { readonly kind: 'fetch'; readonly limit: number; readonly acks: readonly Uint8Array[] };
/** ttlSec 0 withdraws the presence record. */
export type PresencePublishRequest = SignedFields & { readonly kind: 'presence-publish'; readonly ttlSec: number; readonly blob: Uint8Array };
export type PresenceLookupRequest = { readonly kind: 'presence-lookup'; readonly tag: Uint8Array };
export type BroadcastPostRequest = { readonly kind: 'broadcast-post'; readonly record: Uint8Array; readonly stamp?: Stamp };
export type BroadcastListRequest = { readonly kind: 'broadcast-list'; readonly sinceSeq: number; readonly limit: number };
export type DirectoryPublishRequest = { readonly kind: 'directory-publish'; readonly record: Uint8Array; readonly stamp?: Stamp };
export type DirectoryWithdrawRequest = SignedFields & { readonly kind: 'directory-withdraw' };
export type DirectorySearchRequest = { readonly kind: 'directory-search'; readonly query: string; readonly limit: number };
export type DirectoryRandomRequest = { readonly kind: 'directory-random'; readonly count: number };
export type CatalogListRequest = { readonly kind: 'catalog-list' };
export type CatalogAnnounceRequest = { readonly kind: 'catalog-announce'; readonly descriptors: readonly Uint8Array[] };

export type RelayRequest =
  | DepositRequest | RegisterRequest | FetchRequest | PresencePublishRequest | PresenceLookupRequest
  | BroadcastPostRequest | BroadcastListRequest | DirectoryPublishRequest | DirectoryWithdrawRequest
  | DirectorySearchRequest | DirectoryRandomRequest | CatalogListRequest | CatalogAnnounceRequest;

export type SignedRequest = RegisterRequest | FetchRequest | PresencePublishRequest | DirectoryWithdrawRequest;
/** A signed request before signing: the encoder adds the signature. */
export type UnsignedRequest<T extends SignedRequest = SignedRequest> =
  T extends SignedRequest ? Omit<T, 'signature' | 'signedMessage' | 'signer'> : never;

export function isSignedRequest(r: RelayRequest): r is SignedRequest {
  return r.kind === 'register' || r.kind === 'fetch' || r.kind === 'presence-publish' || r.kind === 'directory-withdraw';
}
