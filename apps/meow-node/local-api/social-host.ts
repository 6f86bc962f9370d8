/**
 * The SocialHost of the daemon (social-routes.ts): the node-hosted agent's
 * social bridge (agent/social-bridge.ts) plus what only the node has.
 *
 *  - Group copies go through the node's durable outbox (node-port.ts submit)
 *    to the member's group mailbox: its `mesh://` node over the mesh (by key
 *    when the mailbox names it so: an authenticated origin beyond one hop),
 *    else its relay, under the mailbox tag of the mailbox's Lkp
 *    (agent/social/mailbox-route.ts). My own group mailboxes name this node
 *    by its key.
 *  - What arrives: a group copy deposited by a relay (fetched with the group
 *    mailbox's Lkp) or by this node itself comes through the port's watched
 *    tags; one sent over the mesh is stored by delivery.ts under its group
 *    tag and heard live through the router's deliveries, and, when the agent
 *    was locked, through the group tag watched at the next unlock. Mesh
 *    broadcasts (kept under BROADCAST_TAG) arrive the same two ways.
 *  - Mesh broadcasts leave through the router's flood (one frame, no ack).
 *  - The answer to a directory entry's invitation is dropped into the
 *    invitation's mailbox (agent/social/answer-drop.ts) through the same
 *    outbox: its `mesh://` node first, then its relays.
 *
 * A group copy handled is released (deleted from the node); broadcasts are
 * kept for the node's other agents. Duplicates are refused by the group
 * replay windows and the broadcast ids (agent/social).
 */
import { decodeCard } from '../../../protocol/card/decode.ts';
import { meshNodeOf } from '../../../protocol/card/server-url.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { envelopeId } from '../../../protocol/envelope/envelope-id.ts';
import { lookupKeyPairFromSecret } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { mailboxTag } from '../../../protocol/session/key-schedule.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { WatchedMailbox } from '../../../seams/node-port.ts';
import type { Agent } from '../../../agent/agent.ts';
import { createSocialBridge, type SocialBridge } from '../../../agent/social-bridge.ts';
import { groupMailboxSecrets } from '../../../agent/social/groups.ts';
import { sealAnswerDrop } from '../../../agent/social/answer-drop.ts';
import { SocialError } from '../../../agent/social/errors.ts';
import { epochTag } from '../../../agent/social/group-state.ts';
import type { MailboxAddress } from '../../../agent/social/control.ts';
import { groupCopyRoute, myGroupMailboxServers } from '../../../agent/social/mailbox-route.ts';
import type { RelaySocialPort, SocialEnv, SocialNodePort } from '../../../agent/social/ports.ts';
import { handleSocialEnvelope } from '../../../agent/social/social-state.ts';
import type { RelayClient } from '../../../gateway/client/relay-client.ts';
import { connectRelay } from '../../../gateway/client/connect.ts';
import { BROADCAST_TAG, TRUSTED_BROADCAST_TAG } from '../delivery.ts';
import type { AgentHost } from './agent-host.ts';
import type { InProcessNodePort } from './node-port.ts';
import { relaySocialPort, type SocialHost } from './social-routes.ts';
import { LocalApiError } from './errors.ts';

/** How long the outbox keeps trying a group copy (a member's node may be off for a while). */
const GROUP_COPY_TTL_MS = 3 * 24 * 3_600_000;
const MESH_SCHEME = 'mesh://';

export interface NodeSocialDeps {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly log: Logger;
  readonly port: InProcessNodePort;
  /** The router's flood and deliveries (node-runtime/router). */
  readonly mesh: {
    broadcast(envelope: Uint8Array): void;
    onDeliver(handler: (envelope: Uint8Array, meta: { readonly broadcast: boolean }) => void): void;
  };
  /** The relays the user's group mailboxes, broadcasts and directory use; the first is the default. */
  readonly relays: readonly string[];
  /** Opens a relay client that knows the relay's key (connectRelay by default). */
  readonly connect?: (url: string) => Promise<RelayClient>;
  /** The broadcasters the node's config trusts (apps/meow-node/broadcast-config.ts): shown without the user trusting them. */
  readonly broadcasters?: readonly { readonly key: string; readonly name: string }[];
}

export interface NodeSocialHost extends SocialHost {
  /** AgentOptions.onOpen: attaches the social features to an agent as it opens. */
  opened(agent: Agent): void;
  /** Drops the bridge when the agent locks. */
  attach(agents: AgentHost): void;
}

/** A relay port that connects on first use and again after a transport failure. */
function lazyRelay(url: string, connect: (url: string) => Promise<RelayClient>): RelaySocialPort {
  let port: Promise<RelaySocialPort> | undefined;
  const get = (): Promise<RelaySocialPort> => {
    port ??= connect(url).then((client) => relaySocialPort(client, url));
    port.catch(() => (port = undefined));
    return port;
  };
  return {
    url,
    relaySigning: async () => (await get()).relaySigning(),
    postBroadcast: async (seed, text) => (await get()).postBroadcast(seed, text),
    listBroadcasts: async (since) => (await get()).listBroadcasts(since),
    publishEntry: async (seed, entry) => (await get()).publishEntry(seed, entry),
    withdrawEntry: async (seed) => (await get()).withdrawEntry(seed),
    searchEntries: async (query) => (await get()).searchEntries(query),
    randomEntries: async (count) => (await get()).randomEntries(count),
  };
}

export function createNodeSocialHost(deps: NodeSocialDeps): NodeSocialHost {
  const { suite, port, log } = deps;
  const env: SocialEnv = { suite, random: deps.random, clock: deps.clock };
  const connect = deps.connect ?? ((url: string) => connectRelay(url, { suite, random: deps.random, clock: deps.clock }));
  const relayPorts = deps.relays.map((url) => lazyRelay(url, connect));
  let current: { agent: Agent; bridge: SocialBridge } | undefined;
  let agents: AgentHost | undefined;

  const bridge = (): SocialBridge => {
    const agent = agents?.unlocked();
    if (!current || current.agent !== agent) throw new LocalApiError('locked', 'the agent is locked: run `meow unlock` first');
    return current.bridge;
  };

  /** The group mailboxes (by mailbox tag, fetched from relays with their Lkp), the epoch tags and the broadcast tags. */
  const watch = (): void => {
    if (!current) {
      port.watchFor('social', []);
      return;
    }
    const state = current.bridge.state();
    const list: WatchedMailbox[] = [{ tag: BROADCAST_TAG }, { tag: TRUSTED_BROADCAST_TAG }];
    for (const m of groupMailboxSecrets(state.groups)) {
      const lookup = lookupKeyPairFromSecret(suite, m.lookupSecret);
      const relays = m.servers.filter((s) => !s.startsWith(MESH_SCHEME));
      list.push({ tag: mailboxTag(suite, lookup.publicKey), lookupSecret: lookup.secretKey, relays });
    }
    for (const g of state.groups.groups) if (g.status === 'active') list.push({ tag: epochTag(suite, g) });
    port.watchFor('social', list);
  };

  const receive = async (envelope: Uint8Array, release?: () => void): Promise<void> => {
    if (!current) return;
    const result = handleSocialEnvelope(env, current.bridge.state(), envelope, deps.broadcasters);
    if (!result) return;
    if (result.result.ok) await current.bridge.save();
    log.debug('social envelope', { kind: result.kind, outcome: result.result.ok ? 'kept' : result.result.code });
    if (result.kind === 'group') release?.();
  };

  port.onEnvelope((a) => receive(a.envelope, () => port.release(a.tag, a.id)));
  deps.mesh.onDeliver((envelope, meta) => {
    // delivery.ts stored a group copy under its group tag (6 bytes after the kind byte, protocol/envelope/group.ts).
    const groupTag = envelope.subarray(1, 7);
    const release = meta.broadcast ? undefined : () => port.release(groupTag, envelopeId(suite, envelope));
    void receive(envelope, release).catch((e: unknown) => log.warn('social envelope failed', { error: (e as Error).message }));
  });

  const node: SocialNodePort = {
    async deliver(to: MailboxAddress, envelope: Uint8Array): Promise<void> {
      const route = groupCopyRoute(to);
      await port.submit({
        tag: mailboxTag(suite, to.lookupKey), envelope, relays: route.relays, ttlMs: GROUP_COPY_TTL_MS,
        ...(route.meshNode ? { meshNode: route.meshNode } : {}),
      });
    },
    async meshBroadcast(envelope: Uint8Array): Promise<void> {
      deps.mesh.broadcast(envelope);
    },
  };

  /** Seals the answer to the invitation's Ekp and queues it durably for the invitation's mailbox. */
  const deliverAnswer = async (inviteBytes: Uint8Array, answer: Uint8Array): Promise<void> => {
    const invite = decodeCard(suite, inviteBytes);
    if (!invite.ok || invite.value.kind !== 'invite') throw new SocialError('bad-argument', 'the entry carries no valid invitation card');
    const mesh = invite.value.servers.find((s) => s.scheme === 'mesh');
    await port.submit({
      tag: mailboxTagOf(suite, invite.value.mailboxId), envelope: sealAnswerDrop(suite, deps.random, invite.value, answer),
      relays: invite.value.servers.filter((s) => s.scheme !== 'mesh').map((s) => s.url), ttlMs: GROUP_COPY_TTL_MS,
      // The invitation's node by key when its card carries it: the answer then goes with an authenticated origin.
      ...(mesh ? { meshNode: meshNodeOf(mesh) } : {}),
    });
  };

  return {
    env, node, deliverAnswer,
    get channel() {
      return bridge().channel;
    },
    get cards() {
      return bridge().cards;
    },
    state: () => bridge().state(),
    async save() {
      await bridge().save();
      watch();
    },
    contactId: (nameOrId) => bridge().contactId(nameOrId),
    relays: () => relayPorts,
    // Group mailboxes hold two servers at most (agent/social/control.ts): this node by its key, then the first relay.
    servers: () => myGroupMailboxServers(port, deps.relays),
    opened(agent: Agent): void {
      current?.bridge.close();
      const made = createSocialBridge(agent, env, {
        relays: () => deps.relays,
        report: (contactId, outcome) => {
          log.debug('social control', { contactId, outcome });
          watch();
        },
        relayFor: (url) => relayPorts.find((r) => r.url === url),
      });
      current = { agent, bridge: made };
      watch();
    },
    attach(host: AgentHost): void {
      agents = host;
      host.onLock(() => {
        current?.bridge.close();
        current = undefined;
        watch();
      });
    },
  };
}
