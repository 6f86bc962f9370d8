/**
 * Neighbour discovery for the UDP link by multicast DNS (RFC 6762) and
 * DNS-SD (RFC 6763), service type `_meow._udp`, with the pure-JS
 * `bonjour-service` (over multicast-dns).
 *
 * Why bonjour-service and not the design card's `mdns` package (measured,
 * DESIGN.md section 6; docs/ARCHITECTURE.md section links): `mdns` builds
 * only against Avahi's compatibility library, throws on advertise/browse
 * without a running avahi-daemon and dbus, and its default resolver crashed
 * Node 20. bonjour-service needs no daemon and no native build, so it runs
 * in CI, and it binds 0.0.0.0:5353 with SO_REUSEADDR, as avahi-daemon does,
 * so both share the port on a stock Raspberry Pi OS.
 *
 * What we publish: instance `meow-<node id prefix>-<link id prefix>`, SRV
 * port = the UDP link's port, TXT { v: "1", node: <node id hex>, port }.
 * Never a user identity: the node id names the relay box, not its users.
 */
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import { LinkConfigError } from '../errors.ts';
import type { UdpLink } from './udp-link.ts';

export const meowServiceType = 'meow';
export const meowServiceProtocol = 'udp';
/** How often to ask the LAN again and expire records past their TTL. */
export const mdnsDefaultRequeryIntervalMs = 60_000;
/** Longest stop() waits for the goodbye to be sent and the socket to close. */
export const mdnsStopTimeoutMs = 2_000;

export type MdnsDiscoveryEvent =
  | { type: 'peer-up'; name: string; host: string; port: number; nodeId: string }
  | { type: 'peer-down'; name: string; host: string; port: number }
  | { type: 'ignored'; name: string; reason: string }
  | { type: 'mdns-error'; reason: string };

export interface MdnsDiscoveryOptions {
  /** This node's id, hex (2 to 64 digits): published in TXT, used to skip our own record. */
  nodeId: string;
  clock: Clock;
  /** IPv4 address of the interface to send mDNS on (default: the system's choice, all interfaces joined). */
  interfaceAddress?: string;
  requeryIntervalMs?: number;
  onEvent?: (event: MdnsDiscoveryEvent) => void;
}

const nodeIdPattern = /^[0-9a-f]{2,64}$/;
const ipv4Pattern = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Picks the address to reach a discovered service: where its answer came
 * from if IPv4, else its first IPv4 A record. The source comes first because
 * A records are looked up by host name, and boards often share one
 * ("raspberrypi.local"), so the records of several hosts can mix.
 */
export function chooseIpv4Address(service: Pick<Service, 'referer' | 'addresses'>): string | undefined {
  const referer = service.referer;
  if (referer && referer.family === 'IPv4' && ipv4Pattern.test(referer.address)) return referer.address;
  return service.addresses?.find((a) => ipv4Pattern.test(a));
}

export class MdnsDiscovery {
  readonly instanceName: string;
  private readonly bonjour: Bonjour;
  private readonly browser: Browser;
  private readonly published: Service;
  private readonly known = new Map<string, { host: string; port: number }>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly link: UdpLink, private readonly options: MdnsDiscoveryOptions) {
    if (!nodeIdPattern.test(options.nodeId)) throw new LinkConfigError('mdns discovery: nodeId must be 2 to 64 lower-case hex digits');
    this.instanceName = `meow-${options.nodeId.slice(0, 16)}-${link.senderIdHex.slice(0, 8)}`;
    // These options go through to multicast-dns (bonjour-service types them as service defaults):
    // send on that interface, but bind 0.0.0.0, or multicast to 224.0.0.251 would not be received.
    const mdnsOptions = (options.interfaceAddress ? { interface: options.interfaceAddress, bind: '0.0.0.0' } : {}) as ConstructorParameters<typeof Bonjour>[0];
    // The callback replaces bonjour-service's default, which throws (and so would crash the daemon).
    this.bonjour = new Bonjour(mdnsOptions, (err: Error) => this.emit({ type: 'mdns-error', reason: err.message }));
    // multicast-dns emits 'error' on EADDRINUSE / EACCES; unheard, an 'error' event would crash the process.
    const server = (this.bonjour as unknown as { server?: { mdns?: { on(e: string, f: (err: Error) => void): void } } }).server;
    server?.mdns?.on('error', (err) => this.emit({ type: 'mdns-error', reason: err.message }));
    server?.mdns?.on('warning', () => undefined);
    this.published = this.bonjour.publish({
      name: this.instanceName,
      type: meowServiceType,
      protocol: meowServiceProtocol,
      port: link.port,
      txt: { v: '1', node: options.nodeId, port: String(link.port) },
      disableIPv6: true,
    });
    this.published.on('error', (err: Error) => this.emit({ type: 'mdns-error', reason: err.message }));
    this.browser = this.bonjour.find({ type: meowServiceType, protocol: meowServiceProtocol });
    this.browser.on('up', (service) => this.onUp(service));
    this.browser.on('srv-update', (service) => { this.onDown(service); this.onUp(service); });
    this.browser.on('down', (service) => this.onDown(service));
    this.scheduleRequery();
    link.onClose(() => this.stop());
  }

  /** Names of the services currently used as peers. */
  peers(): string[] {
    return [...this.known.keys()];
  }

  /** Says goodbye on the LAN (TTL 0 records) and releases port 5353. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.browser.stop();
    // Bounded: a broken socket must not hold up the daemon's shutdown.
    await this.withinMs(mdnsStopTimeoutMs, new Promise<void>((resolve) => this.bonjour.unpublishAll(() => resolve())));
    await this.withinMs(mdnsStopTimeoutMs, new Promise<void>((resolve) => this.bonjour.destroy(() => resolve())));
    for (const { host, port } of this.known.values()) this.link.removePeer(host, port);
    this.known.clear();
  }

  private scheduleRequery(): void {
    const intervalMs = this.options.requeryIntervalMs ?? mdnsDefaultRequeryIntervalMs;
    this.timer = this.options.clock.setTimer(intervalMs, () => {
      if (this.stopped) return;
      this.browser.expire();
      this.browser.update();
      this.scheduleRequery();
    });
  }

  private onUp(service: Service): void {
    if (this.stopped) return;
    const name = service.name;
    if (name === this.instanceName) return; // our own record
    const txt = (service.txt ?? {}) as Record<string, unknown>;
    const nodeId = typeof txt.node === 'string' ? txt.node : '';
    if (!nodeIdPattern.test(nodeId)) {
      this.emit({ type: 'ignored', name, reason: 'TXT has no valid node id' });
      return;
    }
    if (txt.port !== undefined && String(txt.port) !== String(service.port)) {
      this.emit({ type: 'ignored', name, reason: 'TXT port differs from SRV port' });
      return;
    }
    const host = chooseIpv4Address(service);
    if (!host || !Number.isInteger(service.port) || service.port < 1 || service.port > 65_535) {
      this.emit({ type: 'ignored', name, reason: 'no IPv4 address or bad port' });
      return;
    }
    const added = this.link.addPeer({ host, port: service.port, source: 'mdns', nodeId });
    if (!added) {
      this.emit({ type: 'ignored', name, reason: 'already a peer, or the peer table is full' });
      return;
    }
    this.known.set(name, { host, port: service.port });
    this.emit({ type: 'peer-up', name, host, port: service.port, nodeId });
  }

  private onDown(service: Service): void {
    const entry = this.known.get(service.name);
    if (!entry) return;
    this.known.delete(service.name);
    this.link.removePeer(entry.host, entry.port);
    this.emit({ type: 'peer-down', name: service.name, host: entry.host, port: entry.port });
  }

  private withinMs(timeoutMs: number, work: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.options.clock.setTimer(timeoutMs, resolve);
      void work.then(() => {
        timer.cancel();
        resolve();
      });
    });
  }

  private emit(event: MdnsDiscoveryEvent): void {
    this.options.onEvent?.(event);
  }
}
