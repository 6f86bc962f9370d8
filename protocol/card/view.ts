/** A card as plain JSON-able data, for `meow card show` and `meow inspect`. Public keys only. */
import { toHex } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { keyFingerprint } from '../keys/fingerprint.ts';
import { serverUrlText } from './server-url.ts';
import { type Card, CARD_VERSION } from './types.ts';

/**
 * One line per relay entry that carries no key fingerprint (cards made
 * before fingerprints, or by someone who did not pin): such a card is
 * accepted, but its client trusts the first key that relay shows, so on
 * http, udp or mqtt anyone on the path could pose as it (issue 9 item 4).
 */
export function cardWarnings(card: Pick<Card, 'servers'>): string[] {
  return card.servers
    .filter((s) => s.scheme !== 'mesh' && s.scheme !== 'serial' && s.keyFingerprint === undefined)
    .map((s) => `${s.url}: no relay key fingerprint in this card; the first key this relay shows will be trusted`);
}

export interface CardView {
  readonly type: 'meow-card';
  readonly version: number;
  readonly kind: Card['kind'];
  readonly contactKey: { readonly signing: string; readonly agreement: string };
  readonly fingerprint: string;
  readonly encryptionKey: string;
  readonly mailboxId: string;
  readonly inviteHash?: string;
  readonly servers: readonly string[];
  /** What a person should know before trusting the card (printed by `meow card`): servers without a pinned relay key. */
  readonly warnings: readonly string[];
  readonly signature: string;
  readonly bytes: number;
}

export function cardView(suite: CryptoSuite, card: Card): CardView {
  return {
    type: 'meow-card',
    version: CARD_VERSION,
    kind: card.kind,
    contactKey: { signing: toHex(card.contactKey.signing), agreement: toHex(card.contactKey.agreement) },
    fingerprint: keyFingerprint(suite, card.contactKey),
    encryptionKey: toHex(card.encryptionKey),
    mailboxId: toHex(card.mailboxId),
    ...(card.kind === 'answer' ? { inviteHash: toHex(card.inviteHash) } : {}),
    servers: card.servers.map(serverUrlText),
    warnings: cardWarnings(card),
    signature: toHex(card.signature),
    bytes: card.bytes.length,
  };
}
