/**
 * A relay closes idle keep-alive sockets; a request written on such a socket
 * just as it closes fails with ECONNRESET ("socket hang up") before the relay
 * read it. Seen in CI under load (test/e2e/directory.test.ts, a broadcast to a
 * relay refused with "socket hang up"). The transport sends it once more on a
 * fresh socket; a server that resets a fresh socket is still an error.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpTransport } from '../../../gateway/client/http-transport.ts';
import { RelayTransportError } from '../../../gateway/client/errors.ts';

const ANSWER = Buffer.from([1, 2, 3]);
const RESPONSE = Buffer.concat([
  Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: ${ANSWER.length}\r\nconnection: keep-alive\r\n\r\n`),
  ANSWER,
]);

/** Answers the first request on each socket and resets the socket on the next one, unread (an idle close racing a reuse). */
async function startServer(resetEverything = false): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections++;
    let requests = 0;
    socket.on('data', () => {
      requests++;
      if (resetEverything || requests > 1) socket.resetAndDestroy();
      else socket.write(RESPONSE);
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}`, connections: () => connections };
}

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

describe('http transport: a keep-alive socket reset as it is reused', () => {
  it('sends the request once more on a fresh socket', async () => {
    const { server, url, connections } = await startServer();
    servers.push(server);
    const t = httpTransport(url);
    try {
      expect([...(await t.exchange(new Uint8Array([9]), new Uint8Array(16)))]).toEqual([1, 2, 3]);
      // The same keep-alive socket is reused and reset unread: answered on a second connection.
      expect([...(await t.exchange(new Uint8Array([9]), new Uint8Array(16)))]).toEqual([1, 2, 3]);
      expect(connections()).toBe(2);
    } finally {
      await t.close();
    }
  });

  it('does not retry a reset on a fresh socket', async () => {
    const { server, url, connections } = await startServer(true);
    servers.push(server);
    const t = httpTransport(url);
    try {
      await expect(t.exchange(new Uint8Array([9]), new Uint8Array(16))).rejects.toBeInstanceOf(RelayTransportError);
      expect(connections()).toBe(1);
    } finally {
      await t.close();
    }
  });
});
