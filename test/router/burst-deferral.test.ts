import { describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { encodeFrame } from '../../protocol/mesh/frame.ts';
import { filteringLink, line, makeMesh, settle, text } from './mesh-harness.ts';

/**
 * A routed hop whose retry falls due while a burst fills the channel (frames
 * decoded from others over the last 10 s above 25 %) waits another hop wait
 * instead, at most hopRetryDeferrals times (relay.ts sendRouted).
 */
async function run(burst: boolean, hopRetryDeferrals?: number): Promise<{ deferred: number; retransmits: number }> {
  let blocking = false;
  const m = makeMesh({
    nodes: 2, links: line(2), rogueHeardBy: [0], config: { maxAttempts: 1, ...(hopRetryDeferrals !== undefined && { hopRetryDeferrals }) },
    // Once the route is known, node 1 hears nothing: node 0's routed hop never sees progress.
    wrapLink: (node, link) => node !== 1 ? link : filteringLink(link, () => blocking),
  });
  const first = await settle(m, m.routers[0]!.sendDirect(m.ids[1]!, text('learn the route')));
  expect(first.ok).toBe(true);
  expect(m.routers[0]!.stats().routes.length).toBeGreaterThan(0);
  blocking = true;
  if (burst) {
    // A decodable 200-byte flood frame (its MAC is wrong: dropped as forged, but it took airtime), half the time.
    const noise = encodeFrame({ kind: FrameKind.data, limit: 3, routed: false, destHint: 0x1234, sourceHint: 0x4321, payload: new Uint8Array(180) }, 1);
    const periodMs = 2 * m.medium.airtimeMs(noise.length);
    const blast = (): void => { m.rogue(noise); m.clock.setTimer(periodMs, blast); };
    blast();
  }
  const second = await settle(m, m.routers[0]!.sendDirect(m.ids[1]!, text('into the burst')), 3_600_000);
  expect(second.ok).toBe(false);
  m.run(600_000);
  const c = m.routers[0]!.stats().counters;
  return { deferred: c.hopRetriesDeferred, retransmits: c.hopRetransmits };
}

describe('hop retries in a burst', () => {
  it('are put off twice while the burst lasts, then spent as usual', async () => {
    const quiet = await run(false);
    expect(quiet).toEqual({ deferred: 0, retransmits: 3 });
    const busy = await run(true);
    expect(busy.retransmits).toBe(3);
    // Two deferrals per routed frame in all (not per retry), then the three retries as usual.
    expect(busy.deferred).toBe(2);
    expect(await run(true, 0)).toEqual({ deferred: 0, retransmits: 3 });
  });
});
