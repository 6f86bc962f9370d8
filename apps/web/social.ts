/**
 * Groups and emergency broadcasts in the page, with the same portable code
 * as the CLI's node-hosted agent (agent/social-bridge.ts, agent/social/):
 * the state lives in the vault, control messages travel in the 1:1
 * conversations, and what reaches the node is sealed envelopes only.
 *
 *  - A group copy for a member goes to that member's group mailbox through
 *    the node's envelope API: its `mesh://` node (this node files it under
 *    the mailbox's tag; another node under the group's epoch tag), by key
 *    when the mailbox names it so (an authenticated origin beyond one hop),
 *    else its relays (agent/social/mailbox-route.ts). My group mailboxes
 *    name this node by its key when the node gave it (GET /status).
 *  - What arrives: a copy for my group mailbox (my own tag, released once
 *    handled), one filed under a group's epoch tag by a node that received
 *    it over the mesh, and the broadcasts the node keeps under its two
 *    broadcast tags (both read without owning them: other browsers read
 *    them too, and the node lets them expire).
 *  - My broadcasts are flooded by the node (POST /api/broadcasts) and
 *    posted to the node's relays, signed here (relay-port.ts).
 *
 * The "free for chat" directory and relay broadcasts go through the node's
 * relays (relay-port.ts): the page talks to its node only. My own cards
 * name this node only (mesh://), since the node fetches nothing from a
 * relay for a browser: an answer to my directory entry comes to this node.
 */
import type { Agent } from '../../agent/agent.ts';
import { createSocialBridge, type SocialBridge } from '../../agent/social-bridge.ts';
import { groupMailboxSecrets } from '../../agent/social/groups.ts';
import { epochTag } from '../../agent/social/group-state.ts';
import type { MailboxAddress } from '../../agent/social/control.ts';
import { groupCopyRoute, myGroupMailboxServers } from '../../agent/social/mailbox-route.ts';
import { sealAnswerDrop } from '../../agent/social/answer-drop.ts';
import { SocialError } from '../../agent/social/errors.ts';
import { decodeCard } from '../../protocol/card/decode.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import type { SocialEnv, SocialNodePort } from '../../agent/social/ports.ts';
import { handleSocialEnvelope } from '../../agent/social/social-state.ts';
import { meshNodeOf } from '../../protocol/card/server-url.ts';
import { lookupKeyPairFromSecret } from '../../protocol/keys/keys.ts';
import { mailboxTag } from '../../protocol/session/key-schedule.ts';
import type { WebPort } from './web-port.ts';
import type { WebRelays } from './relay-port.ts';

/** The node's broadcast mailboxes (apps/meow-node/delivery.ts): any author, and authors the operator trusts. */
const BROADCAST_TAGS = [new Uint8Array(6).fill(0xff), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)];
/** Mesh mailboxes are filed under the 6-byte tag an envelope carries (a prefix of the relay's 16). */
const MESH_TAG_BYTES = 6;
/** How long the node keeps trying a group copy (a member's phone may be away for a while). */
const GROUP_COPY_TTL_MS = 3 * 24 * 3_600_000;

export interface WebSocial {
  readonly env: SocialEnv;
  readonly bridge: SocialBridge;
  readonly node: SocialNodePort;
  /** The node's relays, for the directory and broadcasts. */
  readonly relays: WebRelays;
  /** My servers for a group mailbox: this node, by its key when the node gave it, else by its id. */
  servers(): string[];
  /**
   * Drops my answer card into the mailbox of a directory entry's invitation,
   * sealed to its Ekp (agent/social/answer-drop.ts): its mesh node, else its relays.
   */
  deliverAnswer(invite: Uint8Array, answer: Uint8Array): Promise<void>;
  /** Saves the state and watches the mailboxes it now names. */
  save(): Promise<void>;
  /** Called after anything changed (a control message, a group message, a broadcast). */
  onChange(listener: () => void): void;
}

export function attachSocial(agent: Agent, port: WebPort, env: SocialEnv, relays: WebRelays): WebSocial {
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const l of listeners) l();
  };
  let watch = (): void => undefined;
  const bridge = createSocialBridge(agent, env, {
    relays: () => [],
    report: () => {
      watch();
      changed();
    },
    // My directory entry was answered: the bridge withdraws it from the relay it was published on.
    relayFor: (url) => relays.port(url),
  });
  watch = (): void => {
    const state = bridge.state();
    const own = groupMailboxSecrets(state.groups)
      .map((m) => mailboxTag(env.suite, lookupKeyPairFromSecret(env.suite, m.lookupSecret).publicKey).slice(0, MESH_TAG_BYTES));
    const epochs = state.groups.groups.filter((g) => g.status === 'active').map((g) => epochTag(env.suite, g));
    port.watchSocial(own, [...BROADCAST_TAGS, ...epochs]);
  };

  port.onSocialEnvelope(async (a) => {
    const result = handleSocialEnvelope(env, bridge.state(), a.envelope);
    if (result?.result.ok) await bridge.save();
    // A copy in my own group mailbox is handled (kept, or refused as forged or replayed): the node may drop it.
    port.release(a.tag, a.id);
    if (result?.result.ok) changed();
  });

  const node: SocialNodePort = {
    async deliver(to: MailboxAddress, envelope: Uint8Array): Promise<void> {
      const route = groupCopyRoute(to);
      await port.submit({
        tag: mailboxTag(env.suite, to.lookupKey), envelope, relays: route.relays, ttlMs: GROUP_COPY_TTL_MS,
        ...(route.meshNode ? { meshNode: route.meshNode } : {}),
      });
    },
    meshBroadcast: (envelope) => port.broadcast(envelope),
  };

  const deliverAnswer = async (inviteBytes: Uint8Array, answer: Uint8Array): Promise<void> => {
    const invite = decodeCard(env.suite, inviteBytes);
    if (!invite.ok || invite.value.kind !== 'invite') throw new SocialError('bad-argument', 'the entry carries no valid invitation card');
    const mesh = invite.value.servers.find((s) => s.scheme === 'mesh');
    await port.submit({
      tag: mailboxTagOf(env.suite, invite.value.mailboxId), envelope: sealAnswerDrop(env.suite, env.random, invite.value, answer),
      relays: invite.value.servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url), ttlMs: GROUP_COPY_TTL_MS,
      // The invitation's node by key when its card carries it: the answer then goes with an authenticated origin.
      ...(mesh ? { meshNode: meshNodeOf(mesh)! } : {}),
    });
  };

  watch();
  return {
    env, bridge, node, relays, deliverAnswer,
    // This node only (the page fetches nothing from relays): by its key when known, else by id.
    servers: () => myGroupMailboxServers(port, []),
    async save() {
      await bridge.save();
      watch();
      changed();
    },
    onChange(listener) {
      listeners.add(listener);
    },
  };
}
