/**
 * Envelopes for agents that run elsewhere (the browser client): submit a
 * sealed envelope (durably queued before the answer), follow its receipt,
 * register mailbox tags, read and release the envelopes this node holds for
 * them, and follow their arrivals as Server-Sent Events.
 * docs/API.md, "Envelopes for agents that run elsewhere".
 *
 * What the node holds for a tag is read from its mailbox store (on disk), so
 * GET /v1/mailboxes/:tag answers the same after a restart; registrations
 * (which tags to fetch from relays and to stream) live in memory and are
 * made again by the agent when it reconnects.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { MAX_ENVELOPE_BYTES } from '../../../protocol/envelope/kinds.ts';
import { lookupKeyPairFromSecret } from '../../../protocol/keys/keys.ts';
import { mailboxTag } from '../../../protocol/session/key-schedule.ts';
import type { ArrivedEnvelope, WatchedMailbox } from '../../../seams/node-port.ts';
import type { EnvelopeEvent, MailboxEnvelopesResponse, StoredEnvelopeView, SubmissionView } from '../../../seams/local-api.ts';
import type { InProcessNodePort } from './node-port.ts';
import { LocalApiError } from './errors.ts';
import { hexField, optionalString, optionalStrings, requireString } from './fields.ts';
import { meshNodeField } from './mesh-node-field.ts';
import { EventStream, type Route } from './router.ts';

const TAG_BYTES = 6;
const RELAY_TAG_BYTES = 16;
const LOOKUP_SEED_BYTES = 32;
/** Registrations one node keeps for browser agents (a person has tens of contacts, each a few mailboxes). */
const MAX_REGISTERED = 4096;
const RELAY_URL = /^(https?|udp|mqtt):\/\/\S+$/;

function view(a: ArrivedEnvelope): StoredEnvelopeView {
  return { id: toHex(a.id), envelope: Buffer.from(a.envelope).toString('base64'), receivedAt: a.receivedAt };
}

function relaysOf(body: unknown): string[] {
  const relays = optionalStrings(body, 'relays') ?? [];
  const bad = relays.find((r) => !RELAY_URL.test(r));
  if (bad !== undefined) throw new LocalApiError('bad-request', `"${bad}" is not a relay URL (http://, https://, udp://, mqtt://)`, { field: 'relays' });
  return relays;
}

/** The Lkp seed of a mailbox, checked against its tag: a seed that does not own the tag would fetch someone else's mailbox name. */
function lookupSeedOf(body: unknown, suite: CryptoSuite, tag: Uint8Array): Uint8Array | undefined {
  const text = optionalString(body, 'lookupSeed');
  if (text === undefined) return undefined;
  const seed = new Uint8Array(Buffer.from(text, 'base64'));
  if (seed.length !== LOOKUP_SEED_BYTES) throw new LocalApiError('bad-request', `"lookupSeed" is base64 of ${LOOKUP_SEED_BYTES} bytes`, { field: 'lookupSeed' });
  const lookup = lookupKeyPairFromSecret(suite, seed);
  if (toHex(mailboxTag(suite, lookup.publicKey)) !== toHex(tag)) {
    throw new LocalApiError('bad-request', 'this lookupSeed is not the key of this mailbox tag', { field: 'lookupSeed' });
  }
  return seed;
}

export function envelopeRoutes(port: InProcessNodePort, suite: CryptoSuite): Route[] {
  const registered = new Map<string, WatchedMailbox>();
  const listeners = new Set<(a: ArrivedEnvelope) => void>();
  port.onEnvelope((a) => {
    if (!registered.has(toHex(a.tag))) return;
    for (const l of listeners) l(a);
  });
  return [
    {
      method: 'POST', path: /^\/v1\/envelopes$/, status: 201,
      run: async ({ body }): Promise<SubmissionView> => {
        const tag = hexField(body, 'tag');
        if (tag.length !== TAG_BYTES && tag.length !== RELAY_TAG_BYTES) {
          throw new LocalApiError('bad-request', `"tag" is ${RELAY_TAG_BYTES} bytes (the relay's mailbox tag) or ${TAG_BYTES} (mesh only)`, { field: 'tag' });
        }
        const envelope = new Uint8Array(Buffer.from(requireString(body, 'envelope'), 'base64'));
        if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new LocalApiError('message-too-large', `an envelope is 1 to ${MAX_ENVELOPE_BYTES} bytes`);
        // The node id or its key (mesh-node-field.ts): with the key, the message carries an authenticated origin.
        const meshNode = meshNodeField(body);
        const relays = relaysOf(body);
        if (!meshNode && relays.length === 0) throw new LocalApiError('bad-request', 'say where: meshNode and/or relays', { field: 'meshNode' });
        if (relays.length > 0 && tag.length !== RELAY_TAG_BYTES) throw new LocalApiError('bad-request', `a relay needs the ${RELAY_TAG_BYTES}-byte mailbox tag`, { field: 'tag' });
        const ttl = (body as Record<string, unknown>).ttlMs;
        const id = await port.submit({ tag, envelope, relays, ...(meshNode ? { meshNode } : {}), ...(typeof ttl === 'number' && ttl > 0 ? { ttlMs: ttl } : {}) });
        return { id, state: 'queued', attempts: 0 };
      },
    },
    {
      method: 'GET', path: /^\/v1\/envelopes\/([0-9a-f]{32})$/,
      run: ({ params }): SubmissionView => {
        const s = port.receiptState(params[0]!);
        if (!s) throw new LocalApiError('unknown-message', 'no such receipt');
        return { id: s.receiptId, state: s.state, attempts: 0, ...(s.failure ? { failure: s.failure } : {}) };
      },
    },
    {
      method: 'POST', path: /^\/v1\/mailboxes$/,
      run: ({ body }) => {
        const tag = hexField(body, 'tag', TAG_BYTES);
        const lookupSecret = lookupSeedOf(body, suite, tag);
        const relays = relaysOf(body);
        if (relays.length > 0 && !lookupSecret) throw new LocalApiError('bad-request', 'fetching from relays needs the mailbox\'s lookupSeed', { field: 'lookupSeed' });
        if (!registered.has(toHex(tag)) && registered.size >= MAX_REGISTERED) throw new LocalApiError('bad-request', `at most ${MAX_REGISTERED} mailboxes are registered`);
        registered.set(toHex(tag), { tag, relays, ...(lookupSecret ? { lookupSecret } : {}) });
        port.watchFor('api', [...registered.values()]);
        return { tag: toHex(tag) };
      },
    },
    {
      // On demand: fetch every watched mailbox from its relays now (the node also does it on a schedule).
      method: 'POST', path: /^\/v1\/mailboxes\/fetch$/,
      run: async () => ({ fetched: await port.fetchNow(), relays: port.relayStatus() }),
    },
    {
      method: 'GET', path: /^\/v1\/mailboxes\/events$/,
      run: ({ query }) => {
        const tags = new Set((query.get('tags') ?? '').split(',').filter((t) => t !== ''));
        const unknown = [...tags].find((t) => !registered.has(t));
        if (tags.size === 0 || unknown !== undefined) {
          throw new LocalApiError('bad-request', `tags: registered mailbox tags, comma separated (POST /v1/mailboxes first)${unknown ? `; ${unknown} is not` : ''}`, { field: 'tags' });
        }
        return new EventStream((send) => {
          const listener = (a: ArrivedEnvelope): void => {
            const tag = toHex(a.tag);
            if (tags.has(tag)) send('envelope', { tag, ...view(a) } satisfies EnvelopeEvent);
          };
          listeners.add(listener);
          return () => listeners.delete(listener);
        });
      },
    },
    {
      method: 'GET', path: /^\/v1\/mailboxes\/([0-9a-f]{12})$/,
      run: ({ params }): MailboxEnvelopesResponse => ({ envelopes: port.held(new Uint8Array(Buffer.from(params[0]!, 'hex'))).map(view) }),
    },
    {
      method: 'DELETE', path: /^\/v1\/mailboxes\/([0-9a-f]{12})\/([0-9a-f]{32})$/,
      run: ({ params }) => {
        const tag = new Uint8Array(Buffer.from(params[0]!, 'hex'));
        const id = params[1]!;
        if (!port.held(tag).some((a) => toHex(a.id) === id)) throw new LocalApiError('unknown-message', 'no such envelope in this mailbox');
        port.release(tag, new Uint8Array(Buffer.from(id, 'hex')));
        return undefined;
      },
    },
  ];
}
