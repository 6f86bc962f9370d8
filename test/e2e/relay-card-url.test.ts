/**
 * meow-relay prints, at start, the URL to put in cards with its key
 * fingerprint (`#k=`): a real relay process; the fingerprint is the one its
 * printed key gives, and a card's server entry takes the URL as printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerUrl } from '../../protocol/card/server-url.ts';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { createNodeSuite } from '../../node-runtime/crypto/node-suite.ts';
import { eventually, type RelayProcess, startRelay, stopRelay } from './support.ts';

const root = mkdtempSync(join(tmpdir(), 'meow-e2e-relay-url-'));
let relay: RelayProcess | undefined;
afterAll(async () => {
  if (relay) await stopRelay(relay);
  rmSync(root, { recursive: true, force: true });
});

describe('meow-relay start', () => {
  it('prints the card URL with the #k= fingerprint of its key', async () => {
    relay = await startRelay(join(root, 'relay'), 21640, 8);
    const started = relay;
    // startRelay returns at the first `listening` line; the card lines follow it.
    await eventually(async () => (/meow-relay: for cards \S+\n/.test(started.out) ? true : undefined), 30_000, 'the card URL line');
    const key = /meow-relay: key ([0-9a-f]{64}):([0-9a-f]{64})/.exec(relay.out);
    const forCards = /meow-relay: for cards (\S+)/.exec(relay.out);
    expect(key).not.toBeNull();
    expect(forCards?.[1]).toMatch(/^http:\/\/127\.0\.0\.1:21640\/?#k=[0-9a-f]{32}$/);
    const fingerprint = relayKeyFingerprint(createNodeSuite(), { role: 'server', signing: fromHex(key![1]!)!, agreement: fromHex(key![2]!)! });
    expect(forCards![1]!.endsWith(`#k=${toHex(fingerprint)}`)).toBe(true);
    // A card takes it as it is, fingerprint included.
    const parsed = parseServerUrl(forCards![1]!);
    expect(parsed.ok && parsed.value.keyFingerprint && toHex(parsed.value.keyFingerprint)).toBe(toHex(fingerprint));
  });
});
