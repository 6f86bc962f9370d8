/**
 * Random geometric topologies for the simulator: N nodes placed uniformly
 * in a square whose side gives a chosen mean number of neighbours within
 * radio range (density like a town mesh: each node hears about a dozen
 * others), redrawn until the graph "distance <= range" is connected.
 *
 *   side = range * sqrt(pi * N / meanDegree)      (so N * pi r^2 / side^2 = meanDegree)
 *
 * `range` is the medium's nominal range (RadioMedium.nominalRangeM: path
 * loss down to the SF's demodulation floor), so every edge of the graph is
 * a link the medium can decode without collisions.
 */
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { Topology } from '../../hardware/radio-sim/topology.ts';

export interface GeneratedTopology extends Topology {
  readonly sideM: number;
  readonly rangeM: number;
  /** Redraws needed before the graph was connected. */
  readonly redraws: number;
}

export interface TopologyGenOptions {
  readonly nodes: number;
  readonly rangeM: number;
  /** Mean neighbours per node (default 12). */
  readonly meanDegree?: number;
  readonly seed: number | string;
  readonly maxRedraws?: number;
}

export function generateTopology(o: TopologyGenOptions): GeneratedTopology {
  const degree = o.meanDegree ?? 12;
  if (!(o.nodes >= 2) || !(o.rangeM > 0) || !(degree > 0)) throw new RangeError('need >= 2 nodes, a positive range and degree');
  const sideM = o.rangeM * Math.sqrt((Math.PI * o.nodes) / degree);
  const random = new SeededRandom(`topology:${o.seed}`);
  const maxRedraws = o.maxRedraws ?? 200;
  for (let redraws = 0; redraws <= maxRedraws; redraws++) {
    const xs = new Float64Array(o.nodes);
    const ys = new Float64Array(o.nodes);
    for (let i = 0; i < o.nodes; i++) {
      xs[i] = random.float() * sideM;
      ys[i] = random.float() * sideM;
    }
    if (connected(xs, ys, o.rangeM)) {
      const nodes = Array.from(xs, (x, i) => ({ id: String(i), x: Math.round(x), y: Math.round(ys[i] as number) }));
      return { nodes, sideM, rangeM: o.rangeM, redraws };
    }
  }
  throw new RangeError(`no connected placement of ${o.nodes} nodes at mean degree ${degree} in ${maxRedraws} draws; raise the degree`);
}

/** Breadth-first search over a grid of range-sized cells: O(N * degree). */
export function connected(xs: Float64Array, ys: Float64Array, rangeM: number): boolean {
  const n = xs.length;
  const cells = new Map<string, number[]>();
  const cellOf = (i: number): [number, number] => [Math.floor((xs[i] as number) / rangeM), Math.floor((ys[i] as number) / rangeM)];
  for (let i = 0; i < n; i++) {
    const [cx, cy] = cellOf(i);
    const k = `${cx},${cy}`;
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  }
  const seen = new Uint8Array(n);
  const stack = [0];
  seen[0] = 1;
  let reached = 1;
  const r2 = rangeM * rangeM;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const [cx, cy] = cellOf(i);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (seen[j]) continue;
          const ddx = (xs[i] as number) - (xs[j] as number);
          const ddy = (ys[i] as number) - (ys[j] as number);
          if (ddx * ddx + ddy * ddy <= r2) {
            seen[j] = 1;
            reached++;
            stack.push(j);
          }
        }
      }
    }
  }
  return reached === n;
}
