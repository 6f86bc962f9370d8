/**
 * The gateway talks to a relay only under a known key (security review H1):
 * learnt on first contact and remembered, or pinned; a relay that shows
 * another key later (an on-path impostor) is unreachable and gets nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { createNodeSuite } from '../../../node-runtime/crypto/node-suite.ts';
import { systemClock } from '../../../node-runtime/platform/clock.ts';
import { systemRandom } from '../../../node-runtime/platform/random.ts';
import { formatRelayKey, KnownRelayKeys, parseRelayKey, pinnedRelayPort } from '../../../gateway/bridge/pinned-relay-port.ts';
import { RelayRefusedError, RelayUnreachableError } from '../../../seams/relay-port.ts';
import { startRelay } from '../../../gateway/server/relay.ts';

const suite = createNodeSuite();
const root = mkdtempSync(join(tmpdir(), 'meow-pin-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const options = { suite, random: systemRandom, clock: systemClock, stampBits: 0 };

describe('pinned relay port', () => {
  it('remembers the key on first contact and refuses an impostor at the same URL', async () => {
    const genuine = await startRelay({ dataDir: join(root, 'genuine'), suite, http: { host: '127.0.0.1', port: 0 }, limits: { depositStampBits: 0 } });
    const port = genuine.doors[0]!.port;
    const url = `http://127.0.0.1:${port}`;
    const known = new KnownRelayKeys(join(root, 'relay-keys.json'));
    const first = pinnedRelayPort(url, options, undefined, known);
    expect(await first.probe()).toBe(true);
    expect(existsSync(join(root, 'relay-keys.json'))).toBe(true);
    expect(formatRelayKey(known.get(url)!)).toBe(formatRelayKey(genuine.key.publicKey));
    await first.close();
    await genuine.close();

    // Someone else answers at that address, with their own key.
    const impostor = await startRelay({ dataDir: join(root, 'impostor'), suite, http: { host: '127.0.0.1', port }, limits: { depositStampBits: 0 } });
    const again = pinnedRelayPort(url, options, undefined, known);
    expect(await again.probe()).toBe(false);
    const lookup = generateLookupKeyPair(suite, new SeededRandom('pin'));
    const error = await again.deposit(mailboxTagOf(suite, lookup.publicKey), new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(error instanceof RelayRefusedError || error instanceof RelayUnreachableError).toBe(true);
    await again.close();

    // An operator pin takes precedence over what was learnt.
    const pinned = pinnedRelayPort(url, options, impostor.key.publicKey, known);
    expect(await pinned.probe()).toBe(true);
    await pinned.close();
    await impostor.close();
  });

  it('parses the "ed25519:x25519" form meow-relay prints, and refuses anything else', () => {
    const key = parseRelayKey(`${'ab'.repeat(32)}:${'cd'.repeat(32)}`)!;
    expect(formatRelayKey(key)).toBe(`${'ab'.repeat(32)}:${'cd'.repeat(32)}`);
    expect(parseRelayKey('ab'.repeat(32))).toBeUndefined();
    expect(parseRelayKey(`${'ab'.repeat(31)}:${'cd'.repeat(32)}`)).toBeUndefined();
  });
});
