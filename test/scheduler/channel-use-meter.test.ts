import { describe, expect, it } from 'vitest';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { RadioMedium } from '../../hardware/radio-sim/medium.ts';
import { SimRadioLink } from '../../node-runtime/links/sim-radio/sim-radio-link.ts';
import { ChannelUseMeter, meterChannelUse } from '../../node-runtime/scheduler/channel-use-meter.ts';
import { LinkClosedError } from '../../seams/link.ts';

describe('ChannelUseMeter', () => {
  it('sums own and received airtime over the sliding window', () => {
    const clock = new SimClock();
    const meter = new ChannelUseMeter(clock, { windowMs: 10_000 });
    meter.recordTransmit(1_000);
    clock.runUntilSync(4_000);
    meter.recordReceive(500);
    expect(meter.channelUse()).toBeCloseTo(1_500 / 10_000, 12);
    clock.runUntilSync(10_500); // the transmit [-1000, 0] has left; the receive [3500, 4000] stays
    expect(meter.channelUse()).toBeCloseTo(500 / 10_000, 12);
    clock.runUntilSync(13_750); // half of the receive is still inside
    expect(meter.channelUse()).toBeCloseTo(250 / 10_000, 12);
    expect(meter.channelBusy()).toBe(false);
  });

  it('caps at 1 and passes carrier sense through', () => {
    const clock = new SimClock({ startMs: 100_000 });
    let busy = true;
    const meter = new ChannelUseMeter(clock, { windowMs: 1_000, channelBusy: () => busy });
    for (let i = 0; i < 5; i++) meter.recordReceive(400);
    expect(meter.channelUse()).toBe(1);
    expect(meter.channelBusy()).toBe(true);
    busy = false;
    expect(meter.channelBusy()).toBe(false);
  });

  it('metered links agree with the medium when nothing is lost', async () => {
    const clock = new SimClock();
    const medium = new RadioMedium({ clock, seed: 8 });
    medium.addNode({ id: 'a', x: 0, y: 0 });
    medium.addNode({ id: 'b', x: 500, y: 0 });
    const a = meterChannelUse(new SimRadioLink({ medium, nodeId: 'a' }), clock);
    const b = meterChannelUse(new SimRadioLink({ medium, nodeId: 'b' }), clock);
    expect([a.link.id, a.link.kind, a.link.mtu]).toEqual(['sim-radio:a', 'sim-radio', 255]);
    for (let i = 0; i < 6; i++) {
      void (i % 2 === 0 ? a.link : b.link).send(new Uint8Array(30 + i));
      await clock.advance(2_000);
    }
    expect(a.monitor.channelUse()).toBeCloseTo(medium.channelUse('a'), 9);
    expect(b.monitor.channelUse()).toBeCloseTo(medium.channelUse('b'), 9);
    expect(a.monitor.channelUse()).toBeGreaterThan(0.04); // six frames of about 0.5 s in a minute
    expect(a.link.stats().framesSent).toBe(3);
    await a.link.close();
    await expect(a.link.send(new Uint8Array(1))).rejects.toBeInstanceOf(LinkClosedError);
    expect(a.monitor.channelUse()).toBeCloseTo(medium.channelUse('a'), 9); // a refused send is not counted
  });
});
