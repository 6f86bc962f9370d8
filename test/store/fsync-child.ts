/**
 * For fsync.test.ts: opens a store and makes `count` single deposits, each
 * its own commit, printing `ACK <i>` after a deposit returned or
 * `ERR <i> <code>` when it threw, so that a tracer can count the syncs and
 * inject sync failures.
 *
 * Usage: node --import tsx test/store/fsync-child.ts <database path> <count>
 */
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../node-runtime/platform/random.ts';
import { openStore } from '../../node-runtime/store/index.ts';

const [path, countText] = process.argv.slice(2);
const count = Number(countText);
if (!path || !Number.isSafeInteger(count)) {
  process.stderr.write('usage: fsync-child.ts <database path> <count>\n');
  process.exit(2);
}
const store = openStore({ path, clock: systemClock, random: systemRandom });
const tag = new Uint8Array([1, 2, 3, 4]);
for (let i = 0; i < count; i++) {
  try {
    store.mailboxes.deposit(tag, new Uint8Array([i & 0xff, i >> 8]), new Uint8Array(100).fill(i));
    process.stdout.write(`ACK ${i}\n`);
  } catch (error) {
    process.stdout.write(`ERR ${i} ${(error as { code?: string }).code ?? 'unknown'}\n`);
  }
}
store.close();
