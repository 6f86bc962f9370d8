/**
 * At start, a node whose user saved the vault password (`meow init|unlock
 * --remember`, apps/remembered-password.ts) unlocks the agent by itself, so
 * that messages are received and receipts sent after a reboot without
 * anyone at a terminal. That is what the user chose, with the CLI's warning;
 * the log says the vault was opened this way (never the password), and a
 * saved password that no longer opens it is reported, the agent left locked.
 */
import type { Logger } from '../../../seams/logger.ts';
import { readRememberedPassword, rememberedPasswordPath } from '../../remembered-password.ts';
import type { AgentHost } from './agent-host.ts';

export type RememberedUnlock = 'none' | 'unlocked' | 'refused';

export async function unlockRemembered(host: AgentHost, dataDir: string, log: Logger): Promise<RememberedUnlock> {
  const password = await readRememberedPassword(dataDir);
  if (password === undefined || host.state().state !== 'locked') return 'none';
  try {
    await host.unlock(password);
  } catch (e) {
    log.warn('the remembered password does not open the vault: the agent stays locked (`meow unlock` opens it)', {
      file: rememberedPasswordPath(dataDir), reason: (e as Error).message,
    });
    return 'refused';
  }
  log.warn('agent unlocked at start with the password saved by `meow unlock --remember`: whoever can read the data directory can do the same (`meow lock --forget` deletes it)', {
    file: rememberedPasswordPath(dataDir),
  });
  return 'unlocked';
}
