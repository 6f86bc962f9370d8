/** Public surface of the relay protocol (docs/PROTOCOL.md section "server"). */
export * from './constants.ts';
export * from './errors.ts';
export * from './frame.ts';
export * from './seal.ts';
export * from './mailbox.ts';
export * from './stamp.ts';
export * from './descriptor.ts';
export * from './records.ts';
export * from './request-types.ts';
export * from './request-encode.ts';
export * from './request-decode.ts';
export * from './response.ts';
export * from './fingerprint.ts';
