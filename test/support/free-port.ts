/**
 * Ports for tests that must name a port before a child process binds it.
 *
 * Why not fixed numbers in 32768-60999: that is Linux's ephemeral range, from
 * which every outgoing connection of the suite (HTTP clients, Chromium, the
 * MQTT broker) takes its local port, so a fixed port there is sometimes taken
 * by a stranger's connection and a node fails to bind. Ports handed out here
 * come from 23000-32767, which the kernel never hands out on its own, and
 * each is checked free for TCP and UDP on every address before it is given.
 * Fixed ports of other tests live in 20000-22999.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOW = 23_000;
const HIGH = 32_767;
const given = new Set<number>();

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => { socket.close(); resolve(false); });
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** `n` distinct ports, free right now for TCP and UDP, never the same twice in this process. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < n; tries++) {
    if (tries > 1000) throw new Error(`no ${n} free ports in ${LOW}-${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (given.has(port) || !(await tcpFree(port)) || !(await udpFree(port))) continue;
    given.add(port);
    ports.push(port);
  }
  return ports;
}
