/**
 * Mail a gateway fetched for a registered node two hops away reaches that
 * node with the gateway as its authenticated source: the registration came
 * with an origin block (a registrant holds the gateway's key: it seals to
 * it), so the gateway's router holds the node's key and its injected mail
 * carries an origin and is settled only by the node's pairwise ack.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../protocol/server/mailbox.ts';
import { suite } from '../router/mesh-harness.ts';
import { GATEWAY, meshGatewayBed, USER } from './mesh-gateway-bed.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('gateway: injected mail to a registered node', () => {
  it('two hops away, arrives with the gateway as its authenticated source', async () => {
    // The gateway's sends go without the node key it keeps: its router must hold the key from the registration.
    const bed = meshGatewayBed('gateway-injection', false);
    cleanups.push(() => bed.close());
    const m = await bed.boot();
    cleanups.push(() => bed.shutdown(m));

    const lookup = generateLookupKeyPair(suite, bed.random);
    const sent = await bed.register(m, lookup);
    expect(sent.ok).toBe(true);
    expect(bed.gateway().status().fetcher.registrations).toBe(1);

    // Mail waiting on the relay for the registered mailbox.
    const mail = new Uint8Array(50).fill(0x5a);
    bed.relay.mailbox(mailboxTagOf(suite, lookup.publicKey)).set('00'.repeat(16), mail);
    await bed.untilDelivered(m);
    expect(m.delivered[USER]!.map((d) => [toHex(d.envelope), d.meta.source && toHex(d.meta.source)])).toEqual([[toHex(mail), toHex(m.ids[GATEWAY]!)]]);
  });
});
