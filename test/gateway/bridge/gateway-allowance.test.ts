/**
 * The gateway's spending for mesh users (issue 9 item 6): a deposit
 * allowance per mesh sender, and a ceiling per minute on the proof-of-work
 * it mints over all of them; past the ceiling a deposit waits (unreachable,
 * retried from the durable outbox), it is never dropped.
 */
import { describe, expect, it } from 'vitest';
import { ceilingRelayPort, GatewayAllowance } from '../../../gateway/bridge/gateway-allowance.ts';
import type { Clock } from '../../../seams/clock.ts';
import { type RelayPort, RelayUnreachableError } from '../../../seams/relay-port.ts';

class ManualClock implements Clock {
  t = 1_790_000_000_000;
  now(): number {
    return this.t;
  }
  setTimer(): { cancel(): void } {
    return { cancel: () => undefined };
  }
}

function countingPort(): RelayPort & { deposits: number } {
  const port = {
    url: 'http://relay.test', deposits: 0,
    probe: async () => true,
    deposit: async () => {
      port.deposits++;
      return 'stored' as const;
    },
    fetch: async () => [],
    register: async () => undefined,
    close: async () => undefined,
  };
  return port;
}

describe('gateway allowance', () => {
  it('gives each mesh sender its own allowance: one sender\'s flood does not starve another', () => {
    const clock = new ManualClock();
    const allowance = new GatewayAllowance({ stampBits: 16 });
    let admitted = 0;
    for (let i = 0; i < 500; i++) if (allowance.admit('node:flooder', clock.now())) admitted++;
    expect(admitted).toBe(60);
    expect(allowance.admit('node:neighbour', clock.now())).toBe(true);
    clock.t += 60_000; // one more a minute for the flooder
    expect(allowance.admit('node:flooder', clock.now())).toBe(true);
    expect(allowance.admit('node:flooder', clock.now())).toBe(false);
  });

  it('makes every unauthenticated sender share one small allowance, whatever it names', () => {
    const clock = new ManualClock();
    const allowance = new GatewayAllowance({ stampBits: 16, unauthenticated: { capacity: 5, refillPerSecond: 0 } });
    let admitted = 0;
    for (let i = 0; i < 50; i++) if (allowance.admit(undefined, clock.now())) admitted++;
    expect(admitted).toBe(5);
    expect(allowance.stats.unauthenticated).toBe(50);
    // An authenticated sender is not touched by it.
    expect(allowance.admit('0102030405060708', clock.now())).toBe(true);
  });

  it('gives new senders an allowance of their own only while the new-sender budget lasts; known ones keep theirs', () => {
    const clock = new ManualClock();
    const allowance = new GatewayAllowance({
      stampBits: 16, perSender: { capacity: 2, refillPerSecond: 0 }, unauthenticated: { capacity: 3, refillPerSecond: 0 },
      newSenders: { capacity: 4, refillPerSecond: 0 },
    });
    expect(allowance.admit('honest', clock.now())).toBe(true);
    // A hundred fresh keys: three more get their own allowance, the rest share three deposits.
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (allowance.admit(`sybil-${i}`, clock.now())) admitted++;
    expect(admitted).toBe(3 + 3);
    expect(allowance.admit('honest', clock.now())).toBe(true);
    expect(allowance.admit('honest', clock.now())).toBe(false);
  });

  it('caps the stamp work per minute over all senders; over it deposits wait instead of burning the CPU', async () => {
    const clock = new ManualClock();
    const allowance = new GatewayAllowance({ stampBits: 16, workPerMinute: 2 ** 20, perSender: { capacity: 1e6, refillPerSecond: 0 } });
    const relay = countingPort();
    const port = ceilingRelayPort(relay, allowance, clock);
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      port.deposit(new Uint8Array(16).fill(i), new Uint8Array([i])).then(() => 'sent', (e: unknown) => (e instanceof RelayUnreachableError ? 'waits' : 'error'))));
    // 2^20 hashes a minute buys 16 stamps of 16 bits.
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(16);
    expect(outcomes.filter((o) => o === 'waits')).toHaveLength(84);
    expect(relay.deposits).toBe(16);
    clock.t += 60_000;
    await port.deposit(new Uint8Array(16), new Uint8Array([1]));
    expect(relay.deposits).toBe(17);
  });

  it('still lets a stamp dearer than a minute\'s ceiling through once the ceiling has refilled to its cost', async () => {
    const clock = new ManualClock();
    const allowance = new GatewayAllowance({ stampBits: 24, workPerMinute: 2 ** 22 });
    expect(allowance.takeStamp(clock.now())).toBe(true);
    expect(allowance.takeStamp(clock.now())).toBe(false);
    clock.t += 4 * 60_000; // 2^24 / 2^22 minutes
    expect(allowance.takeStamp(clock.now())).toBe(true);
  });
});
