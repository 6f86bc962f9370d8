/** Warnings about the relays written on a card: credentials in clear, a relay that does not answer. */
import type { CliIo } from './io.ts';

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
