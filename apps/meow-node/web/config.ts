/**
 * The `web` section of the node's config: whether the node serves the
 * browser client, and where. Off by default; on, it listens on the loopback
 * unless the operator names another address (the Wi-Fi access point's, or
 * 0.0.0.0), because serving people on a network is the operator's choice.
 * Beyond the loopback it is announced by mDNS as `<mdnsName>.local`
 * (default `meow-` and 8 hex digits of the node id; false: not announced).
 */
import { check, int, isObject, onlyKnown, type JsonObject } from '../../../node-runtime/links/config-fields.ts';

export interface WebConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** The mDNS host name label phones type (without `.local`); undefined: made from the node id; false: none. */
  readonly mdnsName?: string | false;
  /**
   * Serve HTTPS with the operator's certificate (PEM files): for a name a
   * public CA certified (docs/WEB.md, "Secure context"); absent: plain HTTP.
   */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export const DEFAULT_WEB_CONFIG: WebConfig = { enabled: false, host: '127.0.0.1', port: 8480 };
/** One DNS label (RFC 1035), lower case: what every phone's resolver accepts. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function parseWebConfig(raw: unknown): WebConfig {
  check(isObject(raw), 'web', 'an object');
  const o = raw as JsonObject;
  onlyKnown(o, 'web', [...Object.keys(DEFAULT_WEB_CONFIG), 'mdnsName', 'tls']);
  const merged = { ...DEFAULT_WEB_CONFIG, ...o };
  check(typeof merged.enabled === 'boolean', 'web.enabled', 'true or false');
  check(typeof merged.host === 'string' && merged.host.length > 0, 'web.host', 'an address to listen on (0.0.0.0 for every network)');
  const name = o.mdnsName;
  check(name === undefined || name === false || (typeof name === 'string' && LABEL.test(name)), 'web.mdnsName',
    'a host name label (a-z, 0-9 and -, up to 63) or false');
  const tls = o.tls as JsonObject | undefined;
  if (tls !== undefined) {
    check(isObject(tls), 'web.tls', 'an object { "cert": "FILE", "key": "FILE" }');
    onlyKnown(tls, 'web.tls', ['cert', 'key']);
    for (const k of ['cert', 'key']) check(typeof tls[k] === 'string' && (tls[k] as string).length > 0, `web.tls.${k}`, 'the path of a PEM file');
  }
  return {
    enabled: merged.enabled as boolean, host: merged.host as string, port: int(merged.port, 'web.port', 0, 65535),
    ...(name !== undefined ? { mdnsName: name as string | false } : {}),
    ...(tls !== undefined ? { tls: { cert: tls.cert as string, key: tls.key as string } } : {}),
  };
}
