/**
 * The node's direct endpoint (config `direct`, docs/PROTOCOL.md "Presence
 * and direct messaging"): where contacts who read this node's presence send
 * envelopes straight to it, and the sender to theirs.
 *
 *   "direct": { "host": "192.168.1.20", "port": 6371, "advertise": "udp://192.168.1.20:6371" }
 *
 * `advertise` is the address put in presence (what contacts will send to);
 * it defaults to udp://host:port, and is required when the endpoint binds
 * an unspecified address (0.0.0.0, ::), which no contact can send to,
 * unless `reflector` names a relay's address reflector
 * (`meow-relay --reflect-port`): behind a NAT, the node then asks it which
 * public address its endpoint has (at start and every 10 minutes) and
 * advertises that, punches towards its contacts' addresses, and sends from
 * the endpoint's socket, the one the punches opened (docs/PROTOCOL.md,
 * "Hole punching").
 * Absent: no endpoint, no presence published, every message by mesh or relay.
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { Logger } from '../../seams/logger.ts';
import { check, int, isObject, onlyKnown, str, type JsonObject } from '../../node-runtime/links/config-fields.ts';
import { formatDirectAddress, parseDirectAddress } from '../../node-runtime/direct/address.ts';
import { DEFAULT_DIRECT_BUDGET, type DirectAcceptOutcome, type DirectEndpoint, startDirectEndpoint } from '../../node-runtime/direct/endpoint.ts';
import { sendDirectEnvelope } from '../../node-runtime/direct/sender.ts';

export interface DirectConfig {
  readonly host: string;
  readonly port: number;
  readonly advertise?: string;
  readonly reflector?: string;
}

const OBSERVE_EVERY_MS = 10 * 60_000;
const OBSERVE_TIMEOUT_MS = 3_000;
const PUNCHES = 3;
const PUNCH_EVERY_MS = 200;

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function parseDirectConfig(raw: unknown): DirectConfig {
  check(isObject(raw), 'direct', 'an object { host, port, advertise? }');
  const o = raw as JsonObject;
  onlyKnown(o, 'direct', ['host', 'port', 'advertise', 'reflector']);
  const host = str(o.host, 'direct.host');
  const port = int(o.port, 'direct.port', 0, 65535);
  const reflector = o.reflector === undefined ? undefined : str(o.reflector, 'direct.reflector');
  if (reflector !== undefined) check(isDirectAddress(reflector), 'direct.reflector', 'udp://ip:port of a relay\'s address reflector');
  if (o.advertise !== undefined) {
    const advertise = str(o.advertise, 'direct.advertise');
    check(isDirectAddress(advertise), 'direct.advertise', 'udp://ip:port');
    return { host, port, advertise, ...(reflector ? { reflector } : {}) };
  }
  check(!UNSPECIFIED.has(host) || reflector !== undefined, 'direct.advertise', 'the address contacts reach (udp://ip:port) when direct.host is unspecified');
  return { host, port, ...(reflector ? { reflector } : {}) };
}

function isDirectAddress(text: string): boolean {
  try {
    parseDirectAddress(text);
    return true;
  } catch {
    return false;
  }
}

export interface DirectRole {
  /** The address to advertise now (the reflector's last observation, when there is one); none before a bound-everywhere endpoint is observed. */
  address(): string | undefined;
  readonly endpoint: DirectEndpoint;
  send(address: string, envelope: Uint8Array): Promise<unknown>;
  /** Opens this node's NAT towards a contact's address (only with a reflector: without one there is no NAT to open). */
  punch?(address: string): void;
  close(): Promise<void>;
}

export async function startDirectRole(
  config: DirectConfig | undefined,
  deps: { suite: CryptoSuite; clock: Clock; random: RandomSource; log: Logger; accept: (envelope: Uint8Array) => DirectAcceptOutcome },
): Promise<DirectRole | undefined> {
  if (!config) return undefined;
  const endpoint = await startDirectEndpoint(deps, { host: config.host, port: config.port, ...DEFAULT_DIRECT_BUDGET });
  // 0.0.0.0 is no address a contact can use: until the reflector answers, nothing is advertised.
  let address = config.advertise ?? (UNSPECIFIED.has(config.host) ? undefined : formatDirectAddress(config.host, endpoint.port));
  deps.log.info('direct endpoint', { port: endpoint.port });
  const reflector = config.reflector;
  if (!reflector) {
    return { address: () => address, endpoint, send: (to, envelope) => sendDirectEnvelope(deps, to, envelope), close: () => endpoint.close() };
  }
  let closed = false;
  let timer: TimerHandle | undefined;
  const observe = async (): Promise<void> => {
    try {
      address = await endpoint.observe(reflector, deps.random.bytes(16), OBSERVE_TIMEOUT_MS);
    } catch (e) {
      // Keep the last address: contacts may still reach it, and the relays carry what they cannot.
      deps.log.warn('the address reflector did not answer', { error: (e as Error).message });
    }
    if (!closed) timer = deps.clock.setTimer(OBSERVE_EVERY_MS, () => void observe());
  };
  await observe();
  return {
    address: () => address,
    endpoint,
    send: (to, envelope) => endpoint.sendEnvelope(to, envelope),
    punch: (to) => void endpoint.punch(to, deps.random.bytes(16), PUNCHES, PUNCH_EVERY_MS).catch(() => undefined),
    close: async () => {
      closed = true;
      timer?.cancel();
      await endpoint.close();
    },
  };
}
