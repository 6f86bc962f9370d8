/**
 * The node's local API: what `meow` (the CLI) and the browser client send
 * to a running node, and what it answers. HTTP/1.1 + JSON on the node's
 * status address (127.0.0.1:8471 by default, never a routable address by
 * default). docs/API.md lists every endpoint with examples; this file is
 * the contract both sides compile against.
 *
 * Contract:
 *  - `GET /status` needs no token (seams/node-status.ts). Every other path
 *    starts with `/v1/` and needs `Authorization: Bearer <token>`, the token
 *    being the 64 hex digits of `<dataDir>/api.token` (32 random bytes, mode
 *    0600, created when the node starts). It is compared in constant time.
 *  - The Host header must name the loopback (`localhost`, `127.0.0.1`,
 *    `[::1]`) with the node's port: anything else is refused with 421
 *    (a DNS-rebinding page cannot reach the API).
 *  - A refusal is always `{ "error": { "code", "message", "fields"? } }`
 *    with the HTTP status of `API_ERROR_STATUS[code]`; nothing changes on
 *    the node when a request is refused.
 *  - Bytes travel as base64 (envelopes, cards) or lowercase hex (mailbox
 *    tags, node ids, message ids); times are milliseconds since the Unix
 *    epoch.
 *  - A request body is at most `MAX_BODY_BYTES`; each client address has
 *    `RATE_LIMIT_PER_SECOND` requests per second with a burst of
 *    `RATE_LIMIT_BURST` (429 beyond, with `Retry-After`).
 *  - A message or envelope the API accepted (`state: 'queued'` or later) is
 *    on disk before the answer is sent: it survives kill -9 and power loss.
 *
 * Nothing here imports a runtime: the browser compiles against this file.
 */

/** The node's default local API port (shared with GET /status). */
export const DEFAULT_LOCAL_API_PORT = 8471;
/** Largest request body accepted (an envelope is at most 4 KiB; base64 and JSON around it fit). */
export const MAX_BODY_BYTES = 64 * 1024;
export const RATE_LIMIT_PER_SECOND = 50;
export const RATE_LIMIT_BURST = 200;
/** File name, inside the node's data directory, of the bearer token. */
export const API_TOKEN_FILE = 'api.token';

// ---------------------------------------------------------------- errors

export const API_ERROR_STATUS = {
  'bad-json': 400,
  'bad-request': 400,
  unauthorized: 401,
  'wrong-password': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'no-identity': 409,
  'already-initialized': 409,
  'payload-too-large': 413,
  'bad-host': 421,
  'bad-card': 422,
  'own-invitation': 422,
  'card-mismatch': 422,
  'unknown-contact': 404,
  'unknown-message': 404,
  'policy-unsupported': 422,
  'message-too-large': 413,
  locked: 423,
  'rate-limited': 429,
  internal: 500,
  'relay-unreachable': 502,
  'node-unavailable': 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export interface ApiErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    /** One sentence for a person (no stack, no file path). */
    readonly message: string;
    readonly fields?: Readonly<Record<string, string | number | boolean>>;
  };
}

// ---------------------------------------------------------------- agent

/** GET /v1/agent: whether the node hosts an identity and whether it is unlocked. */
export interface AgentStateView {
  readonly state: 'no-identity' | 'locked' | 'unlocked';
  /** Present when unlocked. */
  readonly identity?: IdentityView;
  /** How many hidden compartments are open now (0 when none was unlocked). */
  readonly hiddenOpen: number;
}

/** POST /v1/agent/init: creates the identity (Ukp) and the vault. Leaves the agent unlocked. */
export interface InitRequest {
  readonly password: string;
}

/**
 * POST /v1/agent/unlock. When the agent is locked, the password opens the
 * main compartment. When it is already unlocked, a password that opens a
 * hidden compartment adds its contacts to the view (`hidden: true`); a wrong
 * password gives `wrong-password` either way and reveals nothing else.
 */
export interface UnlockRequest {
  readonly password: string;
}

/** POST /v1/agent/hidden: creates a hidden compartment behind its own password, and opens it. */
export interface CreateHiddenRequest {
  readonly password: string;
}

export interface IdentityView {
  /** Fingerprint of the Ukp public key (hex, protocol/keys/fingerprint.ts). */
  readonly fingerprint: string;
  readonly createdAt: number;
  /** This device's id (hex); several devices of one identity come later. */
  readonly deviceId: string;
}

// ---------------------------------------------------------------- cards and contacts

export interface CardView {
  /** The card bytes, base64 (write them to a `.card` file as raw bytes). */
  readonly card: string;
  /** The armored text form (protocol/card/armor.ts), to paste. */
  readonly armored: string;
  /** The compact QR payload text (protocol/card/qr-text.ts). */
  readonly qrText: string;
  readonly kind: 'invite' | 'answer';
}

/** POST /v1/invitations: a new contact (fresh Ckp, Ekp, mailbox) waiting for an answer. */
export interface CreateInvitationRequest {
  /** How I call this contact (local only, never sent). */
  readonly name: string;
  /** Put the contact in the hidden compartment opened last (refused with `locked` when none is open) instead of the main one. */
  readonly hidden?: boolean;
  /** Relay URLs written on the card (the node's own `mesh://<node key>` entry, or `mesh://<node id>` when its key is unknown, is added first). */
  readonly relays?: readonly string[];
}

export interface InvitationView {
  readonly contact: ContactView;
  readonly card: CardView;
}

/**
 * POST /v1/cards/import: a card received from someone. An invitation
 * creates the contact and returns my answer card to hand back; an answer to
 * one of my invitations completes that contact (no card returned).
 * My own invitation is refused with `own-invitation`.
 */
export interface ImportCardRequest {
  /** base64 of the card bytes, or the armored text, or the QR text. */
  readonly card: string;
  /** Name for a new contact (required when the card is an invitation). */
  readonly name?: string;
  readonly hidden?: boolean;
  readonly relays?: readonly string[];
}

export interface ImportCardResponse {
  readonly contact: ContactView;
  /** My answer, present when the imported card was an invitation. */
  readonly answer?: CardView;
}

export type ContactStatus = 'invited' | 'active';

export interface ContactView {
  /** Stable local id (hex), used in every path below. */
  readonly id: string;
  readonly name: string;
  readonly status: ContactStatus;
  /** True when the contact lives in a hidden compartment. */
  readonly hidden: boolean;
  /** The pair fingerprint to compare in person (both sides see the same words); absent while invited. */
  readonly fingerprint?: string;
  readonly policy: ContactPolicy;
  readonly unread: number;
  readonly lastMessageAt?: number;
}

/** PATCH /v1/contacts/:id */
export interface UpdateContactRequest {
  readonly name?: string;
  readonly policy?: ContactPolicy;
}

/**
 * Per-contact privacy policy (whitepaper 1.2.4).
 *  - `server`: only through the listed relays, in that order.
 *  - `direct`: over the mesh/LAN to the node hosting the contact's mailbox,
 *    then, when that fails, through `relays` (my own server) in order.
 *  - `matriochka`: onion routing, not built yet: refused with
 *    `policy-unsupported`, never silently downgraded.
 */
export interface ContactPolicy {
  readonly mode: 'server' | 'direct' | 'matriochka';
  /** Relay URLs in the order they are tried. */
  readonly relays: readonly string[];
}

/** GET /v1/contacts -> { contacts } */
export interface ContactListResponse {
  readonly contacts: readonly ContactView[];
}

// ---------------------------------------------------------------- messages

/**
 * What a person is told about a message they sent, in order:
 *  - `queued`: on the node's disk, not yet out;
 *  - `sent`: handed to the mesh and acknowledged by the node that hosts the contact's mailbox;
 *  - `deposited`: stored on one of the contact's relays;
 *  - `delivered`: the contact's device acknowledged it (an end-to-end receipt);
 *  - `failed`: given up, `failure` says why.
 * While `queued`, `failure` (when present) says why the last attempt did not
 * get it out ("relay unreachable: ..."); the node keeps retrying.
 */
export type MessageState = 'queued' | 'sent' | 'deposited' | 'delivered' | 'failed';

export interface MessageView {
  /** Hex id, unique per conversation direction. */
  readonly id: string;
  readonly contactId: string;
  readonly direction: 'out' | 'in';
  readonly text: string;
  /** When I sent it, or when it was received. */
  readonly at: number;
  /** Outgoing messages only. */
  readonly state?: MessageState;
  readonly failure?: string;
  /** Outgoing, once out: the path that took it ('direct' to the contact's node, 'mesh', 'relay'). */
  readonly via?: 'direct' | 'mesh' | 'relay';
}

/** POST /v1/messages */
export interface SendRequest {
  readonly contactId: string;
  readonly text: string;
}

/** GET /v1/contacts/:id/messages?before=<at>&limit=<n> -> newest last */
export interface HistoryResponse {
  readonly messages: readonly MessageView[];
}

/** PUT /v1/contacts/:id/draft and GET answer */
export interface DraftView {
  readonly text: string;
}

/**
 * GET /v1/events: Server-Sent Events, one JSON `AgentEvent` per `data:`
 * line, `event:` set to its `type`. A `: ping` comment every 15 s keeps
 * proxies from closing the stream.
 */
export type AgentEvent =
  | { readonly type: 'message'; readonly message: MessageView }
  | { readonly type: 'state'; readonly contactId: string; readonly id: string; readonly state: MessageState; readonly failure?: string; readonly via?: 'direct' | 'mesh' | 'relay' }
  | { readonly type: 'contact'; readonly contact: ContactView }
  | { readonly type: 'locked' };

// ---------------------------------------------------------------- envelopes (agents running elsewhere)

/**
 * POST /v1/envelopes: an envelope already sealed by an agent that runs
 * elsewhere (the browser client). Accepted = durably queued; the node then
 * sends it to `meshNode` over the mesh, and/or deposits it on `relays`.
 */
export interface SubmitEnvelopeRequest {
  /** The relay's mailbox tag (hex, 16 bytes; protocol/server/mailbox.ts), or its 6-byte prefix the envelope carries (mesh only). */
  readonly tag: string;
  /** base64 of the sealed envelope (at most 4 KiB). */
  readonly envelope: string;
  /** Node id (hex) of the mesh node that hosts the mailbox. */
  readonly meshNode?: string;
  /** Relays to deposit on, tried in this order. */
  readonly relays?: readonly string[];
  /** Give up after this long (default 7 days). */
  readonly ttlMs?: number;
}

export type EnvelopeState = 'queued' | 'sent' | 'deposited' | 'failed';

export interface SubmissionView {
  /** Receipt id (hex), durable: GET /v1/envelopes/:id */
  readonly id: string;
  readonly state: EnvelopeState;
  readonly failure?: string;
  readonly attempts: number;
}

/**
 * POST /v1/mailboxes: registers a mailbox tag whose envelopes this agent
 * wants. Envelopes this node's mesh mailboxes receive under the tag are then
 * listed by GET /v1/mailboxes/:tag. Giving `lookupSeed` (base64 of the
 * 32-byte Lkp seed) and `relays` lets the node fetch that mailbox from the
 * relays too (an Lkp-signed fetch).
 */
export interface RegisterMailboxRequest {
  readonly tag: string;
  readonly lookupSeed?: string;
  readonly relays?: readonly string[];
}

export interface StoredEnvelopeView {
  /** Hex id (the envelope id): DELETE /v1/mailboxes/:tag/:id once stored by the agent. */
  readonly id: string;
  readonly envelope: string;
  readonly receivedAt: number;
}

/** GET /v1/mailboxes/:tag -> the envelopes waiting there, oldest first. */
export interface MailboxEnvelopesResponse {
  readonly envelopes: readonly StoredEnvelopeView[];
}

/**
 * GET /v1/mailboxes/events?tags=<hex>,<hex>: Server-Sent Events, `event:
 * envelope`, data `{ "tag", ...StoredEnvelopeView }` for every envelope
 * arriving under one of those registered tags.
 */
export interface EnvelopeEvent extends StoredEnvelopeView {
  readonly tag: string;
}
