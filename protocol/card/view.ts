/** A card as plain JSON-able data, for `meow card show` and `meow inspect`. Public keys only. */
import { toHex } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { keyFingerprint } from '../keys/fingerprint.ts';
import { meshEntryHasKey, serverUrlText } from './server-url.ts';
import { type Card, CARD_VERSION } from './types.ts';

/**
 * One line per relay entry that carries no key fingerprint (cards made
 * before fingerprints, or by someone who did not pin): such a card is
 * accepted, but its client trusts the first key that relay shows, so on
 * http, udp or mqtt anyone on the path could pose as it (issue 9 item 4).
 * And one per mesh entry that names its node by id only (cards made before
 * node keys): a first message to that node farther than one hop goes
 * without an authenticated origin, so any node could acknowledge it.
 */
export function cardWarnings(card: Pick<Card, 'servers'>): string[] {
  return card.servers.flatMap((s) => {
    if (s.scheme === 'mesh') {
      return meshEntryHasKey(s) ? [] : [`${s.url}: only the node id in this card, not its key; a first message to this node cannot authenticate the node (any node could acknowledge it)`];
    }
    if (s.scheme === 'serial' || s.keyFingerprint !== undefined) return [];
    return [`${s.url}: no relay key fingerprint in this card; the first key this relay shows will be trusted`];
  });
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
  /** What a person should know before trusting the card (printed by `meow card`): servers without a pinned relay key, mesh nodes without their key. */
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
