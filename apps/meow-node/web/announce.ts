/**
 * Tells phones on the Wi-Fi where the web client is, by multicast DNS
 * (RFC 6762) with bonjour-service (the UDP link's discovery uses it too,
 * node-runtime/links/udp/mdns-discovery.ts): a host name `<name>.local`
 * answering with this machine's IPv4 addresses, and an `_http._tcp`
 * (`_https._tcp` with TLS) service on the web port. iOS, macOS, Windows 10+ and Android 12+
 * resolve `.local` names, so a phone can type `http://<name>.local:8480`
 * instead of an address that changes with the network.
 *
 * Announced only when the web client listens beyond the loopback (a name
 * for a server nobody else can reach would mislead). The name is chosen by
 * the operator or made from the node id, never from a user.
 */
import { Bonjour } from 'bonjour-service';

/** Longest a stop waits for the goodbye packets. */
const STOP_TIMEOUT_MS = 2_000;

export interface WebAnnouncement {
  /** The announced host name, with `.local`. */
  readonly host: string;
  stop(): Promise<void>;
}

/** The default name: `meow-` and the first 8 hex digits of the node id (a name per node on a shared network). */
export function defaultWebName(nodeIdHex: string): string {
  return `meow-${nodeIdHex.slice(0, 8)}`;
}

/** True when `host` (the address the web server listens on) is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function announceWebClient(name: string, port: number, scheme: 'http' | 'https', onError: (reason: string) => void): WebAnnouncement {
  const host = `${name}.local`;
  // The callback replaces bonjour-service's default, which throws (and would crash the node) on a socket error.
  const bonjour = new Bonjour({}, (err: Error) => onError(err.message));
  const server = (bonjour as unknown as { server?: { mdns?: { on(e: string, f: (err: Error) => void): void } } }).server;
  server?.mdns?.on('error', (err) => onError(err.message));
  const service = bonjour.publish({ name: `Meow web client ${name}`, type: scheme, protocol: 'tcp', port, host, txt: { path: '/' }, probe: false });
  service.on('error', (err: Error) => onError(err.message));
  return {
    host,
    stop: () => new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      bonjour.unpublishAll(() => {
        clearTimeout(timer);
        bonjour.destroy();
        resolve();
      });
    }),
  };
}
