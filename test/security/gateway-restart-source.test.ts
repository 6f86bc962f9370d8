/**
 * A gateway restarted (a new router that never heard the registered node,
 * the same data directory and store) still sends the mail it injects for
 * that node authenticated: the node key the router verified when the
 * registration came (DeliverMeta.sourcePublicKey) is kept with it in the
 * registration book, and the injected mail is sent with it as destPublicKey.
 * Without it the mail would go unsourced, settled by the network-key ack
 * anyone can forge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { suite } from '../router/mesh-harness.ts';
import { GATEWAY, meshGatewayBed, USER, userPublic } from './mesh-gateway-bed.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('gateway restart: injected mail stays authenticated', () => {
  it('a new router, the same book: the mail goes with the registered node key and arrives sourced', async () => {
    const bed = meshGatewayBed('gateway-restart-source');
    cleanups.push(() => bed.close());

    // Before the restart: the user registers, authenticated (it holds the gateway's key: it seals to it).
    const first = await bed.boot();
    const lookup = generateLookupKeyPair(suite, bed.random);
    const reg = await bed.register(first, lookup);
    expect(reg.ok).toBe(true);
    await bed.shutdown(first);

    // After: new routers (none holds the user's key), the same data directory and store.
    const m = await bed.boot();
    cleanups.push(() => bed.shutdown(m));
    expect(bed.gateway().status().fetcher.registrations).toBe(1);
    const mail = new Uint8Array(50).fill(0x5a);
    bed.relay.mailbox(mailboxTagOf(suite, lookup.publicKey)).set('00'.repeat(16), mail);
    await bed.untilDelivered(m);
    expect(bed.sent).toEqual([{ node: toHex(m.ids[USER]!), key: toHex(userPublic) }]);
    expect(m.delivered[USER]!.map((d) => [toHex(d.envelope), d.meta.source && toHex(d.meta.source)])).toEqual([[toHex(mail), toHex(m.ids[GATEWAY]!)]]);
  });
});
