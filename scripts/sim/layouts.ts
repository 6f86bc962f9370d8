/**
 * Layout classes for the simulator (`--layout`, issue 10): the shapes on
 * which a router's tail latency differs most, each drawn from the seed and
 * redrawn until connected (topology-gen.ts `connected`).
 *
 *   random    nodes uniform in a square, mean degree D (a town mesh; the default)
 *   chain     a valley: a strip a third of the range wide and 2 r N / D long,
 *             so each node hears about D others and end to end is about 2 N / D hops
 *   clusters  dense towns (discs of half the range) about 2.2 ranges apart,
 *             so towns do not hear each other, joined only by two bridge nodes
 *             placed between each town and the next
 *   field     everyone within a disc of 0.45 range: everyone hears everyone
 */
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { connected, type GeneratedTopology, generateTopology } from './topology-gen.ts';

export type LayoutKind = 'random' | 'chain' | 'clusters' | 'field';
export const LAYOUT_KINDS: readonly LayoutKind[] = ['random', 'chain', 'clusters', 'field'];

export interface LayoutOptions {
  readonly layout: LayoutKind;
  readonly nodes: number;
  readonly rangeM: number;
  readonly meanDegree?: number;
  readonly seed: number | string;
}

/** Nodes per town in the clusters layout (the town mesh: 328 nodes, a handful of towns). */
const TOWN_NODES = 40;
const BRIDGES_PER_GAP = 2;

export function generateLayout(o: LayoutOptions): GeneratedTopology {
  if (o.layout === 'random') return generateTopology(o);
  const random = new SeededRandom(`layout:${o.layout}:${o.seed}`);
  const place = placer({ ...o, layout: o.layout }, random);
  for (let redraws = 0; redraws <= 200; redraws++) {
    const xs = new Float64Array(o.nodes);
    const ys = new Float64Array(o.nodes);
    place(xs, ys);
    if (connected(xs, ys, o.rangeM)) {
      const nodes = Array.from(xs, (x, i) => ({ id: String(i), x: Math.round(x), y: Math.round(ys[i] as number) }));
      return { nodes, sideM: Math.max(...xs) - Math.min(...xs), rangeM: o.rangeM, redraws };
    }
  }
  throw new RangeError(`no connected ${o.layout} layout of ${o.nodes} nodes in 200 draws`);
}

function placer(o: LayoutOptions & { readonly layout: Exclude<LayoutKind, 'random'> }, random: SeededRandom): (xs: Float64Array, ys: Float64Array) => void {
  const r = o.rangeM;
  const n = o.nodes;
  switch (o.layout) {
    case 'chain': {
      const lengthM = (2 * r * n) / (o.meanDegree ?? 12);
      const widthM = r / 3;
      return (xs, ys) => {
        for (let i = 0; i < n; i++) {
          xs[i] = random.float() * lengthM;
          ys[i] = random.float() * widthM;
        }
      };
    }
    case 'field':
      return (xs, ys) => {
        for (let i = 0; i < n; i++) disc(random, xs, ys, i, 0, 0, 0.45 * r);
      };
    case 'clusters': {
      const towns = Math.max(2, Math.round(n / TOWN_NODES));
      const bridges = Math.min(n - towns, (towns - 1) * BRIDGES_PER_GAP);
      const spacingM = 2.2 * r;
      return (xs, ys) => {
        // Towns along a bent line (each step turns by up to 60 degrees), as towns along roads.
        const cx = [0];
        const cy = [0];
        let heading = 0;
        for (let t = 1; t < towns; t++) {
          heading += (random.float() - 0.5) * (Math.PI / 1.5);
          cx.push((cx[t - 1] as number) + spacingM * Math.cos(heading));
          cy.push((cy[t - 1] as number) + spacingM * Math.sin(heading));
        }
        for (let i = 0; i < bridges; i++) {
          const gap = i % (towns - 1);
          // A bridge sits near the midpoint between two towns: it hears both.
          const f = 0.45 + random.float() * 0.1;
          xs[i] = (cx[gap] as number) * (1 - f) + (cx[gap + 1] as number) * f + (random.float() - 0.5) * 0.2 * r;
          ys[i] = (cy[gap] as number) * (1 - f) + (cy[gap + 1] as number) * f + (random.float() - 0.5) * 0.2 * r;
        }
        for (let i = bridges; i < n; i++) disc(random, xs, ys, i, cx[i % towns] as number, cy[i % towns] as number, 0.5 * r);
      };
    }
  }
}

function disc(random: SeededRandom, xs: Float64Array, ys: Float64Array, i: number, cx: number, cy: number, radiusM: number): void {
  const rho = radiusM * Math.sqrt(random.float());
  const theta = random.float() * 2 * Math.PI;
  xs[i] = cx + rho * Math.cos(theta);
  ys[i] = cy + rho * Math.sin(theta);
}
