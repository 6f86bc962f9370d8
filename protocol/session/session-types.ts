/**
 * The types of the Session API (protocol/session/session.ts): setup input,
 * sealed and opened messages, events and mailboxes.
 */
import type { InnerBody } from '../envelope/inner.ts';
import type { ContactKeyPair, ContactPublicKey, EncryptionKeyPair, LookupKeyPair } from '../keys/keys.ts';
import type { MessageId, SessionOptions } from './state.ts';

/** Everything one side knows when a session starts: its own keys and the peer's card. */
export interface SessionSetup {
  readonly myContact: ContactKeyPair;
  readonly myEncryption: EncryptionKeyPair;
  readonly myLookup: LookupKeyPair;
  readonly theirContact: ContactPublicKey;
  readonly theirEncryption: Uint8Array;
  readonly theirLookup: Uint8Array;
  readonly options?: Partial<SessionOptions>;
}

export interface SealedMessage {
  readonly envelope: Uint8Array;
  readonly id: MessageId;
}

export interface OpenedMessage {
  readonly body: InnerBody;
  readonly id: MessageId;
  /** My messages the peer acknowledges. */
  readonly acks: readonly MessageId[];
  /** The peer waits for a rotation acknowledgement: seal something soon (sealControl() if nothing else). */
  readonly ackDue: boolean;
  /** What this message changed, for logs and tests. */
  readonly events: readonly SessionEvent[];
}

export type SessionEvent =
  | 'epoch-committed'          // a rotation finished: current epoch advanced
  | 'peer-encryption-proposed' // the peer proposed a new Ekp and I accepted it
  | 'own-rotation-deferred'    // tie-break: the peer's rotation goes first; my pending key gives way to a fresh healing key
  | 'peer-lookup-changed'      // my messages now go to the peer's new mailbox
  | 'own-lookup-committed';    // the peer writes to my new mailbox; the old one drains

export type RotationStatus = 'proposed' | 'deferred' | 'already-pending';

export interface OwnMailbox {
  readonly tag: Uint8Array;
  /** Signs fetch proofs for this mailbox (protocol/server). */
  readonly lookup: LookupKeyPair;
  readonly state: 'current' | 'pending' | 'draining';
}
