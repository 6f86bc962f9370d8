/**
 * The store's connection type: seams/store.ts declares `StoreConnection`
 * empty so that the seams depend on no I/O package; this SQLite store
 * merges better-sqlite3's Database into it (TypeScript declaration
 * merging), so that `store.database()` is typed as the connection it is.
 * Types only: nothing here runs.
 */
import type { Database } from 'better-sqlite3';

declare module '../../seams/store.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the members come from Database
  interface StoreConnection extends Database {}
}
