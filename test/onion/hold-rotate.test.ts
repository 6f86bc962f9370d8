/** The onion front on a simulated clock: packets held for the sender's delay; onion keys rotated with a grace period. */
import { describe, expect, it } from 'vitest';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { SimClock } from '../../node-runtime/platform/sim-clock.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { buildOnion } from '../../protocol/onion/build.ts';
import { onionRelaysOf } from '../../protocol/onion/catalog.ts';
import { ONION_CLASSES } from '../../protocol/onion/constants.ts';
import { delayCodeOf, delayMsOfCode } from '../../protocol/onion/delay.ts';
import { encodeFinalPayload } from '../../protocol/onion/payload.ts';
import { createInProcessChain } from '../../gateway/server/onion/in-process-chain.ts';
import { decodeResponseFrame } from '../../protocol/server/frame.ts';

const suite = createNodeSuite();
const c = ONION_CLASSES.radio;
const DEPOSIT = Uint8Array.from([0x01, ...new Array<number>(16).fill(0xaa), 0x00, 0x01, 0x42]);
const DAY = 86_400_000;

function setup() {
  const clock = new SimClock({ startMs: 1_800_000_000_000 });
  const chain = createInProcessChain(suite, new SeededRandom('hold'), clock, 3);
  const infos = onionRelaysOf(suite, chain.relays.map((r) => r.descriptor().bytes), Math.floor(clock.now() / 1000));
  return { clock, chain, infos };
}

describe('onion front on a simulated clock', () => {
  it('holds each packet for its delay, hop by hop, then deposits', async () => {
    const { clock, chain, infos } = setup();
    const codes = [delayCodeOf(1000), delayCodeOf(250), 0];
    const hops = infos.map((r, i) => ({ serverId: r.serverId, onionKey: r.onionKey, delayCode: codes[i] as number }));
    const start = clock.now();
    await chain.relays[0]!.handle(buildOnion(suite, new SeededRandom('p'), c, hops, encodeFinalPayload(c, DEPOSIT)), { source: 't', maxResponseBytes: 512 });
    await clock.advance(delayMsOfCode(codes[0]!) - 1);
    expect(chain.relays[0]!.holding).toBe(1);
    expect(chain.relays[1]!.counters.accepted).toBe(0);
    await clock.advance(1);
    expect(chain.relays[1]!.counters.accepted).toBe(1);
    await clock.advance(delayMsOfCode(codes[1]!));
    expect(chain.deposits).toHaveLength(1);
    expect(chain.deposits[0]!.atMs - start).toBe(delayMsOfCode(codes[0]!) + delayMsOfCode(codes[1]!));
    expect(Array.from(chain.deposits[0]!.request)).toEqual(Array.from(DEPOSIT));
  });

  it('rotates the onion key each period: the old key peels one more period, then fails the MAC', async () => {
    const { clock, chain, infos } = setup();
    const relay = chain.relays[2]!;
    const old = infos[2]!;
    const packet = (seed: string) => buildOnion(suite, new SeededRandom(seed), c,
      [{ serverId: old.serverId, onionKey: old.onionKey, delayCode: 0 }], encodeFinalPayload(c, DEPOSIT));
    const codeOf = async (p: Uint8Array) => {
      const answer = await relay.handle(p, { source: 't', maxResponseBytes: 512 });
      if (answer[0] === 0x84) return 'accepted';
      const f = decodeResponseFrame(answer);
      return f.ok && f.value.type === 'refusal' ? f.value.code : 'other';
    };
    await clock.advance(DAY);
    const rotated = relay.descriptor();
    expect(rotated.onion?.key).not.toEqual(old.onionKey);
    expect(rotated.issuedSec).toBe(Math.floor(clock.now() / 1000));
    expect(await codeOf(packet('grace'))).toBe('accepted');
    await clock.advance(DAY);
    expect(await codeOf(packet('late'))).toBe('bad-seal');
  });
});
