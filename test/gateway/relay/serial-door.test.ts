/**
 * The serial relay door (`serial://dev/ttyS0`, whitepaper 5.1): the door
 * contract suite over a real pty pair on the real serialport binding
 * (test/links/support/pty-null-modem.py), and the line's own failure modes
 * (noise, a corrupted frame, an oversize frame, a missing device) over
 * serialport's mock binding cross-wired by the null-modem harness.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeDoorContract } from '../../seams/door.contract.ts';
import { startTestRelay } from './support.ts';
import { SERIAL_MAX_FRAME_BYTES } from '../../../protocol/server/doors.ts';
import { decodeResponseFrame, encodeDescriptorQuery } from '../../../protocol/server/frame.ts';
import { SlipFrameEncoder } from '../../../node-runtime/links/framing/slip-encoder.ts';
import { encodeSerialFrame } from '../../../node-runtime/links/serial/serial-frame.ts';
import { serialTransport } from '../../../gateway/client/serial-transport.ts';
import { RelayTransportError } from '../../../gateway/client/errors.ts';
import { RelayConfigError } from '../../../gateway/server/errors.ts';
import { MockNullModem } from '../../links/support/mock-null-modem.ts';
import { missingTool } from '../../support/required-tool.ts';

const relayScript = fileURLToPath(new URL('../../links/support/pty-null-modem.py', import.meta.url));

function ptyReason(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import pty; pty.openpty()'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return `python3 cannot open a pty: ${r.error?.message ?? r.stderr.slice(0, 200)}`;
  return undefined;
}

function startCable(): Promise<{ relay: ChildProcess; pathA: string; pathB: string }> {
  return new Promise((resolve, reject) => {
    const relay = spawn('python3', [relayScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    relay.on('error', reject);
    relay.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      const [pathA, pathB] = out.split('\n')[0]!.trim().split(' ');
      if (pathA && pathB) resolve({ relay, pathA, pathB });
      else reject(new Error(`cable printed ${out}`));
    });
  });
}

const skip = ptyReason();
if (skip) {
  missingTool('a pty helper', false, skip);
  describe('serial door on real ptys', () => it.skip(`skipped: ${skip}`, () => undefined));
} else {
  describeDoorContract('serial (pty pair, real serialport binding)', async () => {
    const cable = await startCable();
    const relay = await startTestRelay('serial-door', { http: false, serial: { path: cable.pathA, clientPath: cable.pathB } });
    return {
      relay, url: relay.urls[0]!, oversizeBytes: SERIAL_MAX_FRAME_BYTES + 1,
      close: async () => {
        await relay.cleanup();
        cable.relay.kill('SIGKILL');
      },
    };
  });
}

describe('serial door on the mock binding', () => {
  async function setUp(label: string) {
    const cable = new MockNullModem(`/dev/mock-relay-${label}`, `/dev/mock-gw-${label}`);
    const relay = await startTestRelay(`serial-${label}`, {
      http: false, serial: { path: cable.pathA, clientPath: cable.pathB, openPort: cable.openPort },
    });
    return { cable, relay };
  }

  it('answers a descriptor query across noise, and drops a frame with a bad CRC', async () => {
    const { cable, relay } = await setUp('noise');
    const t = await serialTransport(relay.urls[0]!, { openPort: cable.openPort, timeoutMs: 400 });
    try {
      cable.inject(cable.pathA, new Uint8Array([0x13, 0x37, 0xdb, 0x00, 0xc0])); // line noise, a bad escape
      const query = encodeDescriptorQuery(new Uint8Array(8).fill(3));
      const answer = decodeResponseFrame(await t.exchange(query, query.slice(1, 9)));
      expect(answer.ok && answer.value.type).toBe('descriptor');
      // One bit flipped on the wire: the CRC fails, the door stays silent, the client times out.
      cable.tamper = (bytes) => {
        const copy = Buffer.from(bytes);
        copy[5] = (copy[5]! ^ 0x01);
        return [copy];
      };
      const query2 = encodeDescriptorQuery(new Uint8Array(8).fill(4));
      await expect(t.exchange(query2, query2.slice(1, 9))).rejects.toBeInstanceOf(RelayTransportError);
      cable.tamper = undefined;
      // And the line still works afterwards, with a frame split into single bytes.
      cable.tamper = (bytes) => [...bytes].map((b) => Buffer.from([b]));
      const again = decodeResponseFrame(await t.exchange(query, query.slice(1, 9)));
      expect(again.ok && again.value.type).toBe('descriptor');
    } finally {
      await t.close();
      await relay.cleanup();
    }
  });

  it('refuses an oversize frame by reply id without buffering it, and ignores oversize noise', async () => {
    const { cable, relay } = await setUp('big');
    const t = await serialTransport(relay.urls[0]!, { openPort: cable.openPort, timeoutMs: 2000 });
    try {
      const big = new Uint8Array(SERIAL_MAX_FRAME_BYTES + 100);
      big[0] = 0x01;
      big.fill(0xc0, 20, 40); // escaped bytes in the body must not end the frame early
      const answer = decodeResponseFrame(await t.exchange(big, big.slice(9, 17)));
      expect(answer.ok && answer.value.type === 'refusal' && answer.value.code).toBe('too-large');
      expect(answer.ok && answer.value.replyId).toEqual(big.slice(9, 17));
      const before = cable.recording(cable.pathA).length;
      cable.inject(cable.pathA, new SlipFrameEncoder().encode(encodeSerialFrame(new Uint8Array(SERIAL_MAX_FRAME_BYTES + 10).fill(0x55))));
      await new Promise((r) => setTimeout(r, 50));
      expect(cable.recording(cable.pathA).length).toBe(before);
    } finally {
      await t.close();
      await relay.cleanup();
    }
  });

  it('shares one open line between transports on the same path', async () => {
    const { cable, relay } = await setUp('shared');
    const [a, b] = await Promise.all([
      serialTransport(relay.urls[0]!, { openPort: cable.openPort }),
      serialTransport(relay.urls[0]!, { openPort: cable.openPort }),
    ]);
    try {
      const qa = encodeDescriptorQuery(new Uint8Array(8).fill(1));
      const qb = encodeDescriptorQuery(new Uint8Array(8).fill(2));
      const [ra, rb] = await Promise.all([a.exchange(qa, qa.slice(1, 9)), b.exchange(qb, qb.slice(1, 9))]);
      expect(ra.slice(1, 9)).toEqual(qa.slice(1, 9));
      expect(rb.slice(1, 9)).toEqual(qb.slice(1, 9));
      expect(cable.made.get(cable.pathB)).toHaveLength(1);
      await a.close();
      expect(cable.isOpen(cable.pathB)).toBe(true);
      await b.close();
      expect(cable.isOpen(cable.pathB)).toBe(false);
    } finally {
      await relay.cleanup();
    }
  });

  it('reopens a line that went away; traffic resumes, nothing duplicated', async () => {
    const cable = new MockNullModem('/dev/mock-relay-lost', '/dev/mock-gw-lost');
    const events: string[] = [];
    const relay = await startTestRelay('serial-lost', {
      http: false,
      serial: {
        path: cable.pathA, clientPath: cable.pathB, openPort: cable.openPort,
        initialReconnectDelayMs: 10, maxReconnectDelayMs: 40, onEvent: (e) => events.push(e.type),
      },
    });
    const t = await serialTransport(relay.urls[0]!, { openPort: cable.openPort, timeoutMs: 400 });
    try {
      const query = (n: number) => encodeDescriptorQuery(new Uint8Array(8).fill(n));
      const first = query(1);
      expect(decodeResponseFrame(await t.exchange(first, first.slice(1, 9))).ok).toBe(true);
      // The relay's adapter vanishes, and stays away for two attempts.
      cable.failNextOpens(cable.pathA, 2);
      await cable.unplug(cable.pathA);
      const lost = query(2);
      await expect(t.exchange(lost, lost.slice(1, 9))).rejects.toBeInstanceOf(RelayTransportError);
      for (let i = 0; i < 300 && !cable.isOpen(cable.pathA); i++) await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['open', 'lost', 'open-failed', 'open-failed', 'open']);
      // Back: answers flow again, one per request, on the new port.
      const again = query(3);
      const answer = decodeResponseFrame(await t.exchange(again, again.slice(1, 9)));
      expect(answer.ok && answer.value.type).toBe('descriptor');
      const second = query(4);
      expect(decodeResponseFrame(await t.exchange(second, second.slice(1, 9))).ok).toBe(true);
      // The new port wrote exactly two frames: one answer to each request since it opened.
      const ends = [...cable.recording(cable.pathA)].filter((b) => b === 0xc0).length;
      expect(ends).toBe(2 * 2); // SLIP: an END before and after each frame
      expect(cable.made.get(cable.pathA)).toHaveLength(4); // the first port, two failed attempts, the reopened one
    } finally {
      await t.close();
      await relay.cleanup();
    }
  });

  it('the client reopens its own line too: exchanges fail at once while it is down, then work again', async () => {
    const { cable, relay } = await setUp('client-lost');
    const t = await serialTransport(relay.urls[0]!, { openPort: cable.openPort, timeoutMs: 5000, initialReconnectDelayMs: 10 });
    try {
      const query = (n: number) => encodeDescriptorQuery(new Uint8Array(8).fill(n));
      const first = query(1);
      expect(decodeResponseFrame(await t.exchange(first, first.slice(1, 9))).ok).toBe(true);
      cable.failNextOpens(cable.pathB, 1);
      await cable.unplug(cable.pathB);
      const down = query(2);
      const started = Date.now();
      await expect(t.exchange(down, down.slice(1, 9))).rejects.toThrow(/serial line \/dev\/mock-gw-client-lost (lost|is down)/);
      expect(Date.now() - started).toBeLessThan(5000); // refused at once, not after the 5 s timeout
      for (let i = 0; i < 300 && !cable.isOpen(cable.pathB); i++) await new Promise((r) => setTimeout(r, 10));
      const again = query(3);
      const answer = decodeResponseFrame(await t.exchange(again, again.slice(1, 9)));
      expect(answer.ok && answer.value.replyId).toEqual(again.slice(1, 9));
      expect(cable.made.get(cable.pathB)).toHaveLength(3); // the first port, one failed attempt, the reopened one
    } finally {
      await t.close();
      await relay.cleanup();
    }
  });

  it('says which device it cannot open, as a typed error, on both ends', async () => {
    const cable = new MockNullModem('/dev/mock-relay-none', '/dev/mock-gw-none');
    cable.failNextOpens(cable.pathA, 1);
    await expect(startTestRelay('serial-none', { http: false, serial: { path: cable.pathA, openPort: cable.openPort } }))
      .rejects.toBeInstanceOf(RelayConfigError);
    cable.failNextOpens(cable.pathB, 1);
    await expect(serialTransport(`serial://${cable.pathB}`, { openPort: cable.openPort })).rejects.toThrow(/mock-gw-none/);
    await expect(serialTransport('serial://dev/ttyS0?framing=kiss')).rejects.toBeInstanceOf(RelayTransportError);
    await expect(serialTransport('serial://dev/ttyS0?speed=9600')).rejects.toBeInstanceOf(RelayTransportError);
  });
});
