/**
 * One meow-node per data directory: two processes on one SQLite store and
 * one node key would both answer as the same node and fight over leases.
 * The lock itself is the programs' shared one (apps/dir-lock.ts); a node
 * reports a held lock as a configuration error (exit 2), like a bad config.
 */
import { DirLockError, lockDirectory, type DirLock } from '../dir-lock.ts';
import { ConfigError } from './config.ts';

export type DataDirLock = DirLock;

export function lockDataDir(dataDir: string): DataDirLock {
  try {
    return lockDirectory(dataDir, 'node.lock', 'meow-node');
  } catch (error) {
    if (error instanceof DirLockError) throw new ConfigError(error.message, { fields: error.fields, cause: error });
    throw error;
  }
}
