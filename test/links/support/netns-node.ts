/**
 * One mesh node's UDP link with mDNS discovery, run inside a network
 * namespace by udp-netns.test.ts (`ip netns exec NS node --import tsx ...`).
 * It waits to discover the peer node by mDNS, then sends a frame every
 * 100 ms until it has both discovered the peer and heard a frame from it
 * (the peer may find us first and be heard before we find it), keeps sending
 * a little longer so the peer hears us too, prints one JSON line and exits.
 * mDNS errors (port 5353 not shared, say) are reported in the line.
 *
 * Usage: netns-node.ts <own node id hex> <peer node id hex> <timeout ms>
 */
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../../node-runtime/platform/random.ts';
import { bindUdpLink } from '../../../node-runtime/links/udp/udp-link.ts';
import { MdnsDiscovery } from '../../../node-runtime/links/udp/mdns-discovery.ts';

const [nodeId = '', peerNodeId = '', timeoutText = '15000'] = process.argv.slice(2);
const started = Date.now();
const deadline = started + Number(timeoutText);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const link = await bindUdpLink({ random: systemRandom, port: 0 });
const mdnsErrors: string[] = [];
const discovery = new MdnsDiscovery(link, {
  nodeId, clock: systemClock, requeryIntervalMs: 1000,
  onEvent: (e) => { if (e.type === 'mdns-error') mdnsErrors.push(e.reason); },
});
const heard: string[] = [];
link.onFrame((f) => heard.push(`${new TextDecoder().decode(f.bytes)} via ${f.linkAddress ?? '?'}`));

let discoveryMs = -1;
let peersWhenHeard: unknown[] = [];
let outcome = 'timeout';
while (Date.now() < deadline) {
  const peer = link.peers().find((p) => p.nodeId === peerNodeId);
  if (peer && discoveryMs < 0) discoveryMs = Date.now() - started;
  if (peer) await link.send(new TextEncoder().encode(`hello from ${nodeId}`));
  if (heard.length > 0 && discoveryMs >= 0) {
    peersWhenHeard = link.peers(); // the peer's goodbye may remove it before we finish
    for (let i = 0; i < 5; i++) {
      await link.send(new TextEncoder().encode(`hello from ${nodeId}`));
      await sleep(100);
    }
    outcome = 'ok';
    break;
  }
  await sleep(100);
}
const result = { nodeId, outcome, discoveryMs, port: link.port, peers: peersWhenHeard, heard: [...new Set(heard)], mdnsErrors, instance: discovery.instanceName };
await link.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(outcome === 'ok' ? 0 : 1);
