import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTopology, readTopologyFile } from '../../hardware/radio-sim/topology.ts';
import { TopologyError } from '../../hardware/radio-sim/errors.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('topology files', () => {
  it('reads the positions form', () => {
    expect(readTopologyFile(fixture('line-positions.json'))).toEqual({
      nodes: [{ id: 'a', x: 0, y: 0 }, { id: 'b', x: 5000, y: 0 }, { id: '7', x: 10000, y: 0, txPowerDbm: 20 }],
    });
  });

  it('reads the explicit-links form and the medium obeys it', async () => {
    const topology = readTopologyFile(fixture('triangle-links.json'));
    expect(topology.links).toEqual([{ a: 'a', b: 'b', rssiDbm: -110, loss: 0.25 }, { a: 'b', b: 'c' }]);
    const clock = new SimClock();
    const medium = new RadioMedium({ clock, seed: 1, topology });
    expect(medium.neighbours('a')).toEqual(['b']);
    expect(medium.neighbours('b').sort()).toEqual(['a', 'c']);
    expect(medium.neighbours('c')).toEqual(['b']);
    expect(medium.linkBudget('b', 'c')?.rssiDbm).toBe(-100);
    expect(medium.linkBudget('a', 'b')?.rssiDbm).toBe(-110);
    expect(medium.linkBudget('a', 'c')).toBeUndefined();
  });

  it('places the positions form on the medium', () => {
    const medium = new RadioMedium({ clock: new SimClock(), seed: 1, topology: readTopologyFile(fixture('line-positions.json')) });
    expect(medium.nodeIds()).toEqual(['a', 'b', '7']);
    // 14 dBm reaches about 6.5 km, 20 dBm about 10.2 km: node 7 hears a only one way.
    expect(medium.neighbours('a')).toEqual(['b']);
    expect(medium.neighbours('7')).toEqual(['a', 'b']);
    expect(medium.linkBudget('7', 'a')?.rssiDbm).toBeCloseTo(20 - (31.2 + 30 * Math.log10(10_000)), 9);
  });

  const bad: [string, unknown, string][] = [
    ['not an object', [], '$'],
    ['no nodes', {}, 'nodes'],
    ['empty nodes', { nodes: [] }, 'nodes'],
    ['missing x', { nodes: [{ id: 'a', y: 1 }] }, 'nodes[0].x'],
    ['NaN-like y', { nodes: [{ id: 'a', x: 1, y: '2' }] }, 'nodes[0].y'],
    ['bad id', { nodes: [{ id: -1, x: 0, y: 0 }] }, 'nodes[0].id'],
    ['duplicate id', { nodes: [{ id: 'a', x: 0, y: 0 }, { id: 'a', x: 1, y: 1 }] }, 'nodes[1].id'],
    ['links not array', { nodes: [{ id: 'a' }], links: {} }, 'links'],
    ['unknown link end', { nodes: [{ id: 'a' }], links: [{ a: 'a', b: 'z' }] }, 'links[0].b'],
    ['self link', { nodes: [{ id: 'a' }], links: [{ a: 'a', b: 'a' }] }, 'links[0]'],
    ['duplicate link', { nodes: [{ id: 'a' }, { id: 'b' }], links: [{ a: 'a', b: 'b' }, { a: 'b', b: 'a' }] }, 'links[1]'],
    ['loss > 1', { nodes: [{ id: 'a' }, { id: 'b' }], links: [{ a: 'a', b: 'b', loss: 1.5 }] }, 'links[0].loss'],
  ];
  for (const [what, json, path] of bad) {
    it(`refuses ${what}, naming ${path}`, () => {
      const e = (() => {
        try {
          parseTopology(json);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(TopologyError);
      expect(e).toMatchObject({ name: 'TopologyError', code: 'invalid-topology', path });
    });
  }

  it('reports an unreadable file as a TopologyError', () => {
    expect(() => readTopologyFile(fixture('missing.json'))).toThrow(TopologyError);
  });

  it('never fails with anything but TopologyError, on random and mutated input (100k cases)', () => {
    const check = (json: unknown): void => {
      try {
        const t = parseTopology(json);
        expect(t.nodes.length).toBeGreaterThan(0);
      } catch (e) {
        if (!(e instanceof TopologyError)) throw e;
      }
    };
    const id = fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -1, max: 5 }), fc.constant(null));
    const num = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0.5, 2, Number.NaN, Number.POSITIVE_INFINITY, -0), fc.constant('1'));
    const node = fc.record({ id, x: num, y: num, txPowerDbm: num }, { requiredKeys: [] });
    const link = fc.record({ a: id, b: id, rssiDbm: num, loss: num }, { requiredKeys: [] });
    const junk = fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.constant({}));
    const shaped = fc.record(
      { nodes: fc.oneof(fc.array(node, { maxLength: 5 }), junk), links: fc.oneof(fc.array(link, { maxLength: 5 }), junk) },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(fc.oneof(shaped, junk), (json) => check(json)), { numRuns: 100_000 });
  });
});
