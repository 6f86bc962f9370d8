/**
 * A captured deposit replayed to a gateway after the router's replay window
 * (an hour, node-runtime/router) is delivered again under its sender's name:
 * it must not spend that sender's allowance, nor a second relay deposit
 * (each costs the gateway a proof-of-work stamp).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayRequest } from '../../protocol/gateway/request.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import { type GatewayUnderTest, gatewayUnderTest, RELAY } from './gateway-role-harness.ts';

const SENDER = toHex(new SeededRandom('sender').bytes(8));
let under: GatewayUnderTest | undefined;
afterEach(async () => {
  await under?.stop();
  under = undefined;
});

function deposit(i: number): GatewayRequest {
  return { kind: 'relay-deposit', relayUrl: RELAY, tag: new SeededRandom(`tag:${i}`).bytes(16), envelope: new Uint8Array(40).fill(i) };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('gateway: a replayed deposit', () => {
  it('sent to the relay already: acknowledged, not deposited again, and the sender\'s allowance is whole', async () => {
    under = await gatewayUnderTest('gateway-replay-sent');
    const { gateway, relay, clock } = under;
    expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    await settle();
    expect(relay.deposits).toBe(1);
    // Two hours later the replayer sends the captured frame 100 times: past the router's window, each is delivered.
    clock.t += 2 * 3_600_000;
    for (let i = 0; i < 100; i++) expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    await settle();
    expect(relay.deposits).toBe(1);
    // The sender's own allowance (60 an hour, full again after two hours) is all there.
    const fresh: boolean[] = [];
    for (let i = 1; i <= 61; i++) fresh.push(gateway.handle(deposit(i), SENDER));
    expect(fresh.filter((ok) => ok)).toHaveLength(60);
    expect(fresh[60]).toBe(false);
  });

  it('three weeks later: still a duplicate (the gateway remembers sent deposits a month)', async () => {
    under = await gatewayUnderTest('gateway-replay-late');
    const { gateway, relay, clock } = under;
    expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    await settle();
    clock.t += 21 * 24 * 3_600_000;
    for (let i = 0; i < 60; i++) expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    await settle();
    expect(relay.deposits).toBe(1);
    expect(gateway.handle(deposit(1), SENDER)).toBe(true);
  });

  it('still queued (relay offline): the same, and the shared allowance of unauthenticated senders is not spent either', async () => {
    under = await gatewayUnderTest('gateway-replay-queued');
    const { gateway, relay } = under;
    relay.online = false;
    expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    expect(gateway.handle(deposit(100), undefined)).toBe(true);
    // The sender's allowance is 60: 60 replays would empty it on a gateway that charged them.
    for (let i = 0; i < 60; i++) {
      expect(gateway.handle(deposit(0), SENDER)).toBe(true);
      expect(gateway.handle(deposit(100), undefined)).toBe(true);
    }
    expect(gateway.status().outbox).toMatchObject({ queued: 2 });
    expect(gateway.handle(deposit(1), SENDER)).toBe(true);
    expect(gateway.handle(deposit(101), undefined)).toBe(true);
  });

  it('a deposit the gateway could not queue (its outbox full) costs its sender nothing either', async () => {
    under = await gatewayUnderTest('gateway-outbox-full', undefined, { maxMessages: 1 });
    const { gateway } = under;
    expect(gateway.handle(deposit(0), SENDER)).toBe(true);
    // Until that one is flushed the queue is full: every try fails (not acknowledged, the sender keeps it), none is charged.
    for (let i = 0; i < 70; i++) expect(() => gateway.handle(deposit(1), SENDER)).toThrow(/quota/i);
    await settle();
    const fresh: boolean[] = [];
    for (let i = 1; i <= 60; i++) {
      fresh.push(gateway.handle(deposit(i), SENDER));
      await settle();
    }
    expect(fresh.filter((ok) => ok)).toHaveLength(59);
  });
});
