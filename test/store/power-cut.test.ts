/**
 * Power loss, simulated at the system-call level. A child process makes 150
 * deposits (each its own commit, "ACK <i>" printed after each) under strace,
 * which records every write, truncation and sync of the database and its
 * WAL, in order with the ACKs. The test then replays the log and cuts the
 * power at many points: a file keeps what a sync made durable, and of the
 * writes since its last sync either none survive or a random subset does
 * (a disk may persist any of them, in any order). At every cut, the files
 * are opened as the daemon would after the reboot: integrity_check ok, and
 * every message acknowledged before the cut is there, byte for byte.
 *
 * This is what synchronous=FULL buys: with NORMAL the same replay loses
 * acknowledged messages (checked by hand: change the pragma and this fails),
 * which a kill -9 test cannot show since the OS page cache survives a
 * process crash. Skipped where strace is missing or ptrace is not allowed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { makeTempDir, ManualClock } from './helpers.ts';
import { parseTrace, SimulatedFile } from './syscall-trace.ts';
import { missingTool } from '../support/required-tool.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const dir = makeTempDir('meow-power-cut-');
afterAll(() => dir.remove());

const straceWorks = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true'], { stdio: 'ignore' }).status === 0;
missingTool('strace', straceWorks, 'the store\'s syscall-trace tests');
const DEPOSITS = 150;
const tag = new Uint8Array([1, 2, 3, 4]);

interface Cut {
  readonly label: string;
  readonly acked: readonly number[];
  readonly db: Uint8Array;
  readonly wal: Uint8Array;
}

/** Opens the files a cut left behind and checks every acknowledged message. */
function checkAfterReboot(cut: Cut, n: number): void {
  const cutDir = join(dir.path, `cut-${n}`);
  mkdirSync(cutDir);
  const path = join(cutDir, 'store.db');
  writeFileSync(path, cut.db);
  if (cut.wal.length > 0) writeFileSync(`${path}-wal`, cut.wal);
  const store = openStore({ path, clock: new ManualClock(Date.now()), random: new SeededRandom(1) });
  try {
    expect(store.integrityCheck(), cut.label).toEqual(['ok']);
    const stored = new Map(store.mailboxes.list(tag, { limit: 1000 }).map((m) => [m.id[0]! + 256 * m.id[1]!, m.bytes]));
    for (const i of cut.acked) {
      expect(stored.get(i), `${cut.label}: acknowledged message ${i}`).toEqual(new Uint8Array(100).fill(i));
    }
    expect(store.mailboxes.totals().messages).toBe(stored.size);
  } finally {
    store.close();
  }
}

describe('power cut (simulated from a syscall trace)', () => {
  it.skipIf(!straceWorks)('loses no acknowledged message at any cut, whichever unsynced writes survive', () => {
    const dbPath = dir.file('traced.db');
    const walPath = `${dbPath}-wal`;
    const tracePath = dir.file('trace.txt');
    const run = spawnSync(
      'strace',
      ['-f', '-qq', '-y', '-xx', '-s', '100000', '-e', 'trace=pwrite64,write,fsync,fdatasync,ftruncate', '-o', tracePath,
        process.execPath, '--import', 'tsx', join(here, 'fsync-child.ts'), dbPath, String(DEPOSITS)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000, encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    const events = parseTrace(readFileSync(tracePath, 'utf8'), (p) => p === dbPath || p === walPath);
    const ackEvents = events.filter((e) => e.kind === 'stdout' && e.text.startsWith('ACK'));
    expect(ackEvents).toHaveLength(DEPOSITS);
    expect(events.some((e) => e.kind === 'sync' && e.path === walPath)).toBe(true);

    // Cut right after 15 ACKs spread over the run (the tightest moments), and at 15 random events.
    const random = new SeededRandom('power-cut');
    const lastAck = events.lastIndexOf(ackEvents[ackEvents.length - 1]!);
    const cutAt = new Set<number>();
    for (let k = 1; k <= 15; k++) cutAt.add(events.indexOf(ackEvents[Math.floor((k * DEPOSITS) / 15) - 1]!));
    for (let k = 0; k < 15; k++) cutAt.add(random.int(lastAck + 1));

    const files = new Map([[dbPath, new SimulatedFile()], [walPath, new SimulatedFile()]]);
    const acked: number[] = [];
    const cuts: Cut[] = [];
    events.forEach((e, index) => {
      switch (e.kind) {
        case 'write':
          files.get(e.path)?.write(e.offset, e.data);
          break;
        case 'truncate':
          files.get(e.path)?.truncate(e.length);
          break;
        case 'sync':
          files.get(e.path)?.sync();
          break;
        case 'stdout':
          for (const m of e.text.matchAll(/ACK (\d+)/g)) acked.push(Number(m[1]));
          break;
      }
      if (!cutAt.has(index)) return;
      const db = files.get(dbPath)!;
      const wal = files.get(walPath)!;
      cuts.push({ label: `cut at event ${index}, nothing unsynced`, acked: [...acked], db: db.afterCut(() => false), wal: wal.afterCut(() => false) });
      const coin = new SeededRandom(`survivors-${index}`);
      cuts.push({
        label: `cut at event ${index}, random unsynced writes`,
        acked: [...acked],
        db: db.afterCut(() => coin.int(2) === 1),
        wal: wal.afterCut(() => coin.int(2) === 1),
      });
    });
    expect(cuts.length).toBeGreaterThanOrEqual(40);
    cuts.forEach((cut, n) => checkAfterReboot(cut, n));
  }, 90_000);
});
