import { describe, expect, it } from 'vitest';
import { generateLayout, LAYOUT_KINDS } from '../../scripts/sim/layouts.ts';

const rangeM = 6000;
const hears = (a: { x?: number; y?: number }, b: { x?: number; y?: number }): boolean =>
  Math.hypot((a.x ?? 0) - (b.x ?? 0), (a.y ?? 0) - (b.y ?? 0)) <= rangeM;

/** Hops from node 0 to the farthest node (breadth-first over "within range"). */
function eccentricity(nodes: readonly { x?: number; y?: number }[]): number {
  const dist = new Array<number>(nodes.length).fill(-1);
  dist[0] = 0;
  const queue = [0];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q] as number;
    nodes.forEach((n, j) => {
      if (dist[j] === -1 && hears(nodes[i] as typeof n, n)) {
        dist[j] = (dist[i] as number) + 1;
        queue.push(j);
      }
    });
  }
  return dist.includes(-1) ? Infinity : Math.max(...dist);
}

describe('layout classes', () => {
  it('every class is connected, seeded and repeatable', () => {
    for (const layout of LAYOUT_KINDS) {
      const a = generateLayout({ layout, nodes: 80, rangeM, seed: 3 });
      expect(a.nodes).toHaveLength(80);
      expect(generateLayout({ layout, nodes: 80, rangeM, seed: 3 })).toEqual(a);
      expect(eccentricity(a.nodes)).toBeLessThan(Infinity);
    }
  });

  it('a field is one hop, a chain is long, clusters are joined only through bridges', () => {
    expect(eccentricity(generateLayout({ layout: 'field', nodes: 80, rangeM, seed: 1 }).nodes)).toBe(1);
    expect(eccentricity(generateLayout({ layout: 'chain', nodes: 120, rangeM, seed: 1 }).nodes)).toBeGreaterThanOrEqual(12);
    const towns = generateLayout({ layout: 'clusters', nodes: 160, rangeM, seed: 1 }).nodes;
    // Four towns and six bridges: without the bridges (the first six nodes) the towns fall apart.
    expect(eccentricity(towns.slice(6))).toBe(Infinity);
    expect(eccentricity(towns)).toBeGreaterThanOrEqual(4);
    expect(eccentricity(towns)).toBeLessThan(Infinity);
  });
});

describe('the adversary', () => {
  it('hostile nodes of every kind act, honest delivery is reported and nothing forged is stored', async () => {
    const { createNodeSuite } = await import('../../node-runtime/crypto/node-suite.ts');
    const { buildScenario } = await import('../../scripts/sim/scenario.ts');
    const { runScenario } = await import('../../scripts/sim/run.ts');
    const suite = createNodeSuite();
    const s = buildScenario({
      nodes: 20, loss: 0.1, seed: 3, directMessages: 12, broadcasts: 1, durationMs: 600_000,
      hostile: { count: 4, kinds: ['flooder', 'poisoner', 'replayer', 'forger'] },
    }, suite);
    expect(s.hostile.map((h) => h.kind)).toEqual(['flooder', 'poisoner', 'replayer', 'forger']);
    const r = runScenario('meow', s, suite);
    expect(r.hostileFrames).toBeGreaterThan(100);
    expect(r.forgedBroadcastsRefused).toBeGreaterThan(0);
    expect(r.forgedBroadcastsStored).toBe(0);
    expect(r.directDelivery).toBeGreaterThan(0.5);
  });
});
