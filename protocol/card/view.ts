/** A card as plain JSON-able data, for `meow card show` and `meow inspect`. Public keys only. */
import { toHex } from '../codec/bytes.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { keyFingerprint } from '../keys/fingerprint.ts';
import { type Card, CARD_VERSION } from './types.ts';

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
    servers: card.servers.map((s) => s.url),
    signature: toHex(card.signature),
    bytes: card.bytes.length,
  };
}
