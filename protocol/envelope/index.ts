/** Envelope codecs (docs/PROTOCOL.md, "Envelopes and conversation sessions"). */
export { ENVELOPE_VERSION, EnvelopeKind, type EnvelopeKindName, MAX_ENVELOPE_BYTES, kindName } from './kinds.ts';
export { type EnvelopeHeader, decodeEnvelopeHeader } from './header.ts';
export {
  EnvelopeError, type EnvelopeErrorCode, type OpenError, type OpenErrorCode, type OpenResult,
} from './errors.ts';
export {
  DIRECT_OVERHEAD_BYTES, type DirectEnvelope, MAILBOX_TAG_BYTES, decodeDirectEnvelope,
} from './direct.ts';
export { type AckRef, type InnerBody, type InnerMessage, decodeInner, encodeInner } from './inner.ts';
export { ReplayWindow } from './replay-window.ts';
export {
  type BroadcastFields, broadcastKeyId, decodeBroadcast, openBroadcast, sealBroadcast,
} from './broadcast.ts';
export { decodePresence } from './presence.ts';
export {
  type GroupMessage, type GroupSenderEntry, type GroupSenderKey, groupTag, openGroupMessage, sealGroupMessage,
} from './group.ts';
export {
  type SensorKeyEntry, type SensorMessage, SensorQuantity, type SensorReading,
  openSensorReading, sealSensorReading, sensorId, sensorKeyFromAgreement,
} from './sensor.ts';
