// Shared by the three bin scripts: runs a program's TypeScript main() through tsx (no build step)
// and makes sure a stop signal sent to npm reaches it.
import { clearInterval, setInterval } from 'node:timers';
import { register } from 'tsx/esm/api';

/** How often the parent is checked: a stopped node frees its ports and data-directory lock within this. */
const PARENT_CHECK_MS = 500;

/**
 * `npx meow-relay` runs us under `sh -c`, and `kill -TERM <npm>` is forwarded by npm to that shell
 * alone: the shell dies and we would keep running, holding our ports and the data-directory lock.
 * When npm started us (it sets npm_command) and our parent goes away, we stop as on SIGTERM.
 * Outside npm (systemd, nohup, a terminal) nothing is watched: a detached daemon stays up.
 */
function stopWhenNpmParentDies() {
  if (process.env.npm_command === undefined) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, PARENT_CHECK_MS);
  timer.unref();
}

export async function launch(modulePath) {
  register();
  stopWhenNpmParentDies();
  const { main } = await import(modulePath);
  process.exitCode = await main(process.argv.slice(2));
}
