import { describe, expect, it } from 'vitest';
import { RouterError } from '../../node-runtime/router/errors.ts';
import { AnnounceFlag, decodeAnnounce } from '../../protocol/mesh/announce.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { computeFrameId, defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame } from '../../protocol/mesh/frame.ts';
import { decodeFragment } from '../../protocol/mesh/fragment.ts';
import { filteringLink, line, makeMesh, settle, suite, text } from './mesh-harness.ts';

const big = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) & 0xff);

describe('fragmentation over the medium', () => {
  it('carries a 3000-byte envelope across three hops with 20 % frame loss, intact and once', async () => {
    const m = makeMesh({ nodes: 4, links: line(4), loss: 0.2, seed: 3 });
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[3]!, big));
    expect(outcome.ok).toBe(true);
    expect(m.delivered[3]!.length).toBe(1);
    expect(m.delivered[3]![0]!.envelope).toEqual(big);
  });

  it('asks again only for the lost fragment (selective repeat), not the whole message', async () => {
    let dropped = false;
    const m = makeMesh({
      nodes: 2, links: line(2),
      wrapLink: (node, link) => node !== 1 ? link : filteringLink(link, (f) => {
        const d = decodeFrame(f.bytes);
        if (dropped || !d.ok || d.value.kind !== FrameKind.fragment) return false;
        const frag = decodeFragment(d.value.payload);
        if (frag.ok && frag.value.index === 4) return (dropped = true);
        return false;
      }),
    });
    const outcome = await settle(m, m.routers[0]!.sendDirect(m.ids[1]!, big));
    expect(outcome.ok).toBe(true);
    expect(dropped).toBe(true);
    expect(m.delivered[1]![0]!.envelope).toEqual(big);
    const count = Math.ceil(3000 / (255 - 8 - 2 - 8 - 8));
    // One request at once for fragments 1.. (the first came by flood: no route yet), one for the lost fragment.
    expect(m.routers[0]!.stats().counters.fragmentRequests).toBe(2);
    expect(m.links[0]!.stats().framesSent).toBe(count + 1);
    expect(m.routers[0]!.stats().counters.floods).toBe(1);
  });

  it('refuses envelopes over the cap, empty ones, bad ids and this node as destination', async () => {
    const m = makeMesh({ nodes: 2, links: line(2) });
    await expect(m.routers[0]!.sendDirect(m.ids[0]!, text('me'))).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(m.routers[0]!.sendDirect(m.ids[1]!, new Uint8Array(0))).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(m.routers[0]!.sendDirect(new Uint8Array(7), text('x'))).rejects.toMatchObject({ code: 'bad-argument' });
    await expect(m.routers[0]!.sendDirect(m.ids[1]!, new Uint8Array(4097))).rejects.toMatchObject({ code: 'envelope-too-large' });
    expect(() => m.routers[0]!.broadcast(new Uint8Array(240))).toThrow(RouterError);
  });
});

describe('announces and the server catalog', () => {
  it('fills the catalog with signed announces, hop-limited, filtered by flags', () => {
    const m = makeMesh({ nodes: 4, links: line(4), config: { announceHopLimit: 1, announceFlags: AnnounceFlag.mailboxHost | AnnounceFlag.gateway } });
    expect(m.routers[3]!.announce()).toBe(true);
    m.run(60_000);
    const id3 = toHex(m.ids[3]!);
    expect(m.routers[2]!.catalog().map((e) => e.nodeId)).toEqual([id3]);
    expect(m.routers[1]!.catalog(AnnounceFlag.gateway).map((e) => e.nodeId)).toEqual([id3]);
    expect(m.routers[1]!.catalog()[0]!.hops).toBe(1);
    expect(m.routers[0]!.catalog()).toEqual([]); // one relay allowed: two hops out at most
    expect(m.routers[2]!.stats().neighbours.some((n) => n.nodeId === id3 && n.snrDb !== undefined)).toBe(true);
  });

  it('refuses replayed (not newer) and badly signed announces, counted', () => {
    let captured: Uint8Array | undefined;
    const m = makeMesh({
      nodes: 2, links: line(2), rogueHeardBy: [0],
      wrapLink: (node, link) => node !== 0 ? link : filteringLink(link, (f) => {
        const d = decodeFrame(f.bytes);
        if (d.ok && d.value.kind === FrameKind.announce) captured = d.value.payload.slice();
        return false;
      }),
    });
    m.routers[1]!.announce();
    m.run(10_000);
    expect(captured && decodeAnnounce(captured).ok).toBe(true);
    const key = defaultMeshKey(suite);
    const rewrap = (payload: Uint8Array, attempt: number): Uint8Array => {
      const f = { kind: FrameKind.announce, limit: 0, routed: false, attempt, destHint: 0xffff, sourceHint: 0x1234, payload } as const;
      return encodeFrame(f, computeFrameId(suite, key, f));
    };
    m.rogue(rewrap(captured!, 1)); // same announce, new frame id: a replay
    m.run(10_000);
    const forged = captured!.slice();
    forged[1] = (forged[1] as number) ^ 0xff; // sequence changed, signature no longer matches
    m.rogue(rewrap(forged, 2));
    m.run(10_000);
    const c = m.routers[0]!.stats().counters;
    expect(c.replayedAnnounces).toBe(1);
    expect(c.badAnnounces).toBe(1);
    expect(m.routers[0]!.catalog().length).toBe(1);
  });

  it('caps announce airtime (own and relayed) at the configured share', () => {
    const m = makeMesh({ nodes: 2, links: line(2), config: { announceAirtimeShare: 0.02 } });
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      if (m.routers[0]!.announce()) sent++;
      m.run(10_000);
    }
    const airtime = m.links[0]!.airtimeMs(8 + 2 + 101);
    const elapsed = 200 * 10_000;
    // Budget: a bucket of 2 % of an hour plus 2 % of the elapsed time.
    expect(sent * airtime).toBeLessThanOrEqual(0.02 * (3_600_000 + elapsed) + airtime);
    expect(m.routers[0]!.stats().counters.announcesThrottled).toBe(200 - sent);
    expect(sent).toBeGreaterThan(20);
  });
});

describe('durable delivery hook and close', () => {
  it('acknowledges only after the store accepted; a refusing store means no ack and a failed send', async () => {
    const accepted: string[] = [];
    let refuse = true;
    const m = makeMesh({
      nodes: 2, links: line(2), config: { maxAttempts: 2 },
      store: (n) => n !== 1 ? undefined : { accept: async (env) => { if (refuse) return false; accepted.push(new TextDecoder().decode(env)); return true; } },
    });
    const refused = m.routers[0]!.sendDirect(m.ids[1]!, text('not stored')).then(() => 'acked', () => 'failed');
    for (let t = 0; t < 60; t++) { m.run(10_000); await Promise.resolve(); }
    expect(await refused).toBe('failed');
    expect(m.delivered[1]!.length).toBe(0);
    refuse = false;
    const ok = m.routers[0]!.sendDirect(m.ids[1]!, text('stored'));
    // The store answers asynchronously: let its promise settle between clock steps.
    for (let t = 0; t < 60; t++) { m.run(5_000); await new Promise((r) => setImmediate(r)); }
    await ok;
    expect(accepted).toEqual(['stored']);
    expect(m.delivered[1]!.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['stored']);
  });

  it('close() rejects pending sends with code closed and stops all activity', async () => {
    const m = makeMesh({ nodes: 2, links: line(2) });
    const p = m.routers[0]!.sendDirect(new Uint8Array(8).fill(9), text('pending'));
    m.run(1_000);
    await m.routers[0]!.close();
    await expect(p).rejects.toMatchObject({ name: 'RouterError', code: 'closed' });
    await expect(m.routers[0]!.sendDirect(m.ids[1]!, text('x'))).rejects.toMatchObject({ code: 'closed' });
    const before = m.links[0]!.stats().framesSent;
    m.run(600_000);
    expect(m.links[0]!.stats().framesSent).toBe(before);
    expect(m.clock.pendingTimers()).toBeLessThan(5);
  });
});
