/** Warnings about the relays written on a card: credentials in clear, a relay that does not answer, no relay key fingerprint. */
import type { Card } from '../../protocol/card/types.ts';
import type { CliIo } from './io.ts';

/**
 * A card someone gave me whose relays carry no key fingerprint (`#k=`): made before fingerprints,
 * or by an author who did not pin the key (protocol/card/view.ts cardWarnings lists them). Said in
 * plain words, once per relay, on stderr: the card still works.
 */
export function warnAboutUnpinnedRelays(io: CliIo, card: Pick<Card, 'servers'>): void {
  for (const s of card.servers) {
    if (s.scheme === 'mesh' || s.scheme === 'serial' || s.keyFingerprint !== undefined) continue;
    const url = URL.canParse(s.url) ? new URL(s.url) : undefined;
    const name = url ? `${url.protocol}//${url.host}` : s.url;
    io.stderr.write(`meow: warning: this card names the relay ${name} without its key fingerprint (#k=...), `
      + 'so the first key that relay shows will be trusted: someone on the network path could pose as it. '
      + 'Ask for a card made with the URL that meow-relay prints with its #k= fingerprint\n');
  }
}

/**
 * Cards carry their server URLs as written, `user:pass@` included (whitepaper 3.1: the card is all a
 * contact gets). Say so when making one, without repeating the password.
 */
export function warnAboutCredentials(io: CliIo, servers: readonly string[]): void {
  for (const server of servers) {
    const url = URL.canParse(server) ? new URL(server) : undefined;
    if (url && (url.username !== '' || url.password !== '')) {
      io.stderr.write(`meow: warning: the card carries the user name and password for ${url.host} in the clear: `
        + 'whoever sees the card, its file or its QR code can use them on that relay\n');
    }
  }
}

/** How long the CLI waits for a relay named on a card before saying it is unreachable. */
const RELAY_PROBE_MS = 3000;

/**
 * A relay on a card that does not answer now is most often a typo in its URL: say so while the card
 * can still be remade. Only http(s) relays are probed (GET /v1/descriptor); the card is made anyway.
 */
export async function warnAboutUnreachableRelays(io: CliIo, relays: readonly string[]): Promise<void> {
  for (const relay of relays) {
    const url = URL.canParse(relay) ? new URL(relay) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
    const reachable = await fetch(`${url.origin}/v1/descriptor`, { signal: AbortSignal.timeout(RELAY_PROBE_MS) })
      .then((r) => r.ok, () => false);
    if (!reachable) {
      io.stderr.write(`meow: warning: the relay ${url.host} does not answer now (${url.origin}/v1/descriptor): `
        + 'check its URL; messages through it wait until it answers\n');
    }
  }
}
