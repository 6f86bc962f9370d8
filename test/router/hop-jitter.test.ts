/**
 * Hop retries are jittered (relay.ts, 0.75-1.25x the hop wait): with a fixed
 * wait a relay's retries fall in step with a periodic sender beside the next
 * hop (the simulator's forger, every 20 s) and all land under its frames.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../protocol/mesh/frame.ts';
import { filteringLink, line, makeMesh, settle, text } from './mesh-harness.ts';

describe('router: hop retry timing', () => {
  it('spaces a relay\'s retries unevenly, within a quarter of the hop wait either way', async () => {
    let deaf = false;
    const m = makeMesh({ seed: 5, nodes: 3, links: line(3), wrapLink: (i, link) => (i === 2 ? filteringLink(link, () => deaf) : link) });
    expect((await settle(m, m.routers[0]!.sendDirect(m.ids[2]!, text('route first')))).ok).toBe(true);
    // Node 2 goes deaf: node 1 forwards the next routed message and retries it into silence.
    deaf = true;
    const sends: number[] = [];
    const transmit = m.medium.transmit.bind(m.medium);
    m.medium.transmit = (id, bytes, onDone) => {
      const info = transmit(id, bytes, onDone);
      const f = decodeFrame(bytes);
      if (id === '1' && f.ok && f.value.routed && f.value.hops === 1 && f.value.kind !== 2) sends.push(info.startMs);
      return info;
    };
    void m.routers[0]!.sendDirect(m.ids[2]!, text('into silence')).catch(() => undefined);
    m.run(200_000);
    const gaps = sends.slice(1, 4).map((t, k) => t - (sends[k] as number));
    expect(gaps).toHaveLength(3);
    // Same mean wait as before (about 5-6 s here), but no two retries the same distance apart.
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeGreaterThan(1.1);
    expect(Math.max(...gaps) / Math.min(...gaps)).toBeLessThan(1.25 / 0.75 + 0.1);
  });
});
