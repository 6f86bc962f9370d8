import { describe, expect, it } from 'vitest';
import { createPortableSuite } from '../../../protocol/crypto/portable.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { decodeRegistrationBody, gatewayAgreementPublic, gatewayAgreementSecret, openRegistration, REGISTRATION_MAX_BYTES, sealRegistration } from '../../../protocol/gateway/registration.ts';
import { generateDeviceKeyPair, generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';

const suite = createPortableSuite();
const random = new SeededRandom('registration');
const gateway = generateDeviceKeyPair(suite, random);
const secrets = { signingPublic: gateway.publicKey.signing, agreementSecret: gateway.agreementSecret, agreementPublic: gateway.publicKey.agreement };
const lookup = generateLookupKeyPair(suite, random);
const registration = { relayUrl: 'https://user:pass@relay.example:8443', lookup, deliverTo: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), issuedAtSec: 1_899_000_000, expiresAtSec: 1_900_000_000 };

const sealed = sealRegistration(suite, random, gateway.publicKey, registration);

describe('gateway registration', () => {

  it('opens for the gateway it was sealed to, with the lookup key intact', () => {
    expect(sealed.length).toBeLessThanOrEqual(240); // one radio frame
    const opened = openRegistration(suite, secrets, sealed);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.value.relayUrl).toBe(registration.relayUrl);
    expect(opened.value.lookup.publicKey).toEqual(lookup.publicKey);
    expect(opened.value.deliverTo).toEqual(registration.deliverTo);
    expect(opened.value.expiresAtSec).toBe(registration.expiresAtSec);
    expect(opened.value.issuedAtSec).toBe(registration.issuedAtSec);
  });

  it('seals to the X25519 form of an announced Ed25519 node key', () => {
    const nodeSeed = random.bytes(32);
    const nodePublic = suite.ed25519PublicKey(nodeSeed);
    const agreementPublic = gatewayAgreementPublic(nodePublic)!;
    const agreementSecret = gatewayAgreementSecret(nodeSeed);
    expect(suite.x25519PublicKey(agreementSecret)).toEqual(agreementPublic);
    const box = sealRegistration(suite, random, { role: 'device', signing: nodePublic, agreement: agreementPublic }, registration);
    expect(openRegistration(suite, { signingPublic: nodePublic, agreementSecret, agreementPublic }, box).ok).toBe(true);
    expect(gatewayAgreementPublic(new Uint8Array(31))).toBeUndefined();
  });

  it('refuses another gateway, every bit flip and every truncation with a typed error', () => {
    const other = generateDeviceKeyPair(suite, random);
    const wrong = openRegistration(suite, { signingPublic: other.publicKey.signing, agreementSecret: other.agreementSecret, agreementPublic: other.publicKey.agreement }, sealed);
    expect(wrong.ok).toBe(false);
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x10;
      const r = openRegistration(suite, secrets, bad);
      expect(r.ok, `flip at ${i}`).toBe(false);
    }
    for (let n = 0; n < sealed.length; n++) expect(openRegistration(suite, secrets, sealed.subarray(0, n)).ok).toBe(false);
  });

  it('refuses a registration re-sealed to a gateway other than the one the Lkp signed for', () => {
    // Gateway G1 opens a registration and tries to hand it to G2: the signature names G1.
    const g2 = generateDeviceKeyPair(suite, random);
    const forwarded = sealRegistration(suite, random, g2.publicKey, registration);
    // Sealed afresh by the user for g2 it is fine; what must fail is a body signed for g1 inside a box for g2,
    // which we build by signing for g1's key and sealing to g2's agreement key.
    const mixed = sealRegistration(suite, random, { ...g2.publicKey, signing: gateway.publicKey.signing }, registration);
    const g2Secrets = { signingPublic: g2.publicKey.signing, agreementSecret: g2.agreementSecret, agreementPublic: g2.publicKey.agreement };
    expect(openRegistration(suite, g2Secrets, forwarded).ok).toBe(true);
    const r = openRegistration(suite, g2Secrets, mixed);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('bad-signature');
  });

  it('the body decoder survives 100,000 random and mutated bodies; the sealed form 3,000 random and mutated inputs', () => {
    // The body is what a sender controls once the box opens: fuzz it directly (no X25519 per input).
    const fast = createNodeSuite();
    const fuzz = new SeededRandom('registration-fuzz');
    const body = buildBody();
    for (let i = 0; i < 100_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) input = fuzz.bytes(fuzz.int(body.length + 40));
      else {
        input = body.slice(0, fuzz.int(body.length + 1));
        if (input.length > 0) input[fuzz.int(input.length)]! ^= 1 + fuzz.int(255);
      }
      expect(decodeRegistrationBody(fast, gateway.publicKey.signing, input).ok).toBe(false);
    }
    for (let i = 0; i < 3000; i++) {
      const input = i % 2 === 0 ? fuzz.bytes(fuzz.int(REGISTRATION_MAX_BYTES + 40)) : sealed.slice(0, fuzz.int(sealed.length + 1));
      if (i % 2 === 1 && input.length > 0) input[fuzz.int(input.length)]! ^= 1 + fuzz.int(255);
      expect(openRegistration(fast, secrets, input).ok).toBe(false);
    }
  });
});

/** The opened body of `sealed`, recovered with the gateway's keys (what decodeRegistrationBody sees). */
function buildBody(): Uint8Array {
  const eph = sealed.subarray(0, 32);
  const nonce = sealed.subarray(32, 56);
  const shared = suite.x25519(gateway.agreementSecret, eph)!;
  const domain = new TextEncoder().encode('meow/gateway-registration/v1');
  const key = suite.hkdf(shared, new Uint8Array([...eph, ...gateway.publicKey.agreement]), domain, 32);
  const body = suite.xaeadOpen(key, nonce, sealed.subarray(56), domain)!;
  expect(decodeRegistrationBody(suite, gateway.publicKey.signing, body).ok).toBe(true);
  return body;
}
