/**
 * The KISS TNC link (node-runtime/links/kiss/) over the real serialport
 * stack on @serialport/binding-mock: two links joined by the null-modem
 * harness stand for two TNCs that pass data frames through. The link
 * contract, the TNC's own frames, and the `kiss` kind's `serial:` URL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { systemClock } from '../../node-runtime/platform/clock.ts';
import type { ReceivedFrame } from '../../seams/link.ts';
import { ConfigFieldError } from '../../node-runtime/links/config-fields.ts';
import { KissFrameEncoder } from '../../node-runtime/links/framing/kiss-encoder.ts';
import { KissLink } from '../../node-runtime/links/kiss/kiss-link.ts';
import { kissLinkKind } from '../../node-runtime/links/kiss/kind.ts';
import { parseSerialUrl } from '../../node-runtime/links/kiss/serial-url.ts';
import { findLinkKind } from '../../node-runtime/links/registry.ts';
import { describeLinkContract } from '../seams/link.contract.ts';
import { MockNullModem } from './support/mock-null-modem.ts';

let n = 0;
const links: KissLink[] = [];
async function pair(): Promise<{ cable: MockNullModem; a: KissLink; b: KissLink }> {
  const tag = `${process.pid}-kiss-${++n}-${Math.floor(Math.random() * 1e9)}`;
  const cable = new MockNullModem(`/dev/ttyKISS-a-${tag}`, `/dev/ttyKISS-b-${tag}`);
  const common = { baudRate: 115_200, clock: systemClock, random: new SeededRandom('kiss'), openPort: cable.openPort };
  const a = new KissLink({ ...common, path: cable.pathA, id: 'kiss-a' });
  const b = new KissLink({ ...common, path: cable.pathB, id: 'kiss-b' });
  await Promise.all([a.whenOpen(), b.whenOpen()]);
  links.push(a, b);
  return { cable, a, b };
}
afterEach(async () => {
  for (const l of links.splice(0)) await l.close();
});

describeLinkContract('kiss (KISS data frames over serialport on binding-mock)', async () => {
  const { a, b } = await pair();
  return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
});

const until = async (p: () => boolean): Promise<void> => {
  const start = Date.now();
  while (!p()) {
    if (Date.now() - start > 3000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('KISS link', () => {
  it('puts each mesh frame in one KISS data frame, FEND and FESC escaped', async () => {
    const { cable, a } = await pair();
    const [port] = cable.made.get(cable.pathA) ?? [];
    await a.send(Uint8Array.of(0xc0, 0x01, 0xdb));
    await until(() => (port?.port?.recording.length ?? 0) > 0);
    expect([...(port?.port?.recording ?? [])]).toEqual([0xc0, 0x00, 0xdb, 0xdc, 0x01, 0xdb, 0xdd, 0xc0]);
  });

  it('drops the TNC\'s non-data frames and data frames of another port, and counts them', async () => {
    const { cable, b } = await pair();
    const inbox: ReceivedFrame[] = [];
    b.onFrame((f) => inbox.push(f));
    const enc = new KissFrameEncoder();
    const [portA] = cable.made.get(cable.pathA) ?? [];
    // TXDELAY (command 1), a data frame on port 1 (0x10), then a good data frame on port 0.
    portA?.write(Buffer.from([...enc.encode(0x01, Uint8Array.of(50)), ...enc.encode(0x10, Uint8Array.of(1)), ...enc.encode(0x00, Uint8Array.of(7, 7))]));
    await until(() => inbox.length === 1);
    expect(inbox[0]?.bytes).toEqual(Uint8Array.of(7, 7));
    expect(b.stats()).toMatchObject({ droppedNotData: 2, framesDropped: 2, framesReceived: 1 });
  });
});

describe('kiss kind and serial: URLs', () => {
  it('is registered and reads serial:///dev/ttyUSB0?baud=115200&framing=kiss', () => {
    expect(findLinkKind('kiss')).toBe(kissLinkKind);
    expect(kissLinkKind.parse({ type: 'kiss', url: 'serial:///dev/ttyUSB0?baud=9600&framing=kiss' }, 'links[0]'))
      .toEqual({ type: 'kiss', path: '/dev/ttyUSB0', baudRate: 9600, tncPort: 0, mtu: 255 });
  });

  it('reads the short serial://dev/ttyS0 form and refuses unknown parameters with a reason', () => {
    expect(parseSerialUrl('serial://dev/ttyS0')).toEqual({ ok: true, value: { path: '/dev/ttyS0' } });
    expect(parseSerialUrl('serial:///dev/ttyUSB0?baud=fast')).toMatchObject({ ok: false, reason: expect.stringContaining('baud') });
    expect(parseSerialUrl('serial:///dev/x?parity=even')).toMatchObject({ ok: false, reason: expect.stringContaining('parity') });
    expect(parseSerialUrl('udp://h:1')).toMatchObject({ ok: false });
    expect(parseSerialUrl('serial://')).toMatchObject({ ok: false });
  });

  it('refuses framing=slip and a bad URL with a ConfigFieldError naming links[i].url', () => {
    for (const url of ['serial:///dev/ttyUSB0?framing=slip', 'serial:///dev/ttyUSB0?baud=12']) {
      expect(() => kissLinkKind.parse({ type: 'kiss', url }, 'links[1]')).toThrow(ConfigFieldError);
      try {
        kissLinkKind.parse({ type: 'kiss', url }, 'links[1]');
      } catch (e) {
        expect((e as ConfigFieldError).fields.field).toBe('links[1].url');
      }
    }
  });
});
