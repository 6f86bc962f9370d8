/**
 * Peer discovery over real multicast DNS (bonjour-service) on this host:
 * two UDP links find each other (and not themselves), carry a frame, and
 * forget each other when one says goodbye. Runs without Avahi.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { LinkConfigError } from '../../node-runtime/links/errors.ts';
import { bindUdpLink, type UdpLink } from '../../node-runtime/links/udp/udp-link.ts';
import { chooseIpv4Address, MdnsDiscovery, type MdnsDiscoveryEvent } from '../../node-runtime/links/udp/mdns-discovery.ts';

async function waitFor(predicate: () => boolean, timeoutMs: number, explain: () => string = () => ''): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms ${explain()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Node ids unique to this process: other test runs on the same LAN must not look like our peers. */
const pidHex = process.pid.toString(16).padStart(8, '0');
const idA = `a1a1${pidHex}`;
const idB = `b2b2${pidHex}`;
const idC = `c3c3${pidHex}`;
const idD = `d4d4${pidHex}`;

describe('mDNS discovery (_meow._udp, bonjour-service)', () => {
  const links: UdpLink[] = [];
  afterEach(async () => {
    for (const l of links.splice(0)) await l.close();
  });

  async function node(label: string, nodeId: string): Promise<{ link: UdpLink; discovery: MdnsDiscovery; events: MdnsDiscoveryEvent[] }> {
    const link = await bindUdpLink({ random: new SeededRandom(`mdns-${label}-${process.pid}`), port: 0 });
    links.push(link);
    const events: MdnsDiscoveryEvent[] = [];
    const discovery = new MdnsDiscovery(link, { nodeId, clock: systemClock, requeryIntervalMs: 1000, onEvent: (e) => events.push(e) });
    return { link, discovery, events };
  }

  it('finds the other node within a few seconds, never itself, and carries a frame to it', async () => {
    const a = await node('a', idA);
    const b = await node('b', idB);
    const started = Date.now();
    await waitFor(
      () => a.link.peers().some((p) => p.port === b.link.port) && b.link.peers().some((p) => p.port === a.link.port),
      8000,
      () => `(events of a: ${JSON.stringify(a.events)}; of b: ${JSON.stringify(b.events)})`,
    );
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeLessThan(8000);
    expect(a.link.peers().filter((p) => p.nodeId === idB)).toHaveLength(1);
    expect(a.link.peers().some((p) => p.port === a.link.port)).toBe(false);
    expect(b.link.peers().some((p) => p.nodeId === idA && p.source === 'mdns')).toBe(true);
    expect(a.events.find((e) => e.type === 'peer-up' && e.nodeId === idB)).toMatchObject({ port: b.link.port });
    const got: string[] = [];
    b.link.onFrame((f) => got.push(new TextDecoder().decode(f.bytes)));
    await a.link.send(utf8('found you'));
    await waitFor(() => got.length > 0, 2000);
    expect(got).toEqual(['found you']);
    expect(a.events.some((e) => e.type === 'mdns-error')).toBe(false);
  });

  it('forgets a node that says goodbye', async () => {
    const a = await node('c', idC);
    const b = await node('d', idD);
    await waitFor(() => a.link.peers().some((p) => p.port === b.link.port), 8000);
    await b.link.close(); // stops discovery first: TTL-0 goodbye records
    await waitFor(() => !a.link.peers().some((p) => p.port === b.link.port), 5000);
    expect(a.events.some((e) => e.type === 'peer-down' && e.port === b.link.port)).toBe(true);
  });

  it('reports mDNS socket errors as events instead of crashing, and the link keeps working', async () => {
    const a = await node('e', `e5e5${pidHex}`);
    const internals = a.discovery as unknown as { bonjour: { server: { mdns: { emit(e: string, err: Error): boolean } } } };
    // What multicast-dns emits when port 5353 cannot be bound (held without SO_REUSEADDR).
    expect(() => internals.bonjour.server.mdns.emit('error', Object.assign(new Error('bind EADDRINUSE 0.0.0.0:5353'), { code: 'EADDRINUSE' }))).not.toThrow();
    expect(a.events).toContainEqual({ type: 'mdns-error', reason: 'bind EADDRINUSE 0.0.0.0:5353' });
    a.link.addPeer({ host: '127.0.0.1', port: 9, source: 'static' });
    await a.link.send(utf8('still sending'));
    expect(a.link.stats().framesSent).toBe(1);
  });

  it('refuses a node id that is not hex', async () => {
    const link = await bindUdpLink({ random: new SeededRandom('bad-id'), bindAddress: '127.0.0.1', port: 0 });
    links.push(link);
    expect(() => new MdnsDiscovery(link, { nodeId: 'Alice <alice@example.org>', clock: systemClock })).toThrow(LinkConfigError);
  });

  it('prefers the IPv4 address an answer came from, then the first IPv4 record', () => {
    expect(chooseIpv4Address({ referer: { address: '10.0.0.7', family: 'IPv4', port: 5353, size: 1 }, addresses: ['10.0.0.8'] })).toBe('10.0.0.7');
    expect(chooseIpv4Address({ referer: { address: 'fe80::1', family: 'IPv6', port: 5353, size: 1 }, addresses: ['fd00::2', '10.0.0.8'] })).toBe('10.0.0.8');
    expect(chooseIpv4Address({ addresses: ['fd00::2'] })).toBeUndefined();
  });
});
