/**
 * The relay's doors under a connection flood (issue 9 items 5 and 7): real
 * sockets on loopback. 127.0.0.2 is a second source address on Linux's
 * loopback, which stands for an honest client elsewhere.
 */
import { connect as tcp, type Socket } from 'node:net';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpDoor } from '../../gateway/server/doors/http-door.ts';
import { sourceKeyOf } from '../../gateway/server/doors/source-key.ts';
import type { DoorCore, RunningDoor } from '../../seams/door.ts';
import { HTTP_DESCRIPTOR_PATH, HTTP_RELAY_PATH } from '../../protocol/server/doors.ts';
import { startTestRelay } from '../gateway/relay/support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcp({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function get(port: number, path: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(5_000, () => req.destroy(new Error('no answer')));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('relay door connection caps', () => {
  it('of 1,000 idle sockets from one client keeps only the per-source cap open, and still serves another source', async () => {
    const relay = await startTestRelay('conn-cap', { http: { connections: { maxConnectionsPerSource: 16, maxConnections: 64 } } });
    cleanups.push(() => relay.cleanup());
    const port = relay.doors[0]!.port;
    const sockets: Socket[] = [];
    cleanups.push(async () => sockets.forEach((s) => s.destroy()));
    let closed = 0;
    for (let i = 0; i < 1000; i++) {
      const s = await openSocket(port, '127.0.0.1').catch(() => undefined);
      if (!s) continue;
      s.on('error', () => undefined);
      s.once('close', () => closed++);
      sockets.push(s);
    }
    await sleep(300);
    expect(sockets.length - closed).toBeLessThanOrEqual(16);
    // Another source still gets in and is answered.
    expect(await get(port, HTTP_DESCRIPTOR_PATH, '127.0.0.2')).toBe(200);
  }, 60_000);

  it('closes sockets idle past the timeout', async () => {
    const relay = await startTestRelay('conn-idle', { http: { connections: { idleTimeoutMs: 300 } } });
    cleanups.push(() => relay.cleanup());
    const s = await openSocket(relay.doors[0]!.port, '127.0.0.1');
    const closedAt = new Promise<boolean>((r) => s.once('close', () => r(true)));
    s.on('error', () => undefined);
    expect(await Promise.race([closedAt, sleep(3_000).then(() => false)])).toBe(true);
  });

  it('answers a request whose handling fails with an internal refusal instead of leaving a rejection unhandled', async () => {
    const core: DoorCore = {
      serverId: new Uint8Array(8), descriptor: () => ({ bytes: new Uint8Array(0) }),
      handle: () => Promise.reject(new Error('broken core')),
    };
    const door: RunningDoor = await startHttpDoor(core, {});
    cleanups.push(() => door.close());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: door.port, path: HTTP_RELAY_PATH, method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.setTimeout(3_000, () => req.destroy(new Error('no answer')));
      req.end(Buffer.alloc(60));
    });
    expect(status).toBe(500);
  });
});

describe('source keys (issue 9 item 7)', () => {
  it('keys IPv6 sources by their /64 and IPv4 ones by address', () => {
    expect(sourceKeyOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceKeyOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKeyOf('2001:db8:1:3::1')).not.toBe(sourceKeyOf('2001:db8:1:2::1'));
    expect(sourceKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKeyOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceKeyOf('192.0.2.7')).toBe('192.0.2.7');
    expect(sourceKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceKeyOf('mqtt:abc')).toBe('mqtt:abc');
  });
});
