/**
 * The `web` section of the node's config: whether the node serves the
 * browser client, and where. Off by default; on, it listens on the loopback
 * unless the operator names another address (the Wi-Fi access point's, or
 * 0.0.0.0), because serving people on a network is the operator's choice.
 */
import { check, int, isObject, onlyKnown, type JsonObject } from '../../../node-runtime/links/config-fields.ts';

export interface WebConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_WEB_CONFIG: WebConfig = { enabled: false, host: '127.0.0.1', port: 8480 };

export function parseWebConfig(raw: unknown): WebConfig {
  check(isObject(raw), 'web', 'an object');
  const o = raw as JsonObject;
  onlyKnown(o, 'web', Object.keys(DEFAULT_WEB_CONFIG));
  const merged = { ...DEFAULT_WEB_CONFIG, ...o };
  check(typeof merged.enabled === 'boolean', 'web.enabled', 'true or false');
  check(typeof merged.host === 'string' && merged.host.length > 0, 'web.host', 'an address to listen on (0.0.0.0 for every network)');
  return { enabled: merged.enabled as boolean, host: merged.host as string, port: int(merged.port, 'web.port', 0, 65535) };
}
