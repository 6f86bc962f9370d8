/**
 * A relay that does not answer (issue 8 audit: `meow directory browse` with
 * the relay stopped said "the node could not do this (see its log)", a 500;
 * `meow broadcast list` showed "connect ECONNREFUSED"): the social routes of
 * the local API, in-process, over a relay port whose every call fails as
 * the relay client does when nothing listens.
 */
import { describe, expect, it } from 'vitest';
import { RelayTransportError } from '../../gateway/client/errors.ts';
import type { RelaySocialPort, SocialEnv } from '../../agent/social/ports.ts';
import { newSocialState } from '../../agent/social/social-state.ts';
import { LocalApiError } from '../../apps/meow-node/local-api/errors.ts';
import { type SocialHost, socialRoutes } from '../../apps/meow-node/local-api/social-routes.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';

const env: SocialEnv = { suite: createNodeSuite(), random: new SeededRandom('relay-down'), clock: { now: () => 1_800_000_000_000 } };
const down = (): Promise<never> => Promise.reject(new RelayTransportError('connect ECONNREFUSED 127.0.0.1:8470'));
const relay: RelaySocialPort = {
  url: 'http://127.0.0.1:8470', relaySigning: down, postBroadcast: down, listBroadcasts: down,
  publishEntry: down, withdrawEntry: down, searchEntries: down, randomEntries: down,
};
const state = newSocialState(env);
const host = {
  env, state: () => state, save: async () => {}, relays: () => [relay], servers: () => [],
  node: { deliver: async () => {}, meshBroadcast: async () => {} },
} as unknown as SocialHost;
const routes = socialRoutes(host);

function run(method: string, path: string, body: unknown = {}): Promise<unknown> {
  const route = routes.find((r) => r.method === method && r.path.test(path))!;
  return Promise.resolve(route.run({ params: [], body, query: new URLSearchParams() }));
}

describe('social routes with the relay down', () => {
  it('refuses a directory request as relay-unreachable, in words', async () => {
    const error = await run('GET', '/v1/directory').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalApiError);
    expect(error).toMatchObject({ code: 'relay-unreachable', message: 'the relay does not answer: nothing answers at 127.0.0.1:8470 (is it running?)' });
  });

  it('lists broadcasts with the relay\'s failure in words', async () => {
    const listed = await run('GET', '/v1/broadcasts') as { relays: unknown[] };
    expect(listed.relays).toEqual([{ url: 'http://127.0.0.1:8470', error: 'nothing answers at 127.0.0.1:8470 (is it running?)' }]);
  });

  it('sends a broadcast and says in words which relay did not take it', async () => {
    const sent = await run('POST', '/v1/broadcasts', { text: 'flood' }) as { relays: unknown[] };
    expect(sent.relays).toEqual([{ url: 'http://127.0.0.1:8470', ok: false, error: 'nothing answers at 127.0.0.1:8470 (is it running?)' }]);
  });
});
