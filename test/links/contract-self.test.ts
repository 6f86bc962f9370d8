/**
 * Runs the contract suite against a minimal in-memory link pair, so the
 * suite itself is exercised without sockets or serial ports; the real links
 * run it in udp-link.test.ts and serial-link.test.ts.
 */
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../seams/link.ts';
import { describeLinkContract } from '../seams/link.contract.ts';

class WireLink implements Link {
  readonly kind = 'udp' as const;
  readonly mtu = 64;
  peer: WireLink | undefined;
  private handler: ((f: ReceivedFrame) => void) | undefined;
  private closed = false;
  private readonly counters: LinkStats = { framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(readonly id: string) {}

  airtimeMs(): number {
    return 0;
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.closed) throw new LinkClosedError('closed');
    if (frame.length > this.mtu) throw new FrameTooLargeError(`${frame.length} > ${this.mtu}`);
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
    const copy = frame.slice();
    setTimeout(() => this.peer?.receive(copy), 1);
  }

  private receive(bytes: Uint8Array): void {
    if (this.closed || !this.handler) return;
    this.counters.framesReceived++;
    this.counters.bytesReceived += bytes.length;
    this.handler({ bytes });
  }

  onFrame(handler: (f: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  stats(): LinkStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

describeLinkContract('in-memory wire (suite self-test)', async () => {
  const a = new WireLink('wire-a');
  const b = new WireLink('wire-b');
  a.peer = b;
  b.peer = a;
  return { a, b, cleanup: async () => { await a.close(); await b.close(); } };
});
