/**
 * The scheduler under saturated offering for simulated hours: it must never
 * exceed the regional budget in any window, and must not waste it either.
 */
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { E22_AIR_2K4, LONG_FAST, timeOnAirMs, type LoRaModulation } from '../../protocol/mesh/airtime.ts';
import type { RegionId } from '../../protocol/mesh/regions.ts';
import { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';
import { createTransmitScheduler, type ShedReason } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { RecordingLink } from './support.ts';

const HOUR_MS = 3_600_000;

/** Offers `frames` frames of `length` bytes at once and runs `durationMs`; returns what went on air. */
async function saturate(region: RegionId, frequencyHz: number, modulation: LoRaModulation, length: number, frames: number, durationMs: number) {
  const clock = new SimClock();
  const link = new RecordingLink(clock, modulation);
  const shed: ShedReason[] = [];
  const scheduler = createTransmitScheduler({
    link, clock, random: new SeededRandom(1),
    dutyCycle: DutyCycleLimiter.forChannel(region, frequencyHz, modulation.bandwidthHz),
    limits: { maxQueued: { ack: 1, direct: frames, relay: 1, bulk: 1 }, maxQueuedTotal: frames, maxWaitMs: { ack: 1, direct: 10 * HOUR_MS, relay: 1, bulk: 1 } },
    onShed: (_f, r) => shed.push(r),
  });
  for (let i = 0; i < frames; i++) expect(scheduler.enqueue({ id: `f${i}`, bytes: new Uint8Array(length), priority: 'direct' })).toBe(true);
  await clock.runUntil(durationMs);
  return { spans: link.onAir.map((r) => [r.startMs, r.endMs] as const), scheduler, shed, airtimeMs: timeOnAirMs(modulation, length) };
}

/** Largest airtime in any window of `windowMs` (windows ending at a frame's end are the worst). */
function worstWindowMs(spans: readonly (readonly [number, number])[], windowMs: number): number {
  let worst = 0;
  let from = 0;
  let inside = 0;
  for (let i = 0; i < spans.length; i++) {
    const [s, e] = spans[i] as readonly [number, number];
    inside += e - s;
    while (((spans[from] as readonly [number, number])[1]) <= e - windowMs) {
      const [fs, fe] = spans[from] as readonly [number, number];
      inside -= fe - fs;
      from++;
    }
    const [fs] = spans[from] as readonly [number, number];
    const clipped = Math.max(0, e - windowMs - fs); // part of the oldest frame before the window
    worst = Math.max(worst, inside - clipped);
  }
  return worst;
}

describe('airtime law under saturation', () => {
  it('EU868 1 % (sub-band M, 868.1 MHz, SF9/125 kHz): exactly floor(36 s / airtime) frames per hour, never more in any hour', async () => {
    const { spans, airtimeMs, scheduler } = await saturate('EU868', 868_100_000, E22_AIR_2K4, 50, 2_000, 3 * HOUR_MS);
    const perHour = Math.floor(36_000 / airtimeMs);
    // Frames wholly inside the first hour (the next one starts before the hour ends but only fits across it).
    const firstHour = spans.filter(([, e]) => e <= HOUR_MS);
    expect(firstHour).toHaveLength(perHour);
    expect(firstHour.reduce((sum, [s, e]) => sum + (e - s), 0)).toBeCloseTo(perHour * airtimeMs, 6);
    expect(worstWindowMs(spans, HOUR_MS)).toBeLessThanOrEqual(36_000 + 1e-6);
    // Not wasted either: over three hours, within one frame of the 3 x 36 s allowed.
    const total = spans.reduce((sum, [s, e]) => sum + Math.max(0, Math.min(e, 3 * HOUR_MS) - s), 0);
    expect(total).toBeLessThanOrEqual(3 * 36_000 + 1e-6);
    expect(total).toBeGreaterThan(3 * 36_000 - 2 * airtimeMs);
    const stats = scheduler.stats();
    expect(stats.dutyCycleUse).toBeGreaterThan(0.95);
    expect(stats.dutyCycleUse).toBeLessThanOrEqual(1 + 1e-9);
    expect(stats.dutyCycleWaits).toBeGreaterThan(0);
  });

  it('EU868 10 % (sub-band P, 869.525 MHz, LongFast): never more than 360 s in any hour', async () => {
    const { spans, airtimeMs } = await saturate('EU868', 869_525_000, LONG_FAST, 100, 2_000, 2 * HOUR_MS);
    const perHour = Math.floor(360_000 / airtimeMs);
    expect(spans.filter(([, e]) => e <= HOUR_MS)).toHaveLength(perHour);
    expect(worstWindowMs(spans, HOUR_MS)).toBeLessThanOrEqual(360_000 + 1e-6);
    expect(worstWindowMs(spans, HOUR_MS)).toBeGreaterThan(360_000 - airtimeMs);
  });

  it('US915 at 125 kHz: at most 400 ms per 20 s, and a frame over 400 ms is shed', async () => {
    const sf7: LoRaModulation = { spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 1, preambleSymbols: 8, explicitHeader: true, crc: true };
    const { spans, airtimeMs } = await saturate('US915', 906_875_000, sf7, 10, 200, 120_000);
    expect(airtimeMs).toBeCloseTo(41.216, 3); // DESIGN.md section 5 example
    expect(spans.filter(([, e]) => e <= 20_000)).toHaveLength(Math.floor(400 / airtimeMs));
    expect(worstWindowMs(spans, 20_000)).toBeLessThanOrEqual(400 + 1e-6);
    const sf10 = { ...sf7, spreadingFactor: 10 };
    const long = await saturate('US915', 906_875_000, sf10, 255, 1, 10_000);
    expect(timeOnAirMs(sf10, 255)).toBeGreaterThan(400);
    expect(long.spans).toHaveLength(0);
    expect(long.shed).toEqual(['airtime-limit']);
  });
});

describe('duty-cycle reserve', () => {
  it('relays saturating EU868 1 % use at most 90 % of it; a direct message still leaves at once', async () => {
    const clock = new SimClock();
    const link = new RecordingLink(clock, E22_AIR_2K4);
    const scheduler = createTransmitScheduler({
      link, clock, random: new SeededRandom(2),
      dutyCycle: DutyCycleLimiter.forChannel('EU868', 868_100_000, 125_000),
      limits: { maxQueued: { ack: 4, direct: 4, relay: 2_000, bulk: 4 }, maxQueuedTotal: 2_000, maxWaitMs: { ack: 1, direct: HOUR_MS, relay: 10 * HOUR_MS, bulk: 1 } },
    });
    for (let i = 0; i < 1_000; i++) scheduler.enqueue({ id: `r${i}`, bytes: new Uint8Array(50).fill(1), priority: 'relay' });
    let directAt = -1;
    clock.setTimer(HOUR_MS / 2, () => {
      directAt = clock.now();
      scheduler.enqueue({ id: 'd', bytes: new Uint8Array(50).fill(2), priority: 'direct' });
    });
    await clock.runUntil(2 * HOUR_MS);
    const relays = link.onAir.filter((r) => r.bytes[0] === 1).map((r) => [r.startMs, r.endMs] as const);
    const air = timeOnAirMs(E22_AIR_2K4, 50);
    expect(worstWindowMs(relays, HOUR_MS)).toBeLessThanOrEqual(32_400 + 1e-6);
    expect(worstWindowMs(relays, HOUR_MS)).toBeGreaterThan(32_400 - air);
    const direct = link.onAir.find((r) => r.bytes[0] === 2);
    expect(direct?.startMs).toBe(directAt);
    expect(worstWindowMs(link.onAir.map((r) => [r.startMs, r.endMs] as const), HOUR_MS)).toBeLessThanOrEqual(36_000 + 1e-6);
  });
});

describe('listen before talk on the simulated medium', () => {
  async function scenario(withCarrierSense: boolean) {
    const clock = new SimClock();
    const medium = new RadioMedium({ clock, seed: 5 });
    for (const [id, x] of [['a', 0], ['b', 300], ['c', 150]] as const) medium.addNode({ id, x, y: 0 });
    const links = Object.fromEntries(['a', 'b', 'c'].map((id) => [id, new SimRadioLink({ medium, nodeId: id })]));
    const heardAtC: Uint8Array[] = [];
    links.c?.onFrame((f) => heardAtC.push(f.bytes));
    const schedulerB = createTransmitScheduler({
      link: links.b as SimRadioLink, clock, random: new SeededRandom(9),
      ...(withCarrierSense && { channelMonitor: medium.channelMonitor('b') }),
    });
    void links.a?.send(new Uint8Array(200).fill(1)); // about 1.9 s on air at LongFast
    clock.setTimer(500, () => schedulerB.enqueue({ id: 'b1', bytes: new Uint8Array(20).fill(2), priority: 'direct' }));
    await clock.runUntilIdle();
    return { heardAtC, medium };
  }

  it('with carrier sense, b waits for a to finish and c hears both', async () => {
    const { heardAtC, medium } = await scenario(true);
    expect(heardAtC.map((b) => b[0])).toEqual([1, 2]);
    expect(medium.stats().collisions).toBe(0);
  });

  it('without it, b talks over a and c hears neither (the control)', async () => {
    const { heardAtC, medium } = await scenario(false);
    expect(heardAtC).toHaveLength(0);
    expect(medium.nodeCounters('c').collisions).toBe(2);
  });
});
