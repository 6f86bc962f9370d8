/**
 * How a user agent talks to a node (the daemon's in-process port, or the
 * local API from a browser): hand over sealed envelopes, learn what became
 * of them, and receive the envelopes that arrive for its mailboxes.
 *
 * Contract:
 *  - submit() resolves only once the envelope is durably queued on the node
 *    (on disk, synchronous FULL): the receipt id then survives kill -9. It
 *    rejects (nothing queued) when the node cannot take it.
 *  - State updates for a receipt arrive through onState in order
 *    queued -> sent | deposited | failed (a failed attempt is announced as
 *    `queued` with its `failure`, the reason it is not out yet); the node retries with backoff
 *    until a mesh node or relay acknowledged it, or its ttl passed.
 *    receiptState() answers for any receipt still remembered, so an agent
 *    that was locked meanwhile catches up.
 *  - watch(tags) replaces the set of mailbox tags whose envelopes the agent
 *    wants; every envelope stored under one of them is given to onEnvelope,
 *    at least once (again after a restart until release() is called).
 *    A mailbox given with its lookupSecret and relays is registered on those
 *    relays and fetched from them (Lkp-signed) on the node's schedule; a
 *    fetched envelope is on the node's disk before the relay deletes it.
 *  - release(tag, id) deletes an envelope the agent has durably handled.
 *  - The handlers never throw into the node; a handler's promise is awaited
 *    before the next envelope of the same tag is given.
 *  - Presence (docs/PROTOCOL.md, "Presence and direct messaging"): a watched
 *    mailbox may carry a presence blob, which the node publishes on the
 *    mailbox's relays in its poll passes (Lkp-signed, replaced when it
 *    changes); lookupPresence() reads a contact's blob from its relays; a
 *    submission with `direct` is first sent to that address, then by its
 *    other routes; `via` in an update says which path took it.
 */
export type SubmissionState = 'queued' | 'sent' | 'deposited' | 'failed';

export interface SubmitRequest {
  /**
   * The mailbox tag the envelope is addressed to: the relay's 16-byte tag of
   * the mailbox (protocol/server/mailbox.ts mailboxTagOf), needed to deposit
   * on relays, or only its 6-byte prefix that the envelope carries (mesh only).
   */
  readonly tag: Uint8Array;
  readonly envelope: Uint8Array;
  /** The mesh node hosting the mailbox (from a card's `mesh://` entry): its 8-byte id or its 32-byte key (then the message carries an authenticated origin). */
  readonly meshNode?: Uint8Array;
  /** Relay URLs to deposit on, in order (tried after the mesh node when both are given). */
  readonly relays: readonly string[];
  readonly ttlMs?: number;
  /** The contact's direct address from its presence (udp://ip:port), tried first; the other routes are the fallback. */
  readonly direct?: string;
  /**
   * Matriochka (docs/PROTOCOL.md "Matriochka message packing"): the deposit on
   * the first of `relays` the chain can end at goes inside an onion through
   * a chain the node picks per attempt (the first relay from `trusted`, the
   * middles at random from that relay's catalog). Never sent any other way:
   * no mesh node, no direct address, no plain deposit.
   */
  readonly onion?: OnionRoute;
}

export interface OnionRoute {
  /** My trusted relays' URLs, tried in order as the first hop (the catalog is read from the one used). */
  readonly trusted: readonly string[];
  /** Relays in the chain, first and last included. */
  readonly hops: number;
  /** Mean hold time per hop, ms (exponential, drawn per hop by the node). */
  readonly meanDelayMs: number;
  /**
   * How long after the drawn delays the contact's receipt may take (its
   * fetch period and the way back): past it, the message is sent again
   * through a new chain without the relays of the last one, at most a few times.
   */
  readonly receiptWithinMs: number;
}

/** Which path took a message: straight to the contact's node, the mesh, or a relay. */
export type DeliveryPath = 'direct' | 'mesh' | 'relay';

export interface SubmissionUpdate {
  readonly receiptId: string;
  readonly state: SubmissionState;
  readonly failure?: string;
  /** With 'sent' or 'deposited': the path that took it. */
  readonly via?: DeliveryPath;
}

export interface ArrivedEnvelope {
  readonly tag: Uint8Array;
  /** The node's id for it (the envelope id), for release(). */
  readonly id: Uint8Array;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
}

/** A mailbox the node should also fetch from relays, with the Lkp that proves the right to fetch. */
export interface WatchedMailbox {
  readonly tag: Uint8Array;
  readonly lookupSecret?: Uint8Array;
  readonly relays?: readonly string[];
  /** My presence sealed for the contact of this mailbox (protocol/session/presence.ts), published on `relays`. */
  readonly presence?: { readonly blob: Uint8Array; readonly ttlSec: number };
}

export interface NodePort {
  /** The node's mesh id, when the node is on a mesh. */
  readonly meshNodeId?: Uint8Array;
  /**
   * The node's Ed25519 public key (its id is derived from it), when known: the
   * `mesh://<node key>` entry an agent puts on its cards, so that a contact's
   * first message comes with an authenticated origin (docs/PROTOCOL.md
   * "Authenticated source"). Without it the card names the node by id.
   */
  readonly meshNodeKey?: Uint8Array;
  /** Where contacts can reach this node directly (udp://ip:port), when its direct endpoint is on. */
  readonly directAddress?: string;
  /** A contact's presence blob from the first of `relays` that has one under the 16-byte mailbox `tag`. */
  lookupPresence?(tag: Uint8Array, relays: readonly string[]): Promise<Uint8Array | undefined>;
  /** Opens this node's NAT towards a contact's direct address (hole punching); absent where no NAT is to be opened. */
  punch?(address: string): void;
  submit(request: SubmitRequest): Promise<string>;
  receiptState(receiptId: string): SubmissionUpdate | undefined;
  onState(handler: (update: SubmissionUpdate) => void | Promise<void>): () => void;
  watch(mailboxes: readonly WatchedMailbox[]): void;
  onEnvelope(handler: (arrived: ArrivedEnvelope) => void | Promise<void>): () => void;
  release(tag: Uint8Array, id: Uint8Array): void;
  /** The contact's receipt came: an onion submission waiting for it is not sent again. */
  confirmed?(receiptId: string): void;
}
