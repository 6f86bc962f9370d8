/**
 * The local API of the social features (docs/API.md, "Groups, broadcasts,
 * directory, introductions"): each route checks its body, makes one call on
 * agent/social and saves the state, and turns a SocialError into a refusal.
 * The host (the node's agent host) supplies the ports; see SocialHost.
 */
import { RelayError } from '../../../protocol/server/errors.ts';
import { RelayTransportError } from '../../../gateway/client/errors.ts';
import { inWords } from '../../start-errors.ts';
import type { RelayClient } from '../../../gateway/client/relay-client.ts';
import { pollRelayBroadcasts, sendBroadcast, trustBroadcaster, pruneBroadcasts, myBroadcastKey } from '../../../agent/social/broadcasts.ts';
import { browseDirectory, contactEntry, publishEntry, randomEntry, withdrawEntry } from '../../../agent/social/directory.ts';
import { SocialError } from '../../../agent/social/errors.ts';
import { createGroup, findGroup, groupView, inviteToGroup, joinGroup, leaveGroup, removeMember, sendGroupText } from '../../../agent/social/groups.ts';
import { acceptIntroduction, introduce, refuseIntroduction } from '../../../agent/social/introductions.ts';
import type { CardPort, ContactChannel, RelaySocialPort, SocialEnv, SocialNodePort } from '../../../agent/social/ports.ts';
import type { SocialState } from '../../../agent/social/social-state.ts';
import { LocalApiError } from './errors.ts';
import { optionalString, requireString } from './fields.ts';
import type { Route, RouteContext } from './router.ts';

export interface SocialHost {
  readonly env: SocialEnv;
  /** The unlocked agent's social state (throws the core's `locked` error when there is none). */
  state(): SocialState;
  /** Writes the state into the vault; resolves once on disk. */
  save(): Promise<void>;
  readonly channel: ContactChannel;
  readonly cards: CardPort;
  readonly node: SocialNodePort;
  /** Resolves a contact name or id typed by the user to the core's contact id (unknown-contact otherwise). */
  contactId(nameOrId: string): string;
  /** The relays the user chose, first is the default. */
  relays(): readonly RelaySocialPort[];
  /** My servers, written into group mailboxes I make. */
  servers(): readonly string[];
  /**
   * Drops my answer card into the mailbox the invitation names, sealed to its
   * Ekp (agent/social/answer-drop.ts); resolves once durably queued.
   */
  deliverAnswer(invite: Uint8Array, answer: Uint8Array): Promise<void>;
}

/** Adapts the relay client to the port the agent uses; stamp difficulties are the relay's (docs/PROTOCOL.md). */
export function relaySocialPort(client: RelayClient, url: string, stamps = { broadcastBits: 22, directoryBits: 18 }): RelaySocialPort {
  const signing = async (): Promise<Uint8Array> => {
    try {
      return client.serverKey.signing;
    } catch {
      return (await client.connect()).server.signing;
    }
  };
  return {
    url,
    relaySigning: signing,
    postBroadcast: async (seed, text) => {
      await signing();
      await client.postBroadcast(seed, text, stamps.broadcastBits);
    },
    listBroadcasts: async (sinceSeq) => {
      await signing();
      // The client drops records that fail their signature; the agent checks the rest again before keeping any.
      return (await client.listBroadcasts(sinceSeq)).map((it) => ({ seq: it.seq, record: it.broadcast.bytes }));
    },
    publishEntry: async (seed, entry) => {
      await signing();
      await client.publishEntry(seed, entry, stamps.directoryBits);
    },
    withdrawEntry: async (seed) => {
      await signing();
      await client.withdrawEntry(seed);
    },
    searchEntries: async (query) => {
      await signing();
      return (await client.searchEntries(query)).map((e) => e.bytes);
    },
    randomEntries: async (count) => {
      await signing();
      return (await client.randomEntries(count)).map((e) => e.bytes);
    },
  };
}

const NOT_FOUND = new Set(['unknown-group', 'unknown-member', 'unknown-intro', 'unknown-entry', 'unknown-contact', 'not-published']);

function pickRelay(host: SocialHost, body: unknown): RelaySocialPort {
  const url = optionalString(body, 'relay');
  const relays = host.relays();
  const relay = url === undefined ? relays[0] : relays.find((r) => r.url === url);
  if (!relay) throw new SocialError('no-relay', url === undefined ? 'no relay is configured (meow policy, or the node\'s relays)' : `${url} is not one of your relays`);
  return relay;
}

function seconds(body: unknown, field: string): number | undefined {
  const v = (body as Record<string, unknown>)[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new LocalApiError('bad-request', `"${field}" must be a whole number of seconds`, { field });
  return v;
}

/** Runs one social call and saves; a SocialError becomes a clear refusal, a relay's refusal a bad gateway. */
function route(host: SocialHost, method: Route['method'], path: RegExp, run: (ctx: RouteContext, s: SocialState) => Promise<unknown> | unknown): Route {
  return {
    method, path,
    run: async (ctx) => {
      try {
        const result = await run(ctx, host.state());
        await host.save();
        return result;
      } catch (e) {
        if (e instanceof SocialError) throw new LocalApiError(NOT_FOUND.has(e.code) ? 'not-found' : 'bad-request', e.message, e.fields);
        if (e instanceof RelayError) throw new LocalApiError('bad-request', `the relay refused: ${e.message}`, { relayCode: e.code });
        // A relay that does not answer is no bug of the node's (it was a 500 "internal").
        if (e instanceof RelayTransportError) throw new LocalApiError('relay-unreachable', `the relay does not answer: ${inWords(e.message)}`);
        throw e;
      }
    },
  };
}

export function socialRoutes(host: SocialHost): Route[] {
  const env = host.env;
  return [
    route(host, 'GET', /^\/v1\/groups$/, (_c, s) => ({ groups: s.groups.groups.map(groupView), invitations: s.groups.invitations })),
    route(host, 'POST', /^\/v1\/groups$/, (c, s) => groupView(createGroup(env, s.groups, requireString(c.body, 'name'), optionalString(c.body, 'myName') ?? 'me', host.servers()))),
    route(host, 'POST', /^\/v1\/groups\/([0-9a-f]{32})\/invite$/, async (c, s) => {
      const contact = requireString(c.body, 'contact');
      await inviteToGroup(findGroup(s.groups, c.params[0]!), host.channel, host.contactId(contact), optionalString(c.body, 'name') ?? contact);
      return { invited: contact };
    }),
    route(host, 'POST', /^\/v1\/groups\/([0-9a-f]{32})\/join$/, async (c, s) => groupView(await joinGroup(env, s.groups, host.channel, c.params[0]!, host.servers()))),
    route(host, 'POST', /^\/v1\/groups\/([0-9a-f]{32})\/remove$/, async (c, s) => {
      const g = findGroup(s.groups, c.params[0]!);
      await removeMember(env, g, host.channel, requireString(c.body, 'member'));
      return groupView(g);
    }),
    route(host, 'POST', /^\/v1\/groups\/([0-9a-f]{32})\/leave$/, async (c, s) => {
      await leaveGroup(findGroup(s.groups, c.params[0]!), host.channel);
      return { left: c.params[0] };
    }),
    route(host, 'POST', /^\/v1\/groups\/([0-9a-f]{32})\/messages$/, async (c, s) => ({
      copies: await sendGroupText(env, findGroup(s.groups, c.params[0]!), host.node, requireString(c.body, 'text')),
    })),
    route(host, 'GET', /^\/v1\/broadcasts$/, async (_c, s) => {
      const relays: { url: string; accepted?: number; refused?: number; error?: string }[] = [];
      for (const r of host.relays()) {
        try {
          relays.push({ url: r.url, ...(await pollRelayBroadcasts(env, s.broadcasts, r)) });
        } catch (e) {
          relays.push({ url: r.url, error: inWords((e as Error).message) });
        }
      }
      pruneBroadcasts(env, s.broadcasts);
      return { myKey: Buffer.from(myBroadcastKey(env, s.broadcasts)).toString('hex'), broadcasts: s.broadcasts.received, relays };
    }),
    route(host, 'POST', /^\/v1\/broadcasts$/, async (c, s) => {
      const ttl = seconds(c.body, 'ttlSeconds');
      const sent = await sendBroadcast(env, s.broadcasts, { node: host.node, relays: host.relays() }, requireString(c.body, 'text'), ttl === undefined ? undefined : ttl * 1000);
      return { ...sent, relays: sent.relays.map((r) => (r.error === undefined ? r : { ...r, error: inWords(r.error) })) };
    }),
    route(host, 'POST', /^\/v1\/broadcasts\/trust$/, (c, s) => {
      trustBroadcaster(s.broadcasts, requireString(c.body, 'key'), optionalString(c.body, 'name') ?? 'trusted');
      return { trusted: s.broadcasts.trusted };
    }),
    route(host, 'GET', /^\/v1\/directory$/, async (c, s) => ({ entries: await browseDirectory(env, s.directory, pickRelay(host, {}), c.query.get('query') ?? ''), published: s.directory.published.map(({ entrySeed: _secret, ...view }) => view) })),
    route(host, 'POST', /^\/v1\/directory\/publish$/, async (c, s) => {
      const { entrySeed: _secret, ...view } = await publishEntry(env, s.directory, pickRelay(host, c.body), host.cards, requireString(c.body, 'description'), seconds(c.body, 'ttlSeconds'));
      return view;
    }),
    route(host, 'POST', /^\/v1\/directory\/withdraw$/, async (c, s) => {
      await withdrawEntry(s.directory, pickRelay(host, c.body), host.cards);
      return { withdrawn: true };
    }),
    route(host, 'POST', /^\/v1\/directory\/random$/, async (c, s) => ({ entry: (await randomEntry(env, s.directory, pickRelay(host, c.body))) ?? null })),
    route(host, 'POST', /^\/v1\/directory\/contact$/, (c, s) => contactEntry(s.directory, host.cards, requireString(c.body, 'entry'), (invite, answer) => host.deliverAnswer(invite, answer))),
    route(host, 'GET', /^\/v1\/introductions$/, (_c, s) => s.introductions),
    route(host, 'POST', /^\/v1\/introductions$/, async (c, s) => {
      const a = requireString(c.body, 'a');
      const b = requireString(c.body, 'b');
      return introduce(env, s.introductions, host.channel, { contactId: host.contactId(a), name: optionalString(c.body, 'aName') ?? a },
        { contactId: host.contactId(b), name: optionalString(c.body, 'bName') ?? b });
    }),
    route(host, 'POST', /^\/v1\/introductions\/([0-9a-f]{32})\/accept$/, (c, s) => acceptIntroduction(s.introductions, host.channel, host.cards, c.params[0]!)),
    route(host, 'POST', /^\/v1\/introductions\/([0-9a-f]{32})\/refuse$/, async (c, s) => {
      await refuseIntroduction(s.introductions, host.channel, c.params[0]!);
      return { refused: c.params[0] };
    }),
  ];
}
