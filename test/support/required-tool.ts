/**
 * Tests that need a system tool (strace, openssl, mosquitto, avahi-daemon,
 * chromium, ...). On a developer's machine without the tool they skip with
 * the reason printed; in CI (`.ci/run` sets MEOW_REQUIRE_TOOLS=1) a missing
 * tool fails the run instead, so a safety claim never passes untested.
 */
import { spawnSync } from 'node:child_process';

export const toolsRequired = (): boolean => process.env.MEOW_REQUIRE_TOOLS === '1';

/** True when `command` is on the PATH (or an absolute path that exists and runs). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${JSON.stringify(command)}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Returns the reason to skip (undefined when the tool is there). When tools
 * are required, a missing tool throws: call it at collection time so the
 * whole file fails loudly.
 */
export function missingTool(tool: string, available: boolean, why: string): string | undefined {
  if (available) return undefined;
  const reason = `${tool} is not installed (${why})`;
  if (toolsRequired()) throw new Error(`required tool missing in CI: ${reason}`);
  console.warn(`skipping: ${reason}`);
  return reason;
}
