/**
 * The rate-limit key of a network source (issue 9 item 7). An IPv6 host
 * usually holds a whole /64 (SLAAC, privacy addresses, RFC 8981) and can
 * rotate through 2^64 addresses: keyed per address, it would escape every
 * per-source bucket and cap. So IPv6 sources are keyed by their /64, IPv4
 * ones by address (an IPv4-mapped IPv6 address counts as its IPv4).
 *
 * The cost: every host behind one IPv4 NAT (a campus, a carrier-grade NAT,
 * a whole village on one uplink) shares one key already, and everyone in an
 * IPv6 /64 (one home or one phone) now does too; relays serving such
 * crowds raise `perSource` and the per-source connection cap.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The 16-bit groups of an IPv6 address (zone id dropped), or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  const plain = address.split('%')[0] ?? '';
  if (!isIPv6(plain)) return undefined;
  let text = plain;
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** `address` for IPv4 (and IPv4-mapped IPv6), `prefix::/64` for IPv6, the text itself for anything else (an MQTT client id). */
export function sourceKeyOf(address: string): string {
  if (isIPv4(address)) return address;
  const g = ipv6Groups(address);
  if (!g) return address;
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  if (mapped) return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
