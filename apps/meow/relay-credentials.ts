/** The warning a card's relay credentials deserve (cards carry URLs as written). */
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
