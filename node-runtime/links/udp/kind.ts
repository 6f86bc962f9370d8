/** The `udp` link kind: UDP on an isolated Wi-Fi LAN, neighbours listed or found by mDNS (_meow._udp). */
import { toHex } from '../../../protocol/codec/bytes.ts';
import { check, int, str, type JsonObject } from '../config-fields.ts';
import type { LinkKindEntry } from '../link-kind.ts';
import { MdnsDiscovery } from './mdns-discovery.ts';
import { bindUdpLink } from './udp-link.ts';

export interface UdpLinkConfig {
  readonly type: 'udp';
  readonly port: number;
  readonly bindAddress: string;
  /** Static neighbours "host:port" (a broadcast address works too). */
  readonly peers: readonly string[];
  /** Find neighbours on the LAN by mDNS (_meow._udp). */
  readonly mdns: boolean;
}

export const udpLinkKind: LinkKindEntry<UdpLinkConfig> = {
  type: 'udp',
  fields: ['type', 'port', 'bindAddress', 'peers', 'mdns'],
  defaults: { type: 'udp', port: 6369, bindAddress: '0.0.0.0', peers: [], mdns: true },

  parse(entry: JsonObject, field: string): UdpLinkConfig {
    const m = { ...udpLinkKind.defaults, ...entry };
    check(Array.isArray(m.peers) && m.peers.every((p) => typeof p === 'string'), `${field}.peers`, 'a list of "host:port" strings');
    check(typeof m.mdns === 'boolean', `${field}.mdns`, 'true or false');
    return { type: 'udp', port: int(m.port, `${field}.port`, 0, 65535), bindAddress: str(m.bindAddress, `${field}.bindAddress`), peers: m.peers, mdns: m.mdns };
  },

  async open(config, deps) {
    const link = await bindUdpLink({ random: deps.random, port: config.port, bindAddress: config.bindAddress, peers: config.peers });
    let discovery: MdnsDiscovery | undefined;
    if (config.mdns) {
      discovery = new MdnsDiscovery(link, {
        nodeId: toHex(deps.nodeId), clock: deps.clock,
        onEvent: (e) => deps.log[e.type === 'mdns-error' ? 'warn' : 'info']('mdns', { ...e }),
      });
    }
    return { link, stop: async () => discovery?.stop() };
  },
};
