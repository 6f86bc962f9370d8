/**
 * A TCP proxy on loopback that can be cut: while `online` is false it
 * destroys every open connection and every new one, the way a dropped
 * uplink looks to a gateway. Used to make real connectivity flaps.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export class CutProxy {
  private online = true;
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.online) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  setOnline(online: boolean): void {
    this.online = online;
    if (!online) for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.setOnline(false);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
