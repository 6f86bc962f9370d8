/**
 * Starts the web client when the config turns it on: builds the bundle
 * (refusing to start over budget), opens the server, prints where phones
 * reach it. main.ts calls this once; it returns undefined when web is off.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import type { Clock } from '../../../seams/clock.ts';
import type { Logger } from '../../../seams/logger.ts';
import type { Store } from '../../../node-runtime/store/index.ts';
import type { InProcessNodePort } from '../local-api/node-port.ts';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { announceWebClient, defaultWebName, isLoopback, type WebAnnouncement } from './announce.ts';
import { buildWebBundle } from './bundle.ts';
import type { WebConfig } from './config.ts';
import { startWebServer, type WebServer } from './server.ts';
import { createWebRelays } from './relay-routes.ts';
import { connectRelay } from '../../../gateway/client/connect.ts';
import type { RelayClient } from '../../../gateway/client/relay-client.ts';

export interface StartWebDeps {
  readonly dataDir: string;
  readonly port: InProcessNodePort;
  readonly store: Store;
  readonly suite: CryptoSuite;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  readonly status: () => unknown;
  /** The router's flood, for the browsers' emergency broadcasts. */
  readonly mesh: { broadcast(envelope: Uint8Array): void };
  /** The node's relays (config gateway.relays), which the browsers' directory and broadcasts go through. */
  readonly relays?: readonly string[];
  /** Opens a relay client (connectRelay by default; tests pass their own). */
  readonly connect?: (url: string) => Promise<RelayClient>;
}

/** The addresses a phone can type: every IPv4 of the machine when listening on all of them. */
export function webUrls(host: string, port: number, scheme = 'http'): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`];
  const v4 = Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal);
  return v4.map((i) => `${scheme}://${i!.address}:${port}`);
}

/** The operator's certificate and key, read once at start; a clear refusal when a file cannot be read. */
function readTls(tls: WebConfig['tls']): { cert: Buffer; key: Buffer } | undefined {
  if (!tls) return undefined;
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`cannot read web.tls.${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
    }
  };
  return { cert: read(tls.cert, 'cert'), key: read(tls.key, 'key') };
}

/** Where phones reach the web client: the mDNS name first (when announced), then each address. */
export interface WebWhere {
  readonly mdnsHost?: string;
  readonly urls: readonly string[];
}

export interface WebClient extends WebServer {
  readonly where: WebWhere;
}

export async function startWebClient(config: WebConfig | undefined, deps: StartWebDeps): Promise<WebClient | undefined> {
  if (!config?.enabled) return undefined;
  const startedAt = deps.clock.now();
  const bundle = await buildWebBundle();
  let where: WebWhere = { urls: [] };
  const tls = readTls(config.tls);
  const scheme = tls ? 'https' : 'http';
  const { suite, random, clock } = deps;
  const relayProxy = deps.relays && deps.relays.length > 0
    ? createWebRelays({ suite, random, clock, relays: deps.relays, connect: deps.connect ?? ((url) => connectRelay(url, { suite, random, clock })) })
    : undefined;
  const server = await startWebServer(config.host, config.port, { ...deps, bundle, where: () => where, ...(tls ? { tls } : {}), ...(relayProxy ? { relayProxy } : {}) });
  let announcement: WebAnnouncement | undefined;
  if (config.mdnsName !== false && !isLoopback(config.host) && deps.port.meshNodeId) {
    const name = config.mdnsName ?? defaultWebName(toHex(deps.port.meshNodeId));
    announcement = announceWebClient(name, server.port, scheme, (reason) => deps.log.warn('web client mDNS', { reason }));
  }
  const addresses = webUrls(config.host, server.port, scheme);
  where = announcement
    ? { mdnsHost: announcement.host, urls: [`${scheme}://${announcement.host}:${server.port}`, ...addresses] }
    : { urls: addresses };
  deps.log.info('web client', { urls: where.urls, gzipBytes: bundle.gzipBytes, buildMs: deps.clock.now() - startedAt });
  process.stdout.write(`meow-node: web client for phones at ${where.urls.join(' ') || `port ${server.port}`} (${Math.round(bundle.gzipBytes / 1024)} KB)\n`);
  return {
    ...server,
    where,
    close: async () => {
      await announcement?.stop();
      await server.close();
    },
  };
}
