import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateTopology, connected } from '../../scripts/sim/topology-gen.ts';
import { generateTraffic, messageIndexOf } from '../../scripts/sim/traffic.ts';
import { DeliveryLog, percentile } from '../../scripts/sim/metrics.ts';

const run = promisify(execFile);

describe('npm run sim', () => {
  it('prints one JSON object per router with the documented keys, and meow beats naive flooding on transmissions', async () => {
    const { stdout } = await run('npx', ['tsx', 'scripts/sim/main.ts', '--nodes', '20', '--loss', '0.1', '--seed', '3', '--messages', '40', '--duration', '1200', '--json'], { cwd: process.cwd(), timeout: 120_000 });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.router)).toEqual(['meow', 'naive-flood', 'managed-flood']);
    const keys = ['router', 'nodes', 'directDelivery', 'broadcastDelivery', 'latencyP50Ms', 'latencyP95Ms', 'txPerDelivered', 'airtimePerDeliveredMs', 'channelUsePeak', 'channelUseMean'];
    for (const l of lines) {
      for (const k of keys) expect(l, k).toHaveProperty(k);
      expect(l.nodes).toBe(20);
      for (const k of ['directDelivery', 'broadcastDelivery', 'channelUsePeak', 'channelUseMean']) {
        expect(l[k] as number).toBeGreaterThanOrEqual(0);
        expect(l[k] as number).toBeLessThanOrEqual(1);
      }
    }
    const [meow, naive] = lines as [Record<string, number>, Record<string, number>];
    expect(meow.txPerDelivered as number).toBeLessThan(naive.txPerDelivered as number);
    expect(meow.directDelivery as number).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects a bad option with exit code 2', async () => {
    await expect(run('npx', ['tsx', 'scripts/sim/main.ts', '--loss', '2'], { cwd: process.cwd(), timeout: 60_000 })).rejects.toMatchObject({ code: 2 });
  });
});

describe('simulator parts', () => {
  it('generates connected placements at the requested density, deterministically', () => {
    const a = generateTopology({ nodes: 200, rangeM: 1000, seed: 4 });
    const b = generateTopology({ nodes: 200, rangeM: 1000, seed: 4 });
    expect(a.nodes).toEqual(b.nodes);
    const xs = Float64Array.from(a.nodes, (n) => n.x as number);
    const ys = Float64Array.from(a.nodes, (n) => n.y as number);
    expect(connected(xs, ys, 1000)).toBe(true);
    let pairs = 0;
    for (let i = 0; i < 200; i++) for (let j = i + 1; j < 200; j++) if (Math.hypot(xs[i]! - xs[j]!, ys[i]! - ys[j]!) <= 1000) pairs++;
    const meanDegree = (2 * pairs) / 200;
    expect(meanDegree).toBeGreaterThan(8); // 12 requested, minus the edge effect of a square
    expect(meanDegree).toBeLessThan(14);
    expect(connected(Float64Array.from([0, 5000]), Float64Array.from([0, 0]), 1000)).toBe(false);
  });

  it('generates the same traffic for every router and recognises messages by their number', () => {
    const t = generateTraffic({ nodes: 10, directMessages: 30, broadcasts: 3, startMs: 0, durationMs: 60_000, seed: 1 });
    expect(t.length).toBe(33);
    expect(t.filter((e) => e.to === undefined).length).toBe(3);
    expect(t.every((e, i) => messageIndexOf(e.envelope) === i && e.to !== e.from)).toBe(true);
    expect(generateTraffic({ nodes: 10, directMessages: 30, broadcasts: 3, startMs: 0, durationMs: 60_000, seed: 1 })).toEqual(t);
  });

  it('computes delivery ratios and nearest-rank percentiles', () => {
    const t = generateTraffic({ nodes: 4, directMessages: 4, broadcasts: 1, startMs: 0, durationMs: 1000, seed: 2 });
    const log = new DeliveryLog(t);
    const direct = t.filter((e) => e.to !== undefined);
    for (const e of direct.slice(0, 3)) log.record(e.index, e.to as number, e.atMs + 100);
    log.record(direct[3]!.index, (direct[3]!.to as number + 1) % 4, 0); // wrong node: not a delivery
    const b = t.find((e) => e.to === undefined)!;
    log.record(b.index, (b.from + 1) % 4, 0);
    log.record(b.index, b.from, 0); // the sender itself does not count
    const r = log.summarise({ router: 'x', nodes: 4, transmissions: 10, airtimeMs: 100, collisions: 0, channelUsePeak: 0, channelUseMean: 0, wallClockMs: 0, counters: {} });
    expect(r.directDelivery).toBe(0.75);
    expect(r.broadcastDelivery).toBeCloseTo(1 / 3);
    expect(r.latencyP50Ms).toBe(100);
    expect(r.txPerDelivered).toBeCloseTo(10 / (3 + 1 / 3));
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
    expect(percentile([], 0.5)).toBe(0);
  });
});

describe('determinism', () => {
  it('the same seed gives the same figures, router by router', async () => {
    const { createNodeSuite } = await import('../../node-runtime/crypto/node-suite.ts');
    const { buildScenario } = await import('../../scripts/sim/scenario.ts');
    const { runScenario } = await import('../../scripts/sim/run.ts');
    const suite = createNodeSuite();
    const once = (): unknown[] => {
      const s = buildScenario({ nodes: 15, loss: 0.1, seed: 9, directMessages: 20, broadcasts: 1, durationMs: 900_000 }, suite);
      return (['meow', 'managed-flood'] as const).map((k) => ({ ...runScenario(k, s, suite), wallClockMs: 0, peakRssMb: 0 }));
    };
    expect(once()).toEqual(once());
  });
});
