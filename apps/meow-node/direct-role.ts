/**
 * The node's direct endpoint (config `direct`, docs/PROTOCOL.md "Presence
 * and direct messaging"): where contacts who read this node's presence send
 * envelopes straight to it, and the sender to theirs.
 *
 *   "direct": { "host": "192.168.1.20", "port": 6371, "advertise": "udp://192.168.1.20:6371" }
 *
 * `advertise` is the address put in presence (what contacts will send to);
 * it defaults to udp://host:port, and is required when the endpoint binds
 * an unspecified address (0.0.0.0, ::), which no contact can send to.
 * Absent: no endpoint, no presence published, every message by mesh or relay.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Logger } from '../../seams/logger.ts';
import { check, int, isObject, onlyKnown, str, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { formatDirectAddress, parseDirectAddress } from '../../node-runtime/direct/address.ts';
import { DEFAULT_DIRECT_BUDGET, type DirectAcceptOutcome, type DirectEndpoint, startDirectEndpoint } from '../../node-runtime/direct/endpoint.ts';
import { sendDirectEnvelope } from '../../node-runtime/direct/sender.ts';

export interface DirectConfig {
  readonly host: string;
  readonly port: number;
  readonly advertise?: string;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function parseDirectConfig(raw: unknown): DirectConfig {
  check(isObject(raw), 'direct', 'an object { host, port, advertise? }');
  const o = raw as JsonObject;
  onlyKnown(o, 'direct', ['host', 'port', 'advertise']);
  const host = str(o.host, 'direct.host');
  const port = int(o.port, 'direct.port', 0, 65535);
  if (o.advertise !== undefined) {
    const advertise = str(o.advertise, 'direct.advertise');
    let ok = true;
    try {
      parseDirectAddress(advertise);
    } catch {
      ok = false;
    }
    check(ok, 'direct.advertise', 'udp://ip:port');
    return { host, port, advertise };
  }
  check(!UNSPECIFIED.has(host), 'direct.advertise', 'the address contacts reach (udp://ip:port) when direct.host is unspecified');
  return { host, port };
}

export interface DirectRole {
  readonly address: string;
  readonly endpoint: DirectEndpoint;
  send(address: string, envelope: Uint8Array): Promise<unknown>;
  close(): Promise<void>;
}

export async function startDirectRole(
  config: DirectConfig | undefined,
  deps: { suite: CryptoSuite; clock: Clock; log: Logger; accept: (envelope: Uint8Array) => DirectAcceptOutcome },
): Promise<DirectRole | undefined> {
  if (!config) return undefined;
  const endpoint = await startDirectEndpoint(deps, { host: config.host, port: config.port, ...DEFAULT_DIRECT_BUDGET });
  const address = config.advertise ?? formatDirectAddress(config.host, endpoint.port);
  deps.log.info('direct endpoint', { port: endpoint.port });
  return {
    address,
    endpoint,
    send: (to, envelope) => sendDirectEnvelope(deps, to, envelope),
    close: () => endpoint.close(),
  };
}
