/**
 * The serial link on the real serialport native binding, over two Linux
 * pseudo-terminals joined by a small relay (support/pty-null-modem.py):
 * the contract suite, and a real port loss (the relay dies, the tty
 * hangs up). Skipped, with the reason printed, where python3 or ptys are
 * not available.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../protocol/codec/bytes.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { SerialLink, type SerialLinkEvent } from '../../node-runtime/links/serial/serial-link.ts';
import { describeLinkContract } from '../seams/link.contract.ts';
import { missingTool } from '../support/required-tool.ts';

const relayScript = fileURLToPath(new URL('./support/pty-null-modem.py', import.meta.url));

function ptyUnavailableReason(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import pty, os; m, s = pty.openpty(); print(os.ttyname(s))'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `python3 not runnable: ${r.error.message}`;
  if (r.status !== 0) return `python3 cannot open a pty: ${r.stderr.trim().slice(0, 200)}`;
  return undefined;
}

interface Cable {
  relay: ChildProcess;
  pathA: string;
  pathB: string;
}

function startCable(): Promise<Cable> {
  return new Promise((resolve, reject) => {
    const relay = spawn('python3', [relayScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    relay.on('error', reject);
    relay.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        const [pathA, pathB] = line.trim().split(' ');
        if (pathA && pathB) resolve({ relay, pathA, pathB });
        else reject(new Error(`relay printed ${line}`));
      }
    });
  });
}

function stopCable(cable: Cable): Promise<void> {
  if (cable.relay.exitCode !== null || cable.relay.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    cable.relay.once('exit', () => resolve());
    cable.relay.kill('SIGKILL');
  });
}

function serialLink(path: string, id: string, onEvent?: (e: SerialLinkEvent) => void): SerialLink {
  return new SerialLink({
    path, id, baudRate: 115_200, clock: systemClock, random: new SeededRandom(id),
    initialReconnectDelayMs: 20, maxReconnectDelayMs: 100, onEvent,
  });
}

const skipReason = ptyUnavailableReason();
if (skipReason) {
  missingTool('a pty helper', false, skipReason);
  describe('serial link on real ptys', () => {
    it.skip(`skipped: ${skipReason}`, () => undefined);
  });
  console.warn(`[serial-pty] skipped: ${skipReason}`);
} else {
  describeLinkContract('serial on the real serialport binding over a pty pair', async () => {
    const cable = await startCable();
    const a = serialLink(cable.pathA, 'pty-a');
    const b = serialLink(cable.pathB, 'pty-b');
    await Promise.all([a.whenOpen(), b.whenOpen()]);
    return { a, b, cleanup: async () => { await a.close(); await b.close(); await stopCable(cable); } };
  });

  describe('serial link on real ptys', () => {
    it('notices the line hanging up, keeps retrying, and stays closable', async () => {
      const cable = await startCable();
      const events: SerialLinkEvent[] = [];
      const a = serialLink(cable.pathA, 'pty-loss', (e) => events.push(e));
      const b = serialLink(cable.pathB, 'pty-peer');
      try {
        await Promise.all([a.whenOpen(), b.whenOpen()]);
        const got: string[] = [];
        b.onFrame((f) => got.push(new TextDecoder().decode(f.bytes)));
        await a.send(utf8('before the plug is pulled'));
        const start = Date.now();
        while (got.length === 0 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 10));
        expect(got).toEqual(['before the plug is pulled']);
        await stopCable(cable); // masters close: the ptys vanish
        const lostBy = Date.now();
        while (!events.some((e) => e.type === 'open-failed') && Date.now() - lostBy < 5000) await new Promise((r) => setTimeout(r, 10));
        expect(events.map((e) => e.type)).toContain('lost');
        expect(events.some((e) => e.type === 'open-failed')).toBe(true);
        expect(a.isOpen).toBe(false);
        await a.send(utf8('into the void'));
        expect(a.stats()).toMatchObject({ portLosses: 1, framesUnsentPortDown: 1, framesSent: 1 });
      } finally {
        await a.close();
        await b.close();
        await stopCable(cable);
      }
    });
  });
}
