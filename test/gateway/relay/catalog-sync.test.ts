/** Relays exchange catalogs over real HTTP doors: knowledge spreads one hop per round, forged entries never do. */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { startTestRelay } from './support.ts';

describe('catalog exchange between relays', () => {
  it('spreads descriptors along peers and keeps the newest', async () => {
    const a = await startTestRelay('cat-a');
    const b = await startTestRelay('cat-b', { peers: [a.urls[0]!] });
    const c = await startTestRelay('cat-c', { peers: [b.urls[0]!] });
    try {
      const known = async (relay: typeof a) => (await relay.core.catalogBytes()).map((d) => toHex(d.subarray(1, 33)));
      const id = (relay: typeof a) => toHex(relay.key.publicKey.signing);
      // Round 1: b learns a and teaches a about b; c learns b (and what b knew: a).
      expect(await b.syncCatalogs()).toEqual([{ learnt: 1, taught: 1 }]);
      expect(await known(a)).toContain(id(b));
      expect(await known(b)).toContain(id(a));
      const r = await c.syncCatalogs();
      expect(r[0]!.learnt).toBe(2);
      expect(await known(c)).toEqual(expect.arrayContaining([id(a), id(b), id(c)]));
      expect(await known(b)).toContain(id(c));
      // A second round teaches nothing new.
      expect(await c.syncCatalogs()).toEqual([{ learnt: 0, taught: 0 }]);
    } finally {
      await c.cleanup();
      await b.cleanup();
      await a.cleanup();
    }
  });

  it('logs and survives an unreachable peer', async () => {
    const events: string[] = [];
    const lonely = await startTestRelay('cat-lonely', { peers: ['http://127.0.0.1:1'], log: (e) => events.push(e) });
    try {
      expect(await lonely.syncCatalogs()).toEqual([]);
      expect(events).toContain('catalog-sync-failed');
    } finally {
      await lonely.cleanup();
    }
  });
});
