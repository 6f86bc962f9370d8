/**
 * The one reconnecting UART (node-runtime/links/serial/reconnecting-uart.ts)
 * behind the serial link, the KISS/RNode port and the serial relay door, on
 * serialport's mock binding: the port vanishes and comes back, the reader
 * is told (to reset its deframer), bytes flow again, each exactly once, and
 * nothing from the old port object reaches the reader after the loss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import { ReconnectingUart, type UartEvent } from '../../node-runtime/links/serial/reconnecting-uart.ts';
import { MockNullModem } from './support/mock-null-modem.ts';

const open: ReconnectingUart[] = [];
afterEach(async () => {
  for (const u of open.splice(0)) await u.close();
});

async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function line(label: string) {
  const cable = new MockNullModem(`/dev/mock-uart-a-${label}`, `/dev/mock-uart-b-${label}`);
  const seen: string[] = [];
  const got: string[] = [];
  const events: UartEvent['type'][] = [];
  const uart = new ReconnectingUart({
    path: cable.pathA, baudRate: 115200, clock: systemClock, random: new SeededRandom(label), openPort: cable.openPort,
    initialReconnectDelayMs: 10, maxReconnectDelayMs: 40, onEvent: (e) => events.push(e.type),
  }, {
    onData: (chunk) => got.push(Buffer.from(chunk).toString()),
    onOpen: () => seen.push('open'),
    onLost: () => seen.push('lost'),
  });
  open.push(uart);
  return { cable, uart, seen, got, events };
}

describe('ReconnectingUart on the mock binding', () => {
  it('comes back after the device vanishes; the reader hears of both, bytes flow once', async () => {
    const { cable, uart, seen, got, events } = line('vanish');
    await uart.whenOpen();
    cable.inject(cable.pathA, Buffer.from('one'));
    await waitFor(() => got.length === 1);
    const oldPort = cable.made.get(cable.pathA)![0]!;
    cable.failNextOpens(cable.pathA, 1);
    await cable.unplug(cable.pathA);
    await waitFor(() => !uart.isOpen);
    expect(await uart.write(Buffer.from('while down'))).toBe(false);
    // A late 'data' from the old port object is not the new line's: ignored.
    oldPort.emit('data', Buffer.from('stale'));
    await uart.whenOpen();
    cable.inject(cable.pathA, Buffer.from('two'));
    await waitFor(() => got.length === 2);
    expect(await uart.write(Buffer.from('out'))).toBe(true);
    await waitFor(() => cable.recording(cable.pathA).toString() === 'out');
    expect(got).toEqual(['one', 'two']);
    expect(seen).toEqual(['open', 'lost', 'open']);
    expect(events).toEqual(['open', 'lost', 'open-failed', 'open']);
    expect(uart.stats()).toEqual({ portLosses: 1, portReopens: 1 });
  });

  it('stops retrying at close(), and whenOpen() waiters are released', async () => {
    const { cable, uart, events } = line('close');
    await uart.whenOpen();
    cable.failNextOpens(cable.pathA, 1000);
    await cable.unplug(cable.pathA);
    await waitFor(() => !uart.isOpen);
    const waiting = uart.whenOpen();
    await waitFor(() => events.filter((e) => e === 'open-failed').length >= 2);
    await uart.close();
    await waiting;
    const attempts = cable.made.get(cable.pathA)!.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(cable.made.get(cable.pathA)!.length).toBe(attempts);
    expect(uart.isOpen).toBe(false);
  });
});
