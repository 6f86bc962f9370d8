/**
 * The process the crash test kills (crash.test.ts). It ingests messages from
 * stdin, one per line: `<id hex> <tag hex> <bytes hex>`. For each it
 * deposits into the mailbox, enqueues into the outbox (two separate
 * commits), and only then prints `ACK <id hex> <deposit> <enqueue>`: an
 * ACK the parent reads is a promise that the message survives whatever
 * happens next. A line `SENT <id hex>` marks that outbox entry sent and
 * prints `SENT <id hex> true|false` after the commit.
 *
 * Usage: node --import tsx test/store/crash-child.ts <database path>
 */
import { createInterface } from 'node:readline';
import { openStore } from '../../node-runtime/store/index.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: crash-child.ts <database path>\n');
  process.exit(2);
}
const store = openStore({ path, clock: systemClock, random: systemRandom });
const outbox = store.outbox('crash');
const DAY_MS = 86_400_000;

// stdout to a pipe is synchronous on Linux (Node docs, "A note on process I/O"):
// the ACK is in the pipe before the next message is read.
process.stdout.write('READY\n');
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.length === 0) continue;
  if (line.startsWith('SENT ')) {
    // The far side acknowledged this envelope: remove it from the outbox, exactly once.
    const idHex = line.slice(5);
    const removed = outbox.markSent(Buffer.from(idHex, 'hex'));
    process.stdout.write(`SENT ${idHex} ${removed}\n`);
    continue;
  }
  const [idHex, tagHex, bytesHex] = line.split(' ');
  const id = Buffer.from(idHex ?? '', 'hex');
  const tag = Buffer.from(tagHex ?? '', 'hex');
  const bytes = Buffer.from(bytesHex ?? '', 'hex');
  const deposited = store.mailboxes.deposit(tag, id, bytes);
  const queued = outbox.enqueue({ id, destination: tagHex ?? '', bytes, priority: 3, expiresAt: systemClock.now() + DAY_MS });
  process.stdout.write(`ACK ${idHex} ${deposited} ${queued}\n`);
}
store.close();
process.stdout.write('DONE\n');
