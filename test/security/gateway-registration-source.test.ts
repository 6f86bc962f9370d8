/**
 * A gateway registration names the node the fetched mail is delivered to
 * (`deliverTo`). The gateway keeps it only when that node is the sender the
 * router authenticated: otherwise anyone with a mailbox of their own could
 * have a gateway push mail, over the radio, at a node that never asked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { gatewayAgreementPublic, sealRegistration } from '../../protocol/gateway/registration.ts';
import type { GatewayRequest } from '../../protocol/gateway/request.ts';
import { generateLookupKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { type GatewayUnderTest, gatewayUnderTest, RELAY, suite } from './gateway-role-harness.ts';

const random = new SeededRandom('registration-source');
const USER = random.bytes(8);
const VICTIM = random.bytes(8);
let under: GatewayUnderTest | undefined;
afterEach(async () => {
  await under?.stop();
  under = undefined;
});

function registration(g: GatewayUnderTest, deliverTo: Uint8Array, issuedAtSec = Math.floor(g.clock.now() / 1000)): GatewayRequest {
  const sealed = sealRegistration(suite, random, { role: 'device', signing: g.nodePublic, agreement: gatewayAgreementPublic(g.nodePublic)! }, {
    relayUrl: RELAY, lookup: generateLookupKeyPair(suite, random), deliverTo, issuedAtSec, expiresAtSec: issuedAtSec + 86_400,
  });
  return { kind: 'registration', sealed };
}

describe('gateway: a registration delivers only to the node that sent it', () => {
  it('refuses delivery to another node, and from an unauthenticated sender; keeps the sender\'s own', async () => {
    under = await gatewayUnderTest('registration-source');
    const g = under;
    // Acknowledged either way: a refused registration is final, a retry could not change it.
    expect(g.gateway.handle(registration(g, VICTIM), toHex(USER))).toBe(true);
    expect(g.gateway.handle(registration(g, VICTIM), undefined)).toBe(true);
    expect(g.gateway.status().fetcher.registrations).toBe(0);
    expect(g.lines.join('\n')).toMatch(/gateway registration refused.*"code":"not-the-sender"/);
    expect(g.gateway.handle(registration(g, USER), toHex(USER))).toBe(true);
    expect(g.gateway.status().fetcher.registrations).toBe(1);
  });

  it('a kept registration is read back after a restart (it was checked when it arrived)', async () => {
    under = await gatewayUnderTest('registration-restart');
    const g = under;
    expect(g.gateway.handle(registration(g, USER), toHex(USER))).toBe(true);
    expect(g.gateway.handle(registration(g, VICTIM), toHex(USER))).toBe(true);
    await g.stop(true);
    under = await gatewayUnderTest('registration-restart', g.dataDir);
    expect(under.gateway.status().fetcher.registrations).toBe(1);
  });
});
