/**
 * The store contract suites against both backends: an SQLite file in a temp
 * directory (the real thing) and ':memory:' (what the simulator uses).
 */
import { afterAll, describe } from 'vitest';
import { openStore } from '../../node-runtime/store/index.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { mailboxContract } from '../seams/mailbox.contract.ts';
import type { OpenHarness } from '../seams/outbox.contract.ts';
import { outboxContract } from '../seams/outbox.contract.ts';
import { makeTempDir, ManualClock } from './helpers.ts';

const dir = makeTempDir();
afterAll(() => dir.remove());
let files = 0;

const backends: Array<[string, () => string]> = [
  ['sqlite file', () => dir.file(`contract-${files++}.db`)],
  ['sqlite :memory:', () => ':memory:'],
];

for (const [label, path] of backends) {
  describe(label, () => {
    const open: OpenHarness = (options) => {
      const clock = new ManualClock();
      const store = openStore({
        path: path(),
        clock,
        random: options?.random ?? new SeededRandom('store-contract'),
        ...(options?.outbox ? { outbox: options.outbox } : {}),
        ...(options?.mailbox ? { mailbox: options.mailbox } : {}),
      });
      return { store, clock };
    };
    outboxContract(open);
    mailboxContract(open);
  });
}
