/**
 * The gateway role (apps/meow-node/gateway-role.ts) under a radio user who
 * asks too much: registrations, each a mailbox the gateway polls until it
 * expires, are bounded per authenticated node (gateway/bridge/registration-allowance.ts),
 * renewals stay free and the bound holds across a restart; and the answer
 * to an onion request goes back keyed to the node that asked, so it
 * carries an origin that node verifies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { gatewayAgreementPublic, sealRegistration } from '../../protocol/gateway/registration.ts';
import { encodeGatewayRequest, type GatewayRequest } from '../../protocol/gateway/request.ts';
import { generateLookupKeyPair, type LookupKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { settle } from '../router/mesh-harness.ts';
import { type GatewayUnderTest, gatewayUnderTest, RELAY, suite } from '../security/gateway-role-harness.ts';
import { GATEWAY, gatewayPublic, meshGatewayBed, USER, userPublic } from '../security/mesh-gateway-bed.ts';

const random = new SeededRandom('gateway-role-allowance');
const ALICE = random.bytes(8);
const BOB = random.bytes(8);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function registration(g: GatewayUnderTest, deliverTo: Uint8Array, lookup: LookupKeyPair, issuedAtSec = Math.floor(g.clock.now() / 1000)): GatewayRequest {
  const sealed = sealRegistration(suite, random, { role: 'device', signing: g.nodePublic, agreement: gatewayAgreementPublic(g.nodePublic)! }, {
    relayUrl: RELAY, lookup, deliverTo, issuedAtSec, expiresAtSec: issuedAtSec + 86_400,
  });
  return { kind: 'registration', sealed };
}

const refusals = (g: GatewayUnderTest): string[] => g.lines.filter((l) => l.includes('gateway registration refused')).map((l) => (JSON.parse(l.slice(l.indexOf('{'))) as { code: string }).code);

describe('gateway role: registrations per node', () => {
  it('refuses a node\'s fifth mailbox while another node still registers; a renewal is free', async () => {
    const g = await gatewayUnderTest('registration-bound');
    cleanups.push(() => g.stop());
    const alice = Array.from({ length: 5 }, () => generateLookupKeyPair(suite, random));
    for (const lookup of alice) expect(g.gateway.handle(registration(g, ALICE, lookup), toHex(ALICE))).toBe(true);
    // Acknowledged (a retry could not change it) and not kept.
    expect(g.gateway.status().fetcher.registrations).toBe(4);
    expect(refusals(g)).toEqual(['node-bound']);
    expect(g.gateway.handle(registration(g, BOB, generateLookupKeyPair(suite, random)), toHex(BOB))).toBe(true);
    expect(g.gateway.status().fetcher.registrations).toBe(5);
    // A renewal of one of Alice's four: kept, no new refusal.
    g.clock.t += 60_000;
    g.gateway.handle(registration(g, ALICE, alice[0]!), toHex(ALICE));
    expect(refusals(g)).toEqual(['node-bound']);
    expect(g.lines.filter((l) => l.includes('gateway registration not kept'))).toEqual([]);
    expect(g.gateway.status().fetcher.registrations).toBe(5);
    // No key in the refusal: the line names the code only.
    const line = g.lines.find((l) => l.includes('gateway registration refused'))!;
    expect(line).not.toContain(toHex(alice[4]!.publicKey));
  });

  it('the bound holds after a restart: registrations read back count toward their node\'s', async () => {
    const first = await gatewayUnderTest('registration-bound-restart');
    const alice = Array.from({ length: 4 }, () => generateLookupKeyPair(suite, random));
    for (const lookup of alice) first.gateway.handle(registration(first, ALICE, lookup), toHex(ALICE));
    expect(first.gateway.status().fetcher.registrations).toBe(4);
    await first.stop(true);
    const g = await gatewayUnderTest('registration-bound-restart', first.dataDir);
    cleanups.push(() => g.stop());
    expect(g.gateway.status().fetcher.registrations).toBe(4);
    g.gateway.handle(registration(g, ALICE, generateLookupKeyPair(suite, random)), toHex(ALICE));
    expect(g.gateway.status().fetcher.registrations).toBe(4);
    expect(refusals(g)).toEqual(['node-bound']);
    // A restored registration is renewed for free.
    g.clock.t += 60_000;
    g.gateway.handle(registration(g, ALICE, alice[1]!), toHex(ALICE));
    expect(refusals(g)).toEqual(['node-bound']);
    expect(g.lines.filter((l) => l.includes('gateway registration not kept'))).toEqual([]);
    expect(g.gateway.handle(registration(g, BOB, generateLookupKeyPair(suite, random)), toHex(BOB))).toBe(true);
    expect(g.gateway.status().fetcher.registrations).toBe(5);
  });
});

describe('gateway role: onion answers', () => {
  const catalogRequest = (ticket: number): GatewayRequest =>
    ({ kind: 'onion-catalog', ticket: new Uint8Array(8).fill(ticket), relayUrl: 'http://not-served.example' });

  it('go back keyed to the authenticated node that asked, never under a key that is not its own', async () => {
    const bed = meshGatewayBed('onion-answer-keyed');
    cleanups.push(() => bed.close());
    const m = await bed.boot();
    cleanups.push(() => bed.shutdown(m));
    const user = toHex(m.ids[USER]!);
    // Over the mesh, authenticated (the user holds the gateway's key): the router hands the gateway the user's key.
    const sent = await settle(m, m.routers[USER]!.sendDirect(m.ids[GATEWAY]!, encodeGatewayRequest(catalogRequest(1)), { destPublicKey: gatewayPublic }));
    expect(sent.ok).toBe(true);
    for (let i = 0; i < 20 && bed.sent.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(bed.sent).toEqual([{ node: user, key: toHex(userPublic) }]);
    // A key that is not the sender's (a wrong caller): the answer goes unkeyed rather than keyed to another node.
    bed.gateway().handle(catalogRequest(2), user, gatewayPublic);
    for (let i = 0; i < 20 && bed.sent.length === 1; i++) await new Promise((r) => setImmediate(r));
    expect(bed.sent[1]).toEqual({ node: user, key: undefined });
  });
});
