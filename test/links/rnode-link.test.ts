/**
 * The RNode link (node-runtime/links/rnode/) against emulated RNode radios
 * (hardware/rnode/emulator.ts) on the real serialport stack over the mock
 * binding: the link contract, RSSI/SNR into link quality, airtime from the
 * real modulation, settings checked against the radio's echo, the region.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import type { ReceivedFrame } from '../../seams/link.ts';
import { timeOnAirMs } from '../../protocol/mesh/airtime.ts';
import { RNodeAir } from '../../hardware/rnode/air.ts';
import { RNodeError } from '../../hardware/rnode/errors.ts';
import type { RNodeRadioConfig } from '../../hardware/rnode/radio-config.ts';
import { RNodeLink } from '../../node-runtime/links/rnode/rnode-link.ts';
import { rnodeLinkKind } from '../../node-runtime/links/rnode/kind.ts';
import { rnodeRegionProblems } from '../../node-runtime/links/rnode/region-check.ts';
import { findLinkKind } from '../../node-runtime/links/registry.ts';
import { emulatedRNode, type EmulatedRNode } from '../hardware/support/emulated-rnode.ts';
import { describeLinkContract } from '../seams/link.contract.ts';

// SF7 / 500 kHz keeps airtime near 10 ms so the suite stays fast; the formula is the same for any setting.
const fast: RNodeRadioConfig = { frequencyHz: 869_525_000, bandwidthHz: 500_000, spreadingFactor: 7, codingRate: 5, txPowerDbm: 14 };
const made: Array<{ link: RNodeLink; radio: EmulatedRNode }> = [];

function link(air: RNodeAir, radio: RNodeRadioConfig = fast, emulator: Partial<Parameters<typeof emulatedRNode>[0]> = {}, id = 'rnode'): { link: RNodeLink; radio: EmulatedRNode } {
  const r = emulatedRNode({ air, ...emulator });
  const l = new RNodeLink({ path: r.path, radio, clock: systemClock, random: new SeededRandom('rnode'), openPort: r.openPort, id, replyTimeoutMs: 200 });
  made.push({ link: l, radio: r });
  return { link: l, radio: r };
}

afterEach(async () => {
  for (const m of made.splice(0)) {
    await m.link.close();
    m.radio.emulator.destroy();
  }
});

describeLinkContract('rnode (two emulated RNode radios over binding-mock)', async () => {
  const air = new RNodeAir({ clock: systemClock });
  const a = link(air, fast, {}, 'rnode-a').link;
  const b = link(air, fast, {}, 'rnode-b').link;
  await Promise.all([a.ready(), b.ready()]);
  return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
});

const until = async (p: () => boolean): Promise<void> => {
  const start = Date.now();
  while (!p()) {
    if (Date.now() - start > 3000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('RNode link', () => {
  it('delivers the RSSI and SNR the radio reports with each frame', async () => {
    const air = new RNodeAir({ clock: systemClock, signal: () => ({ rssiDbm: -97, snrDb: -4.25 }) });
    const a = link(air).link;
    const b = link(air).link;
    await Promise.all([a.ready(), b.ready()]);
    const inbox: ReceivedFrame[] = [];
    b.onFrame((f) => inbox.push(f));
    await a.send(Uint8Array.of(1, 2, 3));
    await until(() => inbox.length === 1);
    expect(inbox[0]).toMatchObject({ rssiDbm: -97, snrDb: -4.25 });
  });

  it('computes airtime from the configured SF/BW/CR (SF7 125 kHz 4/5, 10 bytes)', () => {
    const air = new RNodeAir({ clock: systemClock });
    const l = link(air, { ...fast, bandwidthHz: 125_000 }).link;
    // 18-symbol preamble: the DESIGN.md example (8 symbols, 41.216 ms) plus 10 symbols of 1.024 ms.
    expect(l.airtimeMs(10)).toBeCloseTo(41.216 + 10 * 1.024, 3);
    expect(l.airtimeMs(200)).toBeCloseTo(timeOnAirMs({ spreadingFactor: 7, bandwidthHz: 125_000, codingRate: 1, preambleSymbols: 18, explicitHeader: true, crc: true }, 200), 6);
  });

  it('refuses to go up when the radio does not take a setting, and names it', async () => {
    const air = new RNodeAir({ clock: systemClock });
    const { link: l, radio } = link(air, { ...fast, txPowerDbm: 20 }, { maxTxPowerDbm: 17 });
    const error = await l.ready().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RNodeError);
    expect((error as RNodeError).code).toBe('setting-refused');
    expect((error as RNodeError).message).toContain('txPowerDbm 20 (radio set 17)');
    expect(radio.emulator.tuned()).toBeUndefined(); // the radio stayed off
    await l.send(Uint8Array.of(1));
    expect(l.stats()).toMatchObject({ framesSent: 0, framesUnsentRadioDown: 1 });
  });

  it('says so when the radio is silent or answers garbage', async () => {
    const air = new RNodeAir({ clock: systemClock });
    const silent = link(air, fast, { fault: 'silent' }).link;
    const garbage = link(air, fast, { fault: 'garbage' }).link;
    await expect(silent.ready()).rejects.toMatchObject({ code: 'no-answer' });
    await expect(garbage.ready()).rejects.toMatchObject({ code: 'no-answer' });
  });
});

describe('rnode kind', () => {
  it('is registered, takes its defaults, and refuses a channel outside the region before touching the radio', async () => {
    expect(findLinkKind('rnode')).toBe(rnodeLinkKind);
    expect(rnodeLinkKind.parse({ type: 'rnode', spreadingFactor: 12 }, 'links[0]')).toMatchObject({ spreadingFactor: 12, codingRate: 5 });
    expect(() => rnodeLinkKind.parse({ type: 'rnode', codingRate: 9 }, 'links[0]')).toThrow('config: links[0].codingRate must be an integer in 5..8');
    expect(rnodeRegionProblems('EU868', { ...fast, frequencyHz: 915_000_000 })[0]).toContain('outside EU868');
    expect(rnodeRegionProblems('EU868', { ...fast, bandwidthHz: 125_000, txPowerDbm: 22 })).toEqual([]);
    expect(rnodeRegionProblems('EU868', { ...fast, frequencyHz: 868_100_000, bandwidthHz: 125_000, txPowerDbm: 22 })[0]).toContain("over EU868's 14 dBm");
    const noLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    await expect(rnodeLinkKind.open({ ...rnodeLinkKind.defaults, frequencyHz: 915_000_000 }, {
      clock: systemClock, random: new SeededRandom('x'), log: noLog as never, nodeId: new Uint8Array(16), region: 'EU868',
    })).rejects.toMatchObject({ code: 'link-config' });
  });
});
