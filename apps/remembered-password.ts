/**
 * The vault password saved by `meow init|unlock --remember`: a file in the
 * node's data directory (mode 0600) that the CLI writes and reads, and that
 * meow-node reads at start to unlock the agent without anyone typing it.
 * Saving it defeats the vault against whoever can read the directory (the
 * CLI says so when it saves it; docs/THREAT-MODEL.md). Shared by the
 * programs (they do not import each other).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const REMEMBERED_PASSWORD_FILE = 'remembered-password';

export function rememberedPasswordPath(dataDir: string): string {
  return join(dataDir, REMEMBERED_PASSWORD_FILE);
}

/** The saved password, or undefined when none is saved (or the file cannot be read, or is empty). */
export async function readRememberedPassword(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(rememberedPasswordPath(dataDir), 'utf8')).replace(/\r?\n$/, '') || undefined;
  } catch {
    return undefined;
  }
}
