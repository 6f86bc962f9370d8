/**
 * The node-hosted agent's routes (docs/API.md, "The node-hosted agent"):
 * each turns a checked request into one call on the agent and its answer
 * into the JSON of seams/local-api.ts.
 */
import { armor, dearmor, looksArmored } from '../../../protocol/card/armor.ts';
import { fromQrText, looksLikeQrText, toQrText } from '../../../protocol/card/qr-text.ts';
import type {
  CardView, ContactPolicy, ImportCardResponse, InvitationView,
} from '../../../seams/local-api.ts';
import type { CardResult } from '../../../agent/agent.ts';
import type { AgentHost } from './agent-host.ts';
import { LocalApiError } from './errors.ts';
import type { Route } from './router.ts';
import { optionalBoolean, optionalString, optionalStrings, requireString } from './fields.ts';

export function cardView(card: { bytes: Uint8Array; kind: 'invite' | 'answer' }): CardView {
  return { card: Buffer.from(card.bytes).toString('base64'), armored: armor('MEOW CARD', card.bytes), qrText: toQrText(card.bytes), kind: card.kind };
}

function cardBytes(text: string): Uint8Array {
  const trimmed = text.trim();
  if (looksArmored(trimmed)) {
    const d = dearmor(trimmed);
    if (!d.ok) throw new LocalApiError('bad-card', `the armored card is damaged: ${d.message}`);
    return d.value.bytes;
  }
  if (looksLikeQrText(trimmed)) {
    const d = fromQrText(trimmed);
    if (!d.ok) throw new LocalApiError('bad-card', `the QR text is damaged: ${d.message}`);
    return d.value;
  }
  if (!/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) throw new LocalApiError('bad-card', 'card: expected base64, armored text or QR text');
  return new Uint8Array(Buffer.from(trimmed, 'base64'));
}

function policyOf(value: unknown): ContactPolicy {
  if (!value || typeof value !== 'object') throw new LocalApiError('bad-request', 'policy must be an object { mode, relays }', { field: 'policy' });
  const p = value as Record<string, unknown>;
  const mode = p.mode;
  if (mode !== 'server' && mode !== 'direct' && mode !== 'matriochka') {
    throw new LocalApiError('bad-request', 'policy.mode is "server", "direct" or "matriochka"', { field: 'policy.mode' });
  }
  return { mode, relays: optionalStrings(p, 'relays') ?? [] };
}

function withCard(result: CardResult): InvitationView {
  return { contact: result.contact, card: cardView(result.card!) };
}

export function agentRoutes(host: AgentHost): Route[] {
  return [
    { method: 'GET', path: /^\/v1\/agent$/, run: () => host.state() },
    { method: 'POST', path: /^\/v1\/agent\/init$/, status: 201, run: ({ body }) => host.init(requireString(body, 'password')) },
    { method: 'POST', path: /^\/v1\/agent\/unlock$/, run: ({ body }) => host.unlock(requireString(body, 'password')) },
    { method: 'POST', path: /^\/v1\/agent\/hidden$/, run: ({ body }) => host.createHidden(requireString(body, 'password')) },
    { method: 'POST', path: /^\/v1\/agent\/lock$/, run: () => host.lock() },
    { method: 'GET', path: /^\/v1\/identity$/, run: () => host.unlocked().identity() },
    {
      method: 'POST', path: /^\/v1\/invitations$/, status: 201,
      run: async ({ body }) => {
        const hidden = optionalBoolean(body, 'hidden');
        const relays = optionalStrings(body, 'relays');
        return withCard(await host.unlocked().createInvitation(requireString(body, 'name'), { ...(hidden !== undefined ? { hidden } : {}), ...(relays ? { relays } : {}) }));
      },
    },
    {
      method: 'POST', path: /^\/v1\/cards\/import$/,
      run: async ({ body }): Promise<ImportCardResponse> => {
        const name = optionalString(body, 'name');
        const hidden = optionalBoolean(body, 'hidden');
        const relays = optionalStrings(body, 'relays');
        const r = await host.unlocked().importCard(cardBytes(requireString(body, 'card')), {
          ...(name !== undefined ? { name } : {}), ...(hidden !== undefined ? { hidden } : {}), ...(relays ? { relays } : {}),
        });
        return { contact: r.contact, ...(r.card ? { answer: cardView(r.card) } : {}) };
      },
    },
    { method: 'GET', path: /^\/v1\/contacts$/, run: () => ({ contacts: host.unlocked().contacts() }) },
    { method: 'GET', path: /^\/v1\/contacts\/([0-9a-f]+)$/, run: ({ params }) => host.unlocked().contact(params[0]!) },
    {
      method: 'PATCH', path: /^\/v1\/contacts\/([0-9a-f]+)$/,
      run: ({ params, body }) => {
        const name = optionalString(body, 'name');
        const policy = (body as Record<string, unknown>).policy;
        return host.unlocked().updateContact(params[0]!, { ...(name !== undefined ? { name } : {}), ...(policy !== undefined ? { policy: policyOf(policy) } : {}) });
      },
    },
    { method: 'GET', path: /^\/v1\/contacts\/([0-9a-f]+)\/card$/, run: ({ params }) => cardView(host.unlocked().card(params[0]!)) },
    {
      method: 'GET', path: /^\/v1\/contacts\/([0-9a-f]+)\/messages$/,
      run: ({ params, query }) => {
        const before = query.get('before');
        const limit = query.get('limit');
        return { messages: host.unlocked().history(params[0]!, { ...(before ? { before: Number(before) } : {}), ...(limit ? { limit: Math.min(500, Number(limit)) } : {}) }) };
      },
    },
    { method: 'GET', path: /^\/v1\/contacts\/([0-9a-f]+)\/draft$/, run: ({ params }) => ({ text: host.unlocked().draft(params[0]!) }) },
    {
      method: 'PUT', path: /^\/v1\/contacts\/([0-9a-f]+)\/draft$/,
      run: async ({ params, body }) => {
        const text = requireString(body, 'text', true);
        await host.unlocked().setDraft(params[0]!, text);
        return { text };
      },
    },
    {
      method: 'POST', path: /^\/v1\/contacts\/([0-9a-f]+)\/read$/,
      run: async ({ params }) => {
        await host.unlocked().markRead(params[0]!);
        return host.unlocked().contact(params[0]!);
      },
    },
    {
      method: 'POST', path: /^\/v1\/messages$/, status: 201,
      run: ({ body }) => host.unlocked().send(requireString(body, 'contactId'), requireString(body, 'text')),
    },
    { method: 'GET', path: /^\/v1\/messages\/([0-9a-f]+)\/([0-9a-f]+)$/, run: ({ params }) => host.unlocked().message(params[0]!, params[1]!) },
  ];
}
