import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import {
  createTransmitScheduler, type OutgoingFrame, type ShedReason, type TransmitSchedulerOptions,
} from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { SchedulerError } from '../../node-runtime/scheduler/errors.ts';
import { RecordingLink, SettableChannel, tagged } from './support.ts';

function setup(extra: Partial<TransmitSchedulerOptions> = {}) {
  const clock = new SimClock();
  const link = new RecordingLink(clock);
  const channel = new SettableChannel();
  const shed: { id: string; reason: ShedReason }[] = [];
  const sent: string[] = [];
  const scheduler = createTransmitScheduler({
    link, clock, random: new SeededRandom('scheduler'), channelMonitor: channel,
    onShed: (f, reason) => shed.push({ id: f.id, reason }),
    onSent: (f) => sent.push(f.id),
    ...extra,
  });
  return { clock, link, channel, scheduler, shed, sent };
}

describe('TransmitScheduler: priorities', () => {
  it('sends ack > direct > relay > bulk, FIFO within a priority', async () => {
    const { clock, link, scheduler, sent } = setup();
    expect(scheduler.enqueue({ id: 'first', bytes: tagged(0), priority: 'bulk' })).toBe(true); // goes on air at once
    const order: OutgoingFrame[] = [
      { id: 'b1', bytes: tagged(9), priority: 'bulk' },
      { id: 'r1', bytes: tagged(5), priority: 'relay' },
      { id: 'd1', bytes: tagged(3), priority: 'direct' },
      { id: 'r2', bytes: tagged(6), priority: 'relay' },
      { id: 'a1', bytes: tagged(1), priority: 'ack' },
      { id: 'd2', bytes: tagged(4), priority: 'direct' },
      { id: 'b2', bytes: tagged(10), priority: 'bulk' },
      { id: 'a2', bytes: tagged(2), priority: 'ack' },
    ];
    for (const f of order) expect(scheduler.enqueue(f)).toBe(true);
    expect(scheduler.stats().queued).toEqual({ ack: 2, direct: 2, relay: 2, bulk: 2 });
    await clock.runUntilIdle();
    expect(link.tags()).toEqual([0, 1, 2, 3, 4, 5, 6, 9, 10]);
    expect(sent).toEqual(['first', 'a1', 'a2', 'd1', 'd2', 'r1', 'r2', 'b1', 'b2']);
    // Back to back, never overlapping (RecordingLink throws on overlap).
    for (let i = 1; i < link.onAir.length; i++) expect(link.onAir[i]?.startMs).toBe(link.onAir[i - 1]?.endMs);
    expect(scheduler.stats()).toMatchObject({ sent: { ack: 2, direct: 2, relay: 2, bulk: 3 }, queuedTotal: 0 });
  });

  it('holds a frame until notBeforeMs, letting eligible frames go first', async () => {
    const { clock, link, scheduler } = setup();
    scheduler.enqueue({ id: 'later', bytes: tagged(1), priority: 'ack', notBeforeMs: 5_000 });
    scheduler.enqueue({ id: 'now', bytes: tagged(2), priority: 'bulk' });
    await clock.runUntilIdle();
    expect(link.tags()).toEqual([2, 1]);
    expect(link.onAir[1]?.startMs).toBe(5_000);
  });

  it('refuses duplicates and oversize frames', () => {
    const { scheduler } = setup();
    expect(scheduler.enqueue({ id: 'x', bytes: tagged(1), priority: 'direct', notBeforeMs: 10 })).toBe(true);
    expect(scheduler.enqueue({ id: 'x', bytes: tagged(1), priority: 'direct' })).toBe(false);
    expect(() => scheduler.enqueue({ id: 'big', bytes: new Uint8Array(256), priority: 'direct' }))
      .toThrow(expect.objectContaining({ name: 'SchedulerError', code: 'frame-too-large' }));
    expect(scheduler.stats().refused).toBe(1);
  });
});

describe('TransmitScheduler: bounded queues and shedding', () => {
  it('sheds the lowest priority first, oldest first, and tells onShed', async () => {
    const { clock, scheduler, shed, link } = setup({ limits: { maxQueuedTotal: 3 } });
    scheduler.enqueue({ id: 'onair', bytes: tagged(0), priority: 'direct' });
    scheduler.enqueue({ id: 'bulk1', bytes: tagged(1), priority: 'bulk' });
    scheduler.enqueue({ id: 'bulk2', bytes: tagged(2), priority: 'bulk' });
    scheduler.enqueue({ id: 'relay1', bytes: tagged(3), priority: 'relay' });
    expect(scheduler.enqueue({ id: 'direct1', bytes: tagged(4), priority: 'direct' })).toBe(true);
    expect(shed).toEqual([{ id: 'bulk1', reason: 'queue-full' }]);
    expect(scheduler.enqueue({ id: 'ack1', bytes: tagged(5), priority: 'ack' })).toBe(true);
    expect(scheduler.enqueue({ id: 'ack2', bytes: tagged(6), priority: 'ack' })).toBe(true);
    expect(shed.map((s) => s.id)).toEqual(['bulk1', 'bulk2', 'relay1']);
    // Full of frames at or above its own priority: a newcomer is refused, nothing is shed.
    expect(scheduler.enqueue({ id: 'relay2', bytes: tagged(7), priority: 'relay' })).toBe(false);
    expect(scheduler.enqueue({ id: 'direct2', bytes: tagged(8), priority: 'direct' })).toBe(false);
    expect(shed).toHaveLength(3);
    await clock.runUntilIdle();
    expect(link.tags()).toEqual([0, 5, 6, 4]);
    expect(scheduler.stats().shed['queue-full']).toBe(3);
  });

  it('bounds each priority on its own', () => {
    const { scheduler } = setup({ limits: { maxQueued: { ack: 32, direct: 64, relay: 64, bulk: 2 } } });
    scheduler.enqueue({ id: 'onair', bytes: tagged(0), priority: 'direct' });
    expect(scheduler.enqueue({ id: 'b1', bytes: tagged(1), priority: 'bulk' })).toBe(true);
    expect(scheduler.enqueue({ id: 'b2', bytes: tagged(1), priority: 'bulk' })).toBe(true);
    expect(scheduler.enqueue({ id: 'b3', bytes: tagged(1), priority: 'bulk' })).toBe(false);
    expect(scheduler.enqueue({ id: 'r1', bytes: tagged(1), priority: 'relay' })).toBe(true);
  });

  it('cancels queued frames by id, not the one on air', async () => {
    const { clock, scheduler, link, shed } = setup();
    scheduler.enqueue({ id: 'onair', bytes: tagged(0), priority: 'relay' });
    scheduler.enqueue({ id: 'r1', bytes: tagged(1), priority: 'relay', notBeforeMs: 3_000 });
    scheduler.enqueue({ id: 'r2', bytes: tagged(2), priority: 'relay' });
    expect(scheduler.isQueued('r1')).toBe(true);
    expect(scheduler.cancel('r1')).toBe(true);
    expect(scheduler.cancel('r1')).toBe(false);
    expect(scheduler.cancel('onair')).toBe(false);
    expect(scheduler.cancel('nope')).toBe(false);
    await clock.runUntilIdle();
    expect(link.tags()).toEqual([0, 2]);
    expect(shed).toEqual([]);
    expect(scheduler.stats().cancelled).toBe(1);
  });

  it('sheds frames that waited longer than their priority allows', async () => {
    const { clock, scheduler, shed, link } = setup({ limits: { maxWaitMs: { ack: 1_000, direct: 5_000, relay: 1_000, bulk: 1_000 } } });
    scheduler.enqueue({ id: 'a', bytes: tagged(1), priority: 'direct', notBeforeMs: 4_000 });
    scheduler.enqueue({ id: 'late', bytes: tagged(2), priority: 'direct', notBeforeMs: 9_000 });
    await clock.runUntilIdle();
    expect(link.tags()).toEqual([1]);
    expect(shed).toEqual([{ id: 'late', reason: 'expired' }]);
    expect(clock.now()).toBeGreaterThanOrEqual(5_000);
  });

  it('close() sheds everything queued with "closed" and refuses new frames', () => {
    const { scheduler, shed } = setup();
    scheduler.enqueue({ id: 'onair', bytes: tagged(0), priority: 'bulk' });
    scheduler.enqueue({ id: 'q1', bytes: tagged(1), priority: 'ack' });
    scheduler.enqueue({ id: 'q2', bytes: tagged(2), priority: 'bulk' });
    scheduler.close();
    scheduler.close();
    expect(shed).toEqual([{ id: 'q1', reason: 'closed' }, { id: 'q2', reason: 'closed' }]);
    expect(scheduler.enqueue({ id: 'q3', bytes: tagged(3), priority: 'ack' })).toBe(false);
  });

  it('a closed link sheds the frame as send-failed and the rest as closed', async () => {
    const { clock, scheduler, shed, link } = setup();
    await link.close();
    scheduler.enqueue({ id: 'x', bytes: tagged(0), priority: 'bulk' });
    scheduler.enqueue({ id: 'y', bytes: tagged(1), priority: 'bulk' });
    await clock.runUntilIdle();
    expect(shed).toEqual([{ id: 'x', reason: 'send-failed' }, { id: 'y', reason: 'closed' }]);
  });

  it('lets onShed re-offer frames from inside the scheduler without ever putting two on air', async () => {
    const clock = new SimClock();
    const link = new RecordingLink(clock);
    const channel = new SettableChannel();
    const events: string[] = [];
    const scheduler = createTransmitScheduler({
      link, clock, random: new SeededRandom(4), channelMonitor: channel,
      limits: { maxWaitMs: { ack: 60_000, direct: 1_000, relay: 1_000, bulk: 1_000 }, backoffSlotMs: 100 },
      onShed: (f, reason) => {
        events.push(`shed ${f.id} ${reason}`);
        // What the durable outbox does: offer it again at once (a second time only).
        if (!f.id.endsWith('+')) scheduler.enqueue({ id: `${f.id}+`, bytes: f.bytes, priority: 'ack' });
      },
      onSent: (f) => events.push(`sent ${f.id}`),
    });
    channel.busy = true;
    for (const id of ['a', 'b', 'c']) scheduler.enqueue({ id, bytes: tagged(1), priority: 'direct' });
    clock.setTimer(1_500, () => (channel.busy = false));
    await clock.runUntilIdle();
    expect(events.filter((e) => e.startsWith('shed'))).toEqual(['shed a expired', 'shed b expired', 'shed c expired']);
    expect(events.filter((e) => e.startsWith('sent'))).toEqual(['sent a+', 'sent b+', 'sent c+']);
    for (let i = 1; i < link.onAir.length; i++) expect(link.onAir[i]?.startMs).toBeGreaterThanOrEqual(link.onAir[i - 1]?.endMs ?? 0);
    // Expiry on a free channel: the re-offer inside onShed must not start a frame beside the one the pass picks.
    events.length = 0;
    channel.busy = false;
    const t0 = clock.now();
    scheduler.enqueue({ id: 'late', bytes: tagged(2), priority: 'direct', notBeforeMs: t0 + 5_000 }); // expires at t0 + 1000
    clock.setTimer(600, () => scheduler.enqueue({ id: 'q', bytes: tagged(3), priority: 'direct', notBeforeMs: t0 + 1_000 }));
    await clock.runUntilIdle(); // RecordingLink throws on overlapping sends
    expect(events).toEqual(['shed late expired', 'sent late+', 'sent q']);
  });

  it('accounts for every accepted frame exactly once: sent, shed or cancelled (property)', async () => {
    const priorities = ['ack', 'direct', 'relay', 'bulk'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            op: fc.constantFrom('enqueue', 'enqueue', 'enqueue', 'cancel', 'wait'),
            priority: fc.constantFrom(...priorities),
            length: fc.integer({ min: 1, max: 255 }),
            delayMs: fc.integer({ min: 0, max: 3_000 }),
            target: fc.nat(),
          }),
          { maxLength: 80 },
        ),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        async (ops, use) => {
          const outcome = new Map<string, string[]>();
          const note = (id: string, what: string): void => void outcome.set(id, [...(outcome.get(id) ?? []), what]);
          const { clock, scheduler: s2, channel } = setup({
            random: new SeededRandom(ops.length),
            limits: { maxQueuedTotal: 12, maxQueued: { ack: 4, direct: 6, relay: 6, bulk: 3 } },
            onShed: (f) => note(f.id, 'shed'), onSent: (f) => note(f.id, 'sent'),
          });
          channel.use = use;
          const accepted: string[] = [];
          let n = 0;
          for (const o of ops) {
            if (o.op === 'enqueue') {
              const id = `f${n++}`;
              if (s2.enqueue({ id, bytes: new Uint8Array(o.length), priority: o.priority, notBeforeMs: clock.now() + o.delayMs })) accepted.push(id);
            } else if (o.op === 'cancel' && accepted.length > 0) {
              const id = accepted[o.target % accepted.length] as string;
              if (s2.cancel(id)) note(id, 'cancelled');
            } else {
              await clock.advance(o.delayMs);
            }
          }
          channel.use = 0;
          await clock.runUntilIdle(3_600_000);
          for (const id of accepted) expect(outcome.get(id), id).toHaveLength(1);
          expect(outcome.size).toBe(accepted.length);
          expect(s2.stats().queuedTotal).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('TransmitScheduler: channel use and carrier sense', () => {
  it('above 25 % holds bulk, delays flood relays randomly, and sends acks and direct at once', async () => {
    const { clock, scheduler, channel, link } = setup();
    channel.use = 0.3;
    scheduler.enqueue({ id: 'bulk', bytes: tagged(4), priority: 'bulk' });
    scheduler.enqueue({ id: 'relay', bytes: tagged(3), priority: 'relay' });
    scheduler.enqueue({ id: 'ack', bytes: tagged(1), priority: 'ack' });
    scheduler.enqueue({ id: 'direct', bytes: tagged(2), priority: 'direct' });
    await clock.runUntil(3_000);
    // The bulk frame came first but is held; the ack leaves at once, the direct frame right after it.
    expect(link.tags()).toEqual([1, 2, 3]);
    expect(link.onAir[0]?.startMs).toBe(0);
    expect(link.onAir[1]?.startMs).toBe(link.onAir[0]?.endMs);
    // The relay waited a random 0..2000 ms from when it was first considered (time 0).
    const relayStart = link.onAir[2]?.startMs ?? -1;
    expect(relayStart).toBeGreaterThanOrEqual(link.onAir[1]?.endMs ?? 0);
    expect(relayStart).toBeLessThanOrEqual(Math.max(2_000, link.onAir[1]?.endMs ?? 0));
    expect(scheduler.stats().queued.bulk).toBe(1);
    channel.use = 0.2;
    await clock.runUntilIdle();
    expect(link.tags().at(-1)).toBe(4);
    expect(scheduler.stats().politeHolds).toBeGreaterThan(0);
  });

  it('above the congested level holds relays too, and sheds them as congested when they wait too long', async () => {
    const { clock, scheduler, channel, link, shed } = setup({ limits: { maxWaitMs: { ack: 30_000, direct: 600_000, relay: 10_000, bulk: 600_000 } } });
    channel.use = 0.5;
    scheduler.enqueue({ id: 'relay', bytes: tagged(3), priority: 'relay' });
    scheduler.enqueue({ id: 'direct', bytes: tagged(2), priority: 'direct' });
    await clock.runUntilIdle(60_000);
    expect(link.tags()).toEqual([2]);
    expect(shed).toEqual([{ id: 'relay', reason: 'congested' }]);
  });

  it('listens before talking: backs off random slots while the channel is busy', async () => {
    const { clock, scheduler, channel, link } = setup({ limits: { backoffSlotMs: 10, minContentionSlots: 4, maxContentionSlots: 16 } });
    channel.busy = true;
    clock.setTimer(500, () => (channel.busy = false));
    scheduler.enqueue({ id: 'x', bytes: tagged(1), priority: 'direct' });
    await clock.runUntilIdle();
    const start = link.onAir[0]?.startMs ?? -1;
    expect(start).toBeGreaterThanOrEqual(500);
    // The contention window caps at 16 slots of 10 ms: it listens again within 160 ms of the channel clearing.
    expect(start).toBeLessThanOrEqual(660);
    expect(start % 10).toBe(0);
    expect(scheduler.stats().carrierSenseBackoffs).toBeGreaterThanOrEqual(4);
  });

  it('reports stats: airtime, queue depths, channel use', async () => {
    const { clock, scheduler, channel, link } = setup();
    channel.use = 0.125;
    scheduler.enqueue({ id: 'x', bytes: tagged(1, 50), priority: 'direct' });
    await clock.runUntilIdle();
    const s = scheduler.stats();
    expect(s.airtimeMs).toBe(link.airtimeMs(50));
    expect(s.channelUse).toBe(0.125);
    expect(s.dutyCycleUse).toBe(0);
    expect(s.dutyCycle).toEqual([]);
  });

  it('rejects contradictory limits', () => {
    expect(() => setup({ limits: { politeChannelUse: 0.5, congestedChannelUse: 0.4 } })).toThrow(SchedulerError);
  });
});
