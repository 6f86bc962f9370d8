/**
 * Builds the local API of a running node: the token, the node-hosted agent
 * and the route table, as one request handler for status-server.ts.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { PasswordKdf } from '../../../agent/vault/password-kdf.ts';
import type { AgentOptions } from '../../../agent/agent.ts';
import type { InProcessNodePort } from './node-port.ts';
import { AgentHost } from './agent-host.ts';
import { agentRoutes } from './agent-routes.ts';
import { envelopeRoutes } from './envelope-routes.ts';
import { createLocalApiHandler, type Route } from './router.ts';
import { loadOrCreateApiToken } from './token.ts';
import { createNodeSocialHost, type NodeSocialDeps } from './social-host.ts';
import { socialRoutes } from './social-routes.ts';
import { type RememberedUnlock, unlockRemembered } from './remembered-unlock.ts';

export interface LocalApiDeps {
  readonly dataDir: string;
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly log: Logger;
  readonly port: InProcessNodePort;
  readonly kdf: PasswordKdf;
  /** The port the server listens on (known once it listens): the Host check needs it. */
  readonly listenPort: () => number;
  readonly agentOptions?: Partial<AgentOptions>;
  /** More routes (the social engineer's apps/meow-node/local-api/social-routes.ts). */
  readonly extraRoutes?: readonly Route[];
  /** Groups, broadcasts, directory, introductions (social-host.ts): the router's flood and the user's relays. */
  readonly social?: Pick<NodeSocialDeps, 'mesh' | 'relays' | 'broadcasters'>;
}

export interface LocalApi {
  readonly host: AgentHost;
  /** Settles once the password saved with `--remember`, if any, was tried at start (remembered-unlock.ts). */
  readonly started: Promise<RememberedUnlock>;
  readonly handler: ReturnType<typeof createLocalApiHandler>;
  stop(): void;
}

export function createLocalApi(deps: LocalApiDeps): LocalApi {
  const token = loadOrCreateApiToken(deps.dataDir, deps.random);
  const social = deps.social && createNodeSocialHost({ ...deps, ...deps.social });
  const agentOptions = social ? { ...deps.agentOptions, onOpen: social.opened } : deps.agentOptions;
  const host = new AgentHost({
    dataDir: deps.dataDir, suite: deps.suite, random: deps.random, clock: deps.clock, node: deps.port, kdf: deps.kdf,
    ...(agentOptions ? { agentOptions } : {}),
  });
  social?.attach(host);
  const routes = [...agentRoutes(host), ...envelopeRoutes(deps.port, deps.suite), ...(social ? socialRoutes(social) : []), ...(deps.extraRoutes ?? [])];
  const handler = createLocalApiHandler({
    port: deps.listenPort, token, routes, events: (send) => host.events(send), log: deps.log, now: () => deps.clock.now(),
  });
  const started = unlockRemembered(host, deps.dataDir, deps.log);
  return { host, handler, started, stop: () => host.lock() };
}
