/**
 * Per-contact privacy policy (whitepaper 1.2.4): which of the contact's
 * servers my messages go through, in which order.
 *  - 'direct': over the mesh/LAN to the node hosting the contact's mailbox
 *    (its card's `mesh://` entry), with the contact's relays as fallback;
 *  - 'server': only through the listed relays, in that order;
 *  - 'matriochka' (onion routing) is not built: refused, never downgraded.
 */
import { fromHex } from '../protocol/codec/bytes.ts';
import type { ServerUrl } from '../protocol/card/server-url.ts';
import type { ContactPolicy } from '../seams/local-api.ts';
import { AgentCoreError } from './errors.ts';

export interface Route {
  readonly meshNode?: Uint8Array;
  readonly relays: readonly string[];
}

/** The policy a new contact starts with: direct when the contact is on a mesh, its relays in card order. */
export function defaultPolicy(servers: readonly ServerUrl[]): ContactPolicy {
  const relays = servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url);
  return { mode: servers.some((s) => s.scheme === 'mesh') ? 'direct' : 'server', relays };
}

/** Refuses what cannot be honoured: onion mode, and relays the contact does not read (its card does not list them). */
export function checkPolicy(policy: ContactPolicy, servers: readonly ServerUrl[]): ContactPolicy {
  if (policy.mode === 'matriochka') {
    throw new AgentCoreError('policy-unsupported', 'the matriochka (onion) mode is not built yet: refused rather than sent less privately');
  }
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
  const mesh = policy.mode === 'direct' ? servers.find((s) => s.scheme === 'mesh') : undefined;
  const meshNode = mesh ? fromHex(mesh.url.slice('mesh://'.length)) : undefined;
  if (!meshNode && policy.relays.length === 0) {
    throw new AgentCoreError('policy-unsupported', 'no route: the contact is on no mesh node this policy allows and no relay is chosen');
  }
  return { ...(meshNode ? { meshNode } : {}), relays: policy.relays };
}
