/**
 * Two nodes in two Linux network namespaces joined by a veth pair: each
 * finds the other by real mDNS and they exchange frames over real UDP, as
 * two boards on an isolated Wi-Fi LAN would. Needs root and iproute2 (CI
 * runs as root and .ci/run installs iproute2); where `ip netns` is not
 * permitted the test is skipped with the reason printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsPair } from './support/netns.ts';
import { toolsRequired } from '../support/required-tool.ts';

describe('UDP link + mDNS between two network namespaces (veth)', () => {
  const pair = new NetnsPair('n', 1);
  let skipReason: string | undefined;

  beforeAll(() => {
    skipReason = pair.setUp();
    if (skipReason) console.warn(`[udp-netns] skipped: network namespaces unavailable here (${skipReason})`);
  });

  afterAll(() => pair.remove());

  it('discovers the peer by mDNS and exchanges frames both ways', async (ctx) => {
    if (skipReason) {
      if (toolsRequired()) throw new Error(`required in CI: ${skipReason}`);
      ctx.skip();
    }
    const [a, b] = await Promise.all([pair.runNode(pair.nsA, 'aa01', 'bb02'), pair.runNode(pair.nsB, 'bb02', 'aa01')]);
    const detail = `a: ${JSON.stringify(a.result)} ${a.stderr.slice(0, 500)}\nb: ${JSON.stringify(b.result)} ${b.stderr.slice(0, 500)}`;
    expect(a.code, detail).toBe(0);
    expect(b.code, detail).toBe(0);
    expect(a.result?.peers).toEqual([expect.objectContaining({ host: pair.addressB, nodeId: 'bb02', source: 'mdns' })]);
    expect(b.result?.peers).toEqual([expect.objectContaining({ host: pair.addressA, nodeId: 'aa01', source: 'mdns' })]);
    expect(a.result?.peers[0]?.port).toBe(b.result?.port);
    expect(a.result?.heard).toEqual([`hello from bb02 via ${pair.addressB}:${b.result?.port}`]);
    expect(b.result?.heard).toEqual([`hello from aa01 via ${pair.addressA}:${a.result?.port}`]);
    expect(a.result?.mdnsErrors).toEqual([]);
    expect(b.result?.mdnsErrors).toEqual([]);
    expect(a.result!.discoveryMs).toBeLessThan(10_000);
  }, 30_000);
});
