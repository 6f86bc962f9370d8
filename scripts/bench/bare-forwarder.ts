/**
 * The floor for node-chain.bench.ts: a Node.js process that does nothing
 * but forward UDP datagrams, each to every listed peer (as the UDP link
 * sends every frame to all its peers), no parsing, no crypto, no timers.
 * Started the way meow-node is (through tsx); prints "ready" when bound.
 * `tsx scripts/bench/bare-forwarder.ts PORT PEER_PORT...`
 */
import { createSocket } from 'node:dgram';

const [port, ...peers] = process.argv.slice(2).map(Number);
const socket = createSocket('udp4');
socket.on('message', (msg) => {
  for (const p of peers) socket.send(msg, p, '127.0.0.1');
});
socket.bind(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
