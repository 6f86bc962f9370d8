/** The conversation session API (docs/PROTOCOL.md, "Envelopes and conversation sessions"). */
export { Session } from './session.ts';
export type {
  OpenedMessage, OwnMailbox, RotationStatus, SealedMessage, SessionEvent, SessionSetup,
} from './session-types.ts';
export { DEFAULT_SESSION_OPTIONS, type MessageId, type SessionOptions, type SessionState } from './state.ts';
export { SessionError, type SessionErrorCode } from './errors.ts';
export { mailboxTag } from './key-schedule.ts';
export { decodeSessionState, encodeSessionState, restoreSession } from './state-codec.ts';
export { type MyContactKeys, sessionFromCard } from './from-card.ts';
export { type Presence, openPresence, sealPresence } from './presence.ts';
export { type SessionPair, type SideKeys, createSessionPair, generateSideKeys, setupFor } from './pair.ts';
