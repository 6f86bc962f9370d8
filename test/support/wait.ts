/**
 * Polls until `get` returns something other than undefined (or false), for
 * tests that wait on real sockets and timers. Rejects with `what` after
 * `timeoutMs`, so a hung condition names itself.
 */
export function waitUntil<T>(get: () => T | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      let value: T | undefined | false;
      try {
        value = get();
      } catch (error) {
        reject(error as Error);
        return;
      }
      if (value !== undefined && value !== false) resolve(value);
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}
