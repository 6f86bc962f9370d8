/**
 * Every link kind a node can open from its configuration, one row each. A
 * new kind is a folder exporting a LinkKindEntry (link-kind.ts) and a row
 * here; the daemon's configuration (apps/meow-node/config.ts) and link
 * builder (apps/meow-node/build-links.ts) know kinds only through this list.
 * The simulated radio (sim-radio/) is not here: it needs a simulated
 * medium, which only the simulator and tests hold.
 */
import type { LinkKindEntry } from './link-kind.ts';
import { kissLinkKind } from './kiss/kind.ts';
import { loraLinkKind } from './lora/kind.ts';
import { loraJumpersLinkKind } from './lora-jumpers/kind.ts';
import { rnodeLinkKind } from './rnode/kind.ts';
import { serialLinkKind } from './serial/kind.ts';
import { udpLinkKind } from './udp/kind.ts';

export const linkKinds = [udpLinkKind, serialLinkKind, loraLinkKind, kissLinkKind, rnodeLinkKind, loraJumpersLinkKind] as const satisfies readonly LinkKindEntry[];

/** A validated entry of the `links` list, of any registered kind. */
export type LinkConfig = ReturnType<(typeof linkKinds)[number]['parse']>;

/** The entry of kind `type`, if one is registered. */
export function findLinkKind(type: unknown): LinkKindEntry | undefined {
  return linkKinds.find((kind) => kind.type === type) as LinkKindEntry | undefined;
}
