/**
 * Per-contact privacy policy (whitepaper 1.2.4): which of the contact's
 * servers my messages go through, in which order.
 *  - 'direct': over the mesh/LAN to the node hosting the contact's mailbox
 *    (its card's `mesh://` entry), with the contact's relays as fallback;
 *  - 'server': only through the listed relays, in that order;
 *  - 'matriochka' (onion routing, whitepaper 1.2.2): `relays` are MY trusted
 *    relays, one of them the first hop; the chain ends at the contact's
 *    relay (its card) and the middles are drawn per message by the node
 *    (agent/onion-send.ts). Never downgraded: no mesh, no plain deposit.
 */
import { meshNodeOf, type ServerUrl } from '../protocol/card/server-url.ts';
import type { ContactPolicy } from '../seams/local-api.ts';
import { AgentCoreError } from './errors.ts';

export interface Route {
  /** The contact's mesh node: its 32-byte key when the card carries it (the message then gets an authenticated origin), else its 8-byte id. */
  readonly meshNode?: Uint8Array;
  /** Relays to deposit on; for an onion, the contact's relays the chain may end at. */
  readonly relays: readonly string[];
  /** Matriochka: my trusted relays, the first hop drawn among them. */
  readonly onionTrusted?: readonly string[];
}

/** The policy a new contact starts with: direct when the contact is on a mesh, its relays in card order. */
export function defaultPolicy(servers: readonly ServerUrl[]): ContactPolicy {
  const relays = servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url);
  return { mode: servers.some((s) => s.scheme === 'mesh') ? 'direct' : 'server', relays };
}

function checkMatriochka(policy: ContactPolicy, servers: readonly ServerUrl[]): ContactPolicy {
  if (policy.relays.length === 0) {
    throw new AgentCoreError('bad-request', 'the matriochka mode needs at least one trusted relay of mine as the first hop');
  }
  for (const relay of policy.relays) {
    if (!URL.canParse(relay) || relay.startsWith('mesh:')) throw new AgentCoreError('bad-request', `${relay} is not a relay URL`, { relay });
  }
  if (!servers.some((s) => s.scheme !== 'mesh')) {
    throw new AgentCoreError('policy-unsupported', 'the contact\'s card lists no relay: a matriochka chain ends at the relay holding its mailbox');
  }
  return { mode: 'matriochka', relays: [...policy.relays] };
}

/** Refuses what cannot be honoured: relays the contact does not read (its card does not list them), an onion with nowhere to end. */
export function checkPolicy(policy: ContactPolicy, servers: readonly ServerUrl[]): ContactPolicy {
  if (policy.mode === 'matriochka') return checkMatriochka(policy, servers);
  if (policy.mode !== 'direct' && policy.mode !== 'server') throw new AgentCoreError('bad-request', `unknown policy mode "${String(policy.mode)}"`);
  const known = new Set(servers.map((s) => s.url));
  for (const relay of policy.relays) {
    if (!known.has(relay)) throw new AgentCoreError('bad-request', `the contact's card does not list ${relay}: its mailbox is not there`, { relay });
  }
  if (policy.mode === 'server' && policy.relays.length === 0) throw new AgentCoreError('bad-request', 'the server mode needs at least one relay');
  return { mode: policy.mode, relays: [...policy.relays] };
}

export function routeFor(policy: ContactPolicy, servers: readonly ServerUrl[]): Route {
  checkPolicy(policy, servers);
  if (policy.mode === 'matriochka') {
    return { relays: servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url), onionTrusted: policy.relays };
  }
  const mesh = policy.mode === 'direct' ? servers.find((s) => s.scheme === 'mesh') : undefined;
  const meshNode = mesh ? meshNodeOf(mesh) : undefined;
  if (!meshNode && policy.relays.length === 0) {
    throw new AgentCoreError('policy-unsupported', 'no route: the contact is on no mesh node this policy allows and no relay is chosen');
  }
  return { ...(meshNode ? { meshNode } : {}), relays: policy.relays };
}
