/**
 * THE CRASH TEST. A child process (crash-child.ts) ingests messages and
 * prints "ACK <id>" only after each is committed; interleaved "SENT <id>"
 * lines make it remove acknowledged envelopes from its outbox. The parent
 * kills it with SIGKILL at a random moment mid-ingest, four rounds, and
 * after each reopens the file and checks: integrity_check ok, every acked
 * message present once with its exact bytes (in the mailbox, and in the
 * outbox unless its removal was confirmed), confirmed removals gone, the
 * usage counters equal to the rows; a removal confirmed once is refused the
 * second time (exactly once, across crashes). A last round resumes the
 * ingest (re-sending everything: what was stored comes back as duplicates,
 * in both tables) and checks the whole set arrived exactly once.
 *
 * kill -9 tests what a crash of the process can lose; power loss is
 * power-cut.test.ts (docs/ARCHITECTURE.md, section "store").
 */
import Database from 'better-sqlite3';
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { hex, makeTempDir, ManualClock } from './helpers.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const childScript = join(here, 'crash-child.ts');

interface Message {
  readonly id: string;
  readonly tag: string;
  readonly bytes: string;
}

const dir = makeTempDir('meow-crash-');
afterAll(() => dir.remove());

function makeMessages(count: number, random: SeededRandom): Message[] {
  const tags = Array.from({ length: 5 }, () => hex(random.bytes(4 + random.int(29))));
  return Array.from({ length: count }, () => ({
    id: hex(random.bytes(16)),
    tag: tags[random.int(tags.length)] as string,
    // Up to 3 KiB: many messages overflow a 4 KiB page with their neighbours.
    bytes: hex(random.bytes(1 + random.int(3000))),
  }));
}

type Child = ChildProcessByStdio<Writable, Readable, null>;

function startChild(dbPath: string): Child {
  return spawn(process.execPath, ['--import', 'tsx', childScript, dbPath], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

interface RoundResult {
  readonly acked: string[];
  /** id -> "<deposit result> <enqueue result>" as the child reported them. */
  readonly outcomes: Map<string, string>;
  /** id -> what markSent returned, for the SENT lines the child confirmed. */
  readonly sent: Map<string, boolean>;
  readonly killed: boolean;
  readonly exitSignal: NodeJS.Signals | null;
}

/**
 * The child's input: the messages, with a `SENT <id>` line after every
 * second one so that kills also land among outbox removals.
 */
function inputLines(messages: Message[], sendIds: string[]): string {
  const lines: string[] = [];
  const queue = [...sendIds];
  messages.forEach((m, i) => {
    lines.push(`${m.id} ${m.tag} ${m.bytes}\n`);
    if (i % 2 === 1 && queue.length > 0) lines.push(`SENT ${queue.shift()}\n`);
  });
  for (const id of queue) lines.push(`SENT ${id}\n`);
  return lines.join('');
}

/**
 * Feeds the messages and SENT lines to a fresh child; kills it with SIGKILL
 * once `killAfterAcks` ACKs arrived (plus 0-3 ms, so the kill lands anywhere
 * in the next write), or lets it finish when `killAfterAcks` is undefined.
 */
function runRound(
  dbPath: string,
  messages: Message[],
  sendIds: string[],
  random: SeededRandom,
  killAfterAcks?: number,
): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = startChild(dbPath);
    const acked: string[] = [];
    const outcomes = new Map<string, string>();
    const sent = new Map<string, boolean>();
    let killed = false;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line === 'READY') {
        // Everything at once: the child always has more to do when it dies.
        child.stdin.write(inputLines(messages, sendIds));
        if (killAfterAcks === undefined) child.stdin.end();
        return;
      }
      if (killed) return; // printed after our kill was decided: not counted
      const [word, id, first, second] = line.split(' ');
      if (id === undefined) return;
      if (word === 'SENT') {
        if (first !== 'true' && first !== 'false') reject(new Error(`bad markSent result ${line}`));
        sent.set(id, first === 'true');
        return;
      }
      if (word !== 'ACK') return;
      if (first !== 'stored' && first !== 'duplicate') reject(new Error(`bad deposit result ${line}`));
      if (second !== 'added' && second !== 'duplicate') reject(new Error(`bad enqueue result ${line}`));
      acked.push(id);
      outcomes.set(id, `${first} ${second}`);
      if (killAfterAcks !== undefined && acked.length === killAfterAcks) {
        const delayMs = random.int(4);
        setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, delayMs);
      }
    });
    child.stdin.on('error', () => undefined); // EPIPE once killed
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killAfterAcks === undefined && code !== 0) reject(new Error(`child exited with ${code ?? signal}`));
      resolve({ acked, outcomes, sent, killed, exitSignal: signal });
    });
  });
}

/** What the parent knows of outbox removals: confirmed (markSent said true once) and asked but unconfirmed. */
interface SentBook {
  readonly confirmed: Set<string>;
  readonly unconfirmed: Set<string>;
}

function recordSent(book: SentBook, asked: string[], result: RoundResult): void {
  for (const id of asked) {
    const answer = result.sent.get(id);
    if (answer === undefined) {
      if (!book.confirmed.has(id)) book.unconfirmed.add(id); // killed before the answer: removed or not
      continue;
    }
    if (book.confirmed.has(id)) {
      expect(answer, `markSent ${id} a second time`).toBe(false); // exactly once
    } else if (answer) {
      book.confirmed.add(id);
      book.unconfirmed.delete(id);
    } else {
      // false for an id never confirmed: its removal committed before an earlier kill.
      expect(book.unconfirmed.has(id), `markSent ${id} false without an earlier attempt`).toBe(true);
      book.confirmed.add(id);
      book.unconfirmed.delete(id);
    }
  }
}

/** Reopens the file as the daemon would and checks every acked message. */
function verify(dbPath: string, all: Message[], acked: Set<string>, book: SentBook): { stored: number } {
  const store = openStore({ path: dbPath, clock: new ManualClock(Date.now()), random: new SeededRandom(0) });
  try {
    expect(store.integrityCheck()).toEqual(['ok']);
    const outbox = store.outbox('crash');
    const byTag = new Map<string, Map<string, string>>();
    for (const tag of new Set(all.map((m) => m.tag))) {
      const found = new Map<string, string>();
      for (let after = 0; ; ) {
        const page = store.mailboxes.list(Buffer.from(tag, 'hex'), { limit: 500, after });
        if (page.length === 0) break;
        for (const m of page) {
          expect(found.has(hex(m.id)), 'no duplicate rows').toBe(false);
          found.set(hex(m.id), hex(m.bytes));
        }
        after = page[page.length - 1]?.cursor as number;
      }
      byTag.set(tag, found);
    }
    for (const m of all) {
      if (!acked.has(m.id)) continue;
      expect(byTag.get(m.tag)?.get(m.id), `acked ${m.id} in its mailbox`).toBe(m.bytes);
      const queued = outbox.get(Buffer.from(m.id, 'hex'));
      if (book.confirmed.has(m.id)) expect(queued, `sent ${m.id} gone from the outbox`).toBeUndefined();
      else if (!book.unconfirmed.has(m.id)) expect(hex(queued?.bytes ?? new Uint8Array(0)), `acked ${m.id} in the outbox`).toBe(m.bytes);
    }
    const stored = [...byTag.values()].reduce((n, t) => n + t.size, 0);
    expect(store.mailboxes.totals().messages).toBe(stored);
    expect(outbox.depth().messages).toBeGreaterThanOrEqual(acked.size - book.confirmed.size - book.unconfirmed.size);
    store.close();
  } catch (e) {
    store.close();
    throw e;
  }
  // The trigger-kept counters equal the rows they count, crash or not.
  const raw = new Database(dbPath, { readonly: true });
  const sums = raw.prepare('SELECT count(*) AS messages, coalesce(sum(size), 0) AS bytes FROM mailbox_messages').get();
  expect(raw.prepare("SELECT messages, bytes FROM totals WHERE name = 'mailboxes'").get()).toEqual(sums);
  const perTag = raw.prepare('SELECT tag, count(*) AS messages, sum(size) AS bytes FROM mailbox_messages GROUP BY tag ORDER BY tag').all();
  expect(raw.prepare('SELECT tag, messages, bytes FROM mailboxes ORDER BY tag').all()).toEqual(perTag);
  const queue = raw.prepare('SELECT count(*) AS messages, coalesce(sum(size), 0) AS bytes FROM outbox').get();
  expect(raw.prepare("SELECT messages, bytes FROM outbox_queues WHERE queue = 'crash'").get()).toEqual(queue);
  raw.close();
  return { stored: (sums as { messages: number }).messages };
}

describe('crash test: SIGKILL mid-ingest loses nothing acknowledged', () => {
  it('survives random kills, then resumes and delivers every message exactly once', async () => {
    const random = new SeededRandom('crash-test');
    const all = makeMessages(360, random);
    const dbPath = dir.file('crash.db');
    const acked = new Set<string>();
    const book: SentBook = { confirmed: new Set(), unconfirmed: new Set() };
    const killRounds = 4;

    for (let round = 0; round < killRounds; round++) {
      // Resend what was never acked (some of it may be stored already: the child must answer "duplicate").
      const pending = all.filter((m) => !acked.has(m.id));
      // Mark sent: a third of the acked ids not yet asked, every unconfirmed one, and a few confirmed ones again.
      const fresh = [...acked].filter((id) => !book.confirmed.has(id) && !book.unconfirmed.has(id)).filter(() => random.int(3) === 0);
      const again = [...book.confirmed].slice(0, 3);
      const asked = [...fresh, ...book.unconfirmed, ...again];
      const killAfter = 10 + random.int(Math.min(60, pending.length - 20));
      const result = await runRound(dbPath, pending, asked, random, killAfter);
      expect(result.killed, `round ${round} was killed mid-ingest`).toBe(true);
      expect(result.exitSignal).toBe('SIGKILL');
      expect(result.acked.length).toBeGreaterThanOrEqual(killAfter);
      expect(result.acked.length).toBeLessThan(pending.length);
      for (const id of result.acked) acked.add(id);
      recordSent(book, asked, result);
      const { stored } = verify(dbPath, all, acked, book);
      expect(stored).toBeGreaterThanOrEqual(acked.size);
    }
    expect(book.confirmed.size, 'some removals were confirmed').toBeGreaterThan(0);

    // The last round replays everything: what was acked before must come back
    // as a duplicate in both tables (a sent id included: the sent log remembers
    // it), what was not must be stored now. Unconfirmed removals are retried.
    const retried = [...book.unconfirmed];
    const last = await runRound(dbPath, all, retried, random);
    expect(last.killed).toBe(false);
    expect(last.acked).toEqual(all.map((m) => m.id));
    recordSent(book, retried, last);
    expect(book.unconfirmed.size).toBe(0);
    const storedBeforeButNotAcked = all.filter((m) => !acked.has(m.id) && last.outcomes.get(m.id) !== 'stored added');
    for (const m of all) {
      if (acked.has(m.id)) expect(last.outcomes.get(m.id), `replayed ${m.id}`).toBe('duplicate duplicate');
    }
    for (const id of last.acked) acked.add(id);
    const { stored } = verify(dbPath, all, acked, book);
    expect(stored).toBe(all.length);
    const outbox = openStore({ path: dbPath, clock: new ManualClock(Date.now()), random: new SeededRandom(0), readOnly: true });
    expect(outbox.outbox('crash').depth().messages).toBe(all.length - book.confirmed.size);
    outbox.close();
    // Informative, not asserted (it depends on where the kills landed): messages
    // committed by a killed child before it could print their ACK.
    console.info(
      `crash test: ${storedBeforeButNotAcked.length} messages were (partly) stored but unacked when killed; ` +
        `${book.confirmed.size} outbox entries removed exactly once`,
    );
  }, 60_000);
});
