/**
 * For fsync.test.ts: opens a store and makes `count` single deposits,
 * printing a marker line before and after, so that a tracer can count the
 * syncs the deposits cause.
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
for (let i = 0; i < count; i++) store.mailboxes.deposit(tag, new Uint8Array([i & 0xff, i >> 8]), new Uint8Array(100).fill(i));
store.close();
