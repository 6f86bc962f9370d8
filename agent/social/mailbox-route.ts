/**
 * Group mailboxes and the mesh: which servers my own group mailbox names,
 * and where the node sends a copy for a member's. Both follow a 1:1
 * contact's card: my node by its Ed25519 key when the node port knows it
 * (agent.ts myServers), and a member's node handed to the submission as
 * meshNodeOf gives it (agent/policy.ts routeFor). With the key the copy
 * carries an authenticated origin however many hops away the member's node
 * is, and only that node can acknowledge it (docs/PROTOCOL.md
 * "Authenticated source"); with the id alone, only to a neighbour.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import { meshNodeOf, parseServerUrl } from '../../protocol/card/server-url.ts';
import { MAX_MAILBOX_SERVERS, type MailboxAddress } from './control-mailbox.ts';

/** What a node port says of its node (seams/node-port.ts NodePort). */
export interface MeshNodeNames {
  readonly meshNodeId?: Uint8Array;
  readonly meshNodeKey?: Uint8Array;
}

/** The route of one group copy, for a node submission (seams/node-port.ts SubmitRequest). */
export interface GroupCopyRoute {
  /** The member's node: its 32-byte key when the mailbox names it so, else its 8-byte id. */
  readonly meshNode?: Uint8Array;
  /** The member's relays in mailbox order, as text (`#k=` kept: the relay client pins it). */
  readonly relays: readonly string[];
}

/** The servers of a group mailbox of mine: this node (by key when known, else by id), then my relays, two at most. */
export function myGroupMailboxServers(node: MeshNodeNames, relays: readonly string[]): string[] {
  const mesh = node.meshNodeKey ?? node.meshNodeId;
  return [...(mesh ? [`mesh://${toHex(mesh)}`] : []), ...relays].slice(0, MAX_MAILBOX_SERVERS);
}

/** Where a copy for the mailbox `to` goes: its first mesh entry's node, and every other server as a relay. */
export function groupCopyRoute(to: MailboxAddress): GroupCopyRoute {
  let meshNode: Uint8Array | undefined;
  const relays: string[] = [];
  for (const text of to.servers) {
    const parsed = parseServerUrl(text);
    if (parsed.ok && parsed.value.scheme === 'mesh') meshNode ??= meshNodeOf(parsed.value);
    // A mesh entry that does not parse (kept from before version 2 checked them) is no relay either.
    else if (!text.startsWith('mesh:')) relays.push(text);
  }
  return { ...(meshNode ? { meshNode } : {}), relays };
}
