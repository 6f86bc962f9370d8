/**
 * What a mesh node may make a gateway fetch for it (issue 9 item 6): a few
 * live registrations per node, renewals free, a rate of new ones, and a
 * total no node can take alone; registrations read back after a restart
 * count and are never charged.
 */
import { describe, expect, it } from 'vitest';
import { RegistrationAllowance } from '../../../gateway/bridge/registration-allowance.ts';

const NOW_MS = 1_790_000_000_000;
const LATER_SEC = NOW_MS / 1000 + 86_400;
const A = 'aa'.repeat(8);
const B = 'bb'.repeat(8);
const lookup = (i: number): string => i.toString(16).padStart(64, '0');

/** Admits and keeps `lookup(i)` for `node`, as the gateway does once its fetcher kept it. */
function register(allowance: RegistrationAllowance, node: string, i: number, nowMs = NOW_MS, expiresAtSec = LATER_SEC): string {
  const admission = allowance.admit(node, lookup(i), nowMs);
  if (admission === 'new' || admission === 'replacement') allowance.kept(node, lookup(i), expiresAtSec);
  return admission;
}

describe('registration allowance', () => {
  it('bounds the live registrations of one node; another node still registers; a renewal is free', () => {
    const allowance = new RegistrationAllowance();
    expect([0, 1, 2, 3, 4].map((i) => register(allowance, A, i))).toEqual(['new', 'new', 'new', 'new', 'node-bound']);
    expect(register(allowance, B, 10)).toBe('new');
    // A renewal of a mailbox A has: free, even at its bound and with its rate spent.
    expect(register(allowance, A, 2)).toBe('replacement');
    expect(allowance.countOf(A, NOW_MS)).toBe(4);
    expect(allowance.stats).toEqual({ nodeBound: 1, bookFull: 0, overRate: 0 });
  });

  it('an expired registration frees its place', () => {
    const allowance = new RegistrationAllowance({ newPerNode: { capacity: 10, refillPerSecond: 0 } });
    for (let i = 0; i < 4; i++) register(allowance, A, i, NOW_MS, i === 0 ? NOW_MS / 1000 + 60 : LATER_SEC);
    expect(register(allowance, A, 4)).toBe('node-bound');
    expect(register(allowance, A, 4, NOW_MS + 60_000)).toBe('new');
    expect(allowance.countOf(A, NOW_MS + 60_000)).toBe(4);
  });

  it('limits the rate of new registrations per node; a refusal takes nothing', () => {
    const allowance = new RegistrationAllowance({ perNode: 100, newPerNode: { capacity: 2, refillPerSecond: 1 / 3600 } });
    expect([0, 1, 2].map((i) => register(allowance, A, i))).toEqual(['new', 'new', 'over-rate']);
    expect(allowance.countOf(A, NOW_MS)).toBe(2);
    expect(register(allowance, A, 2, NOW_MS + 3_600_000)).toBe('new');
    // A token taken for a registration the fetcher did not keep comes back.
    expect(allowance.admit(A, lookup(3), NOW_MS + 7_200_000)).toBe('new');
    allowance.refund(A);
    expect(register(allowance, A, 4, NOW_MS + 7_200_000)).toBe('new');
    expect(allowance.stats.overRate).toBe(1);
  });

  it('nodes new to the gateway past their budget share one small rate', () => {
    const allowance = new RegistrationAllowance({ newNodes: { capacity: 2, refillPerSecond: 0 }, sharedByNewNodes: { capacity: 1, refillPerSecond: 0 } });
    const nodes = ['01', '02', '03', '04'].map((b) => b.repeat(8));
    expect(nodes.map((n, i) => register(allowance, n, i))).toEqual(['new', 'new', 'new', 'over-rate']);
    // The nodes that got their own rate keep it.
    expect(register(allowance, nodes[0]!, 10)).toBe('new');
  });

  it('keeps a total no node can take alone: full is full for every new mailbox, not for renewals', () => {
    const allowance = new RegistrationAllowance({ total: 6 });
    expect([0, 1, 2, 3, 4].map((i) => register(allowance, A, i))).toEqual(['new', 'new', 'new', 'new', 'node-bound']);
    expect([10, 11, 12].map((i) => register(allowance, B, i))).toEqual(['new', 'new', 'book-full']);
    expect(register(allowance, A, 0)).toBe('replacement');
    expect(allowance.stats).toEqual({ nodeBound: 1, bookFull: 1, overRate: 0 });
  });

  it('counts registrations read back after a restart toward their node\'s bound, without charging them', () => {
    const allowance = new RegistrationAllowance({ newPerNode: { capacity: 1, refillPerSecond: 0 } });
    for (let i = 0; i < 3; i++) allowance.kept(A, lookup(i), LATER_SEC);
    expect(register(allowance, A, 3)).toBe('new'); // the rate was not spent on the three restored
    expect(register(allowance, A, 4)).toBe('node-bound');
    expect(register(allowance, A, 1)).toBe('replacement');
  });

  it('a mailbox kept for another node moving to this one counts for this one', () => {
    const allowance = new RegistrationAllowance({ total: 1 });
    expect(register(allowance, A, 0)).toBe('new');
    expect(register(allowance, B, 0)).toBe('new'); // takes no new room in the book
    expect(allowance.countOf(A, NOW_MS)).toBe(0);
    expect(allowance.countOf(B, NOW_MS)).toBe(1);
  });
});
