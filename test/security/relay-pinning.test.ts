/**
 * Relay key fingerprints enforced by every client (issue 9 item 4): the
 * relay client (`url#k=`), and the gateway's pinned port, against a real
 * relay on loopback. A man in the middle is a second relay behind the same
 * URL: it holds another key, so its descriptor cannot match the fingerprint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/codec/bytes.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { pinnedUrl, relayKeyFingerprint } from '../../protocol/server/fingerprint.ts';
import { generateServerKeyPair } from '../../protocol/keys/keys.ts';
import { SeededRandom } from '../../protocol/seeded-random.ts';
import { KnownRelayKeys, pinnedRelayPort } from '../../gateway/bridge/pinned-relay-port.ts';
import { clientOptions, connect, startTestRelay, suite } from '../gateway/relay/support.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof RelayError ? e.code : (e as Error).name;
  }
}

describe('relay key fingerprints', () => {
  it('the relay client talks to a relay only under the key its URL fingerprint names', async () => {
    const relay = await startTestRelay('pin-client');
    cleanups.push(() => relay.cleanup());
    const url = relay.urls[0]!;
    const right = pinnedUrl(url, relayKeyFingerprint(suite, relay.key.publicKey));
    const client = await connect(right, 'pin-right');
    cleanups.push(() => client.close());
    expect((await client.catalog()).length).toBeGreaterThan(0);
    const someoneElse = generateServerKeyPair(suite, new SeededRandom('mitm')).publicKey;
    expect(await code(connect(pinnedUrl(url, relayKeyFingerprint(suite, someoneElse)), 'pin-wrong'))).toBe('wrong-server');
  });

  it('the gateway\'s pinned port refuses a relay whose key does not match the fingerprint and learns nothing from it', async () => {
    const relay = await startTestRelay('pin-bridge');
    cleanups.push(() => relay.cleanup());
    const dir = mkdtempSync(join(tmpdir(), 'meow-pin-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = relay.urls[0]!;
    const known = new KnownRelayKeys(join(dir, 'relay-keys.json'));
    const someoneElse = generateServerKeyPair(suite, new SeededRandom('mitm2')).publicKey;
    const wrongUrl = `${url}#k=${toHex(relayKeyFingerprint(suite, someoneElse))}`;
    const port = pinnedRelayPort(wrongUrl, clientOptions('pin-bridge'), undefined, known);
    cleanups.push(() => port.close());
    expect(await port.probe()).toBe(false);
    expect(known.get(wrongUrl)).toBeUndefined(); // nothing learnt from a relay that failed the fingerprint
    const good = pinnedRelayPort(pinnedUrl(url, relayKeyFingerprint(suite, relay.key.publicKey)), clientOptions('pin-bridge-ok'), undefined, known);
    cleanups.push(() => good.close());
    expect(await good.probe()).toBe(true);
  });
});
