/** The durable store's public surface: import from here. */
export { openStore } from './open-store.ts';
export type * from '../../seams/store.ts';
export { GATEWAY_OUTBOX_QUEUE, STORE_LIMITS, OutboxPriority } from '../../seams/store.ts';
export * from './errors.ts';
export { DEFAULT_BACKOFF, backoffDelayMs } from './backoff.ts';
export { OUTBOX_DEFAULTS } from './outbox.ts';
export { MAILBOX_DEFAULTS } from './mailbox-store.ts';
export { createGroupCommit } from './group-commit.ts';
export type { GroupCommit, GroupCommitOptions } from './group-commit.ts';
export { startHousekeeping } from './housekeeping.ts';
export type { Housekeeping, HousekeepingOptions } from './housekeeping.ts';
