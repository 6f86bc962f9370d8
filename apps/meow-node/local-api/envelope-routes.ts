/**
 * Envelopes for agents that run elsewhere (the browser client): submit a
 * sealed envelope (durably queued before the answer), follow its receipt,
 * and read the envelopes this node holds for registered mailbox tags.
 * docs/API.md, "Envelopes for agents that run elsewhere".
 */
import type { Clock } from '../../../seams/clock.ts';
import type { StoredEnvelopeView, SubmissionView } from '../../../seams/local-api.ts';
import { MAX_ENVELOPE_BYTES } from '../../../protocol/envelope/kinds.ts';
import type { InProcessNodePort } from './node-port.ts';
import { LocalApiError } from './errors.ts';
import { hexField, optionalStrings, requireString } from './fields.ts';
import type { Route } from './router.ts';

export function envelopeRoutes(port: InProcessNodePort, clock: Clock): Route[] {
  const registered = new Map<string, StoredEnvelopeView[]>();
  port.onEnvelope((a) => {
    const list = registered.get(Buffer.from(a.tag).toString('hex'));
    list?.push({ id: Buffer.from(a.id).toString('hex'), envelope: Buffer.from(a.envelope).toString('base64'), receivedAt: a.receivedAt });
  });
  return [
    {
      method: 'POST', path: /^\/v1\/envelopes$/, status: 201,
      run: async ({ body }): Promise<SubmissionView> => {
        const tag = hexField(body, 'tag', 6);
        const envelope = new Uint8Array(Buffer.from(requireString(body, 'envelope'), 'base64'));
        if (envelope.length === 0 || envelope.length > MAX_ENVELOPE_BYTES) throw new LocalApiError('message-too-large', `an envelope is 1 to ${MAX_ENVELOPE_BYTES} bytes`);
        const meshNode = (body as Record<string, unknown>).meshNode !== undefined ? hexField(body, 'meshNode', 8) : undefined;
        const relays = optionalStrings(body, 'relays') ?? [];
        if (!meshNode && relays.length === 0) throw new LocalApiError('bad-request', 'say where: meshNode and/or relays', { field: 'meshNode' });
        const ttl = (body as Record<string, unknown>).ttlMs;
        const id = await port.submit({ tag, envelope, relays, ...(meshNode ? { meshNode } : {}), ...(typeof ttl === 'number' && ttl > 0 ? { ttlMs: ttl } : {}) });
        return { id, state: 'queued', attempts: 0 };
      },
    },
    {
      method: 'GET', path: /^\/v1\/envelopes\/([0-9a-f]{64})$/,
      run: ({ params }): SubmissionView => {
        const s = port.receiptState(params[0]!);
        if (!s) throw new LocalApiError('unknown-message', 'no such receipt');
        return { id: s.receiptId, state: s.state, attempts: 0, ...(s.failure ? { failure: s.failure } : {}) };
      },
    },
    {
      method: 'GET', path: /^\/v1\/mailboxes\/([0-9a-f]{12})$/,
      run: ({ params }) => ({ envelopes: registered.get(params[0]!) ?? [], at: clock.now() }),
    },
  ];
}
