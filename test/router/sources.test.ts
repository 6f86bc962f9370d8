/**
 * Authenticated sources (issue 9, items 3 and 6; docs/PROTOCOL.md
 * "Authenticated source"): a direct message to a node whose key the sender
 * holds carries an origin block, so the destination learns who sent it;
 * a forged origin is delivered as unauthenticated; and only the
 * destination's pairwise proof acknowledges a sourced message.
 */
import { describe, expect, it } from 'vitest';
import { encodeAck } from '../../protocol/mesh/control.ts';
import { ackProof, computeFrameId, defaultMeshKey, messageKey } from '../../protocol/mesh/frame-auth.ts';
import { FrameKind } from '../../protocol/mesh/frame-types.ts';
import { decodeFrame, encodeFrame, type FrameFields } from '../../protocol/mesh/frame.ts';
import { destHintOf } from '../../protocol/mesh/node-id.ts';
import { decodeOriginBody, encodeOriginBody, ORIGIN_KEYED_BYTES, ORIGIN_SHORT_BYTES } from '../../protocol/mesh/origin.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { RouterError } from '../../node-runtime/router/errors.ts';
import { filteringLink, line, makeMesh, settle, suite, text } from './mesh-harness.ts';

const meshKey = defaultMeshKey(suite);
const keys = new SeededRandom('test-keys:1');
/** The harness draws node i's seed as the i-th 32 bytes of this stream (mesh-harness.ts). */
const seeds = Array.from({ length: 4 }, () => keys.bytes(32));
const publicKey = (i: number): Uint8Array => suite.ed25519PublicKey(seeds[i]!);

function frame(fields: FrameFields): Uint8Array {
  return encodeFrame(fields, computeFrameId(suite, meshKey, fields));
}

describe('router: authenticated sources', () => {
  it('a destination learns the sender from its origin: keyed form first, the short form once acked pairwise', async () => {
    const heard: Uint8Array[] = [];
    const m = makeMesh({
      nodes: 3, links: line(3),
      wrapLink: (i, link) => (i === 2 ? filteringLink(link, (f) => { heard.push(f.bytes); return false; }) : link),
    });
    expect((await settle(m, m.routers[0]!.sendDirect(m.ids[2]!, text('one'), { destPublicKey: publicKey(2) }))).ok).toBe(true);
    expect((await settle(m, m.routers[0]!.sendDirect(m.ids[2]!, text('two'), { destPublicKey: publicKey(2) }))).ok).toBe(true);
    const got = m.delivered[2]!.filter((d) => !d.meta.broadcast);
    expect(got.map((d) => new TextDecoder().decode(d.envelope))).toEqual(['one', 'two']);
    for (const d of got) expect(d.meta.source).toEqual(m.ids[0]);
    // What crossed the last hop: sourced data frames, keyed then short, with the envelope after the block.
    const sourced = heard.map((b) => decodeFrame(b)).flatMap((r) => (r.ok && r.value.kind === FrameKind.sourcedData && r.value.hops === r.value.limit ? [r.value] : []));
    const forms = sourced.map((f) => {
      const body = decodeOriginBody(f.payload);
      if (!body.ok) throw new Error('undecodable origin');
      return [body.value.origin.form, f.payload.length - body.value.envelope.length, new TextDecoder().decode(body.value.envelope)];
    });
    expect(forms[0]).toEqual(['keyed', ORIGIN_KEYED_BYTES, 'one']);
    expect(forms.at(-1)).toEqual(['short', ORIGIN_SHORT_BYTES, 'two']);
    expect(m.routers[2]!.stats().counters.sourcesAuthenticated).toBeGreaterThanOrEqual(2);
  });

  it('a message without a known destination key goes as before and is delivered with no source', async () => {
    const m = makeMesh({ nodes: 2, links: line(2) });
    expect((await settle(m, m.routers[0]!.sendDirect(m.ids[1]!, text('plain')))).ok).toBe(true);
    expect(m.delivered[1]![0]!.meta.source).toBeUndefined();
  });

  it('a fragmented message carries its origin across the fragments', async () => {
    const m = makeMesh({ nodes: 3, links: line(3) });
    const big = new SeededRandom('big').bytes(700);
    expect((await settle(m, m.routers[0]!.sendDirect(m.ids[2]!, big, { destPublicKey: publicKey(2) }))).ok).toBe(true);
    const got = m.delivered[2]!.filter((d) => !d.meta.broadcast);
    expect(got.length).toBe(1);
    expect(got[0]!.envelope).toEqual(big);
    expect(got[0]!.meta.source).toEqual(m.ids[0]);
  });

  it('a forged origin naming another node is delivered as unauthenticated, never as that node', () => {
    const m = makeMesh({ nodes: 2, links: line(2), rogueHeardBy: [1] });
    // The rogue knows node 0's public key (it is announced) but not the key 0 shares with 1.
    const body = encodeOriginBody({ form: 'keyed', publicKey: publicKey(0), mac: new Uint8Array(8).fill(7) }, text('deposit for me'));
    m.rogue(frame({ kind: FrameKind.sourcedData, limit: 0, routed: true, destHint: destHintOf(m.ids[1]!), payload: body }));
    m.run(5_000);
    // And the short form with node 0's hint, once node 1 holds 0's key.
    m.routers[0]!.announce();
    m.run(5_000);
    const short = encodeOriginBody({ form: 'short', sourceHint: destHintOf(m.ids[0]!), mac: new Uint8Array(8).fill(9) }, text('again'));
    m.rogue(frame({ kind: FrameKind.sourcedData, limit: 0, routed: true, destHint: destHintOf(m.ids[1]!), payload: short }));
    m.run(5_000);
    const got = m.delivered[1]!.filter((d) => !d.meta.broadcast);
    expect(got.map((d) => [new TextDecoder().decode(d.envelope), d.meta.source])).toEqual([['deposit for me', undefined], ['again', undefined]]);
    expect(m.routers[1]!.stats().counters.forgedSources).toBe(2);
    expect(m.routers[1]!.stats().counters.sourcesAuthenticated).toBe(0);
  });

  it('an ack forged under the network key no longer settles a sourced message nor teaches a route', async () => {
    // 0 cannot reach 1 at all; the rogue, heard by 0, knows 1's full node id.
    const run = async (destPublicKey: Uint8Array | undefined): Promise<{ ok: boolean; routes: number; bad: number }> => {
      const m = makeMesh({ nodes: 2, links: [], rogueHeardBy: [0] });
      const envelope = text('for 1 only');
      const sent = m.routers[0]!.sendDirect(m.ids[1]!, envelope, destPublicKey ? { destPublicKey } : {});
      m.run(1_000);
      const dest = destHintOf(m.ids[1]!);
      const key = messageKey(suite, meshKey, FrameKind.data, dest, envelope);
      // "Node 1's ack, through me" (route: the rogue's hint): what a hostile node could always make.
      m.rogue(frame({
        kind: FrameKind.ack, limit: 1, hops: 1, routed: true, destHint: dest, route: new Uint8Array([0xee]),
        payload: encodeAck({ ackedKey: key, proof: ackProof(suite, meshKey, m.ids[1]!, key) }),
      }));
      const outcome = await settle(m, sent);
      const s = m.routers[0]!.stats();
      return { ok: outcome.ok, routes: s.routes.length, bad: s.counters.badAckProofs };
    };
    // Without the destination's key (as before): the forgery settles the message and teaches a route through the rogue.
    expect(await run(undefined)).toEqual({ ok: true, routes: 1, bad: 0 });
    // Sourced: the forged proof is refused, the message is not reported delivered, no route.
    expect(await run(publicKey(1))).toEqual({ ok: false, routes: 0, bad: 1 });
  });

  it('refuses a destination key that is not the key of the node id', async () => {
    const m = makeMesh({ nodes: 2, links: line(2) });
    await expect(m.routers[0]!.sendDirect(m.ids[1]!, text('x'), { destPublicKey: publicKey(0) })).rejects.toBeInstanceOf(RouterError);
    await expect(m.routers[0]!.sendDirect(m.ids[1]!, text('x'), { destPublicKey: publicKey(3) })).rejects.toMatchObject({ code: 'bad-argument' });
  });
});
