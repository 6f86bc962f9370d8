/** The mesh gateway's RelayPort (seams/relay-port.ts) on the real relay client, over HTTP and UDP. */
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/codec/bytes.ts';
import { generateLookupKeyPair } from '../../../protocol/keys/keys.ts';
import { mailboxTagOf } from '../../../protocol/server/mailbox.ts';
import { SeededRandom } from '../../../protocol/seeded-random.ts';
import { relayPort } from '../../../gateway/client/relay-port.ts';
import { RelayRefusedError, RelayUnreachableError } from '../../../seams/relay-port.ts';
import { clientOptions, connect, startTestRelay, suite } from './support.ts';

describe('RelayPort over the relay client', () => {
  it('deposits exactly once, fetches with acknowledgements, and classifies failures', async () => {
    const relay = await startTestRelay('port', { udp: {} });
    try {
      for (const url of relay.urls) {
        const owner = generateLookupKeyPair(suite, new SeededRandom(`port-owner-${url}`));
        const setup = await connect(url, `port-setup-${url}`);
        await setup.register(owner);
        await setup.close();
        const port = relayPort(url, { ...clientOptions(`port-${url}`), stampBits: 8 });
        expect(await port.probe()).toBe(true);
        const tag = mailboxTagOf(suite, owner.publicKey);
        expect(await port.deposit(tag, utf8('from the mesh'))).toBe('stored');
        expect(await port.deposit(tag, utf8('from the mesh'))).toBe('duplicate');
        const got = await port.fetch(owner, []);
        expect(got.map((m) => new TextDecoder().decode(m.envelope))).toEqual(['from the mesh']);
        expect(await port.fetch(owner, got.map((m) => m.id))).toEqual([]);
        // A mailbox not registered yet: retry later (its owner's gateway may come online after ours).
        const nobody = mailboxTagOf(suite, generateLookupKeyPair(suite, new SeededRandom('nobody')).publicKey);
        await expect(port.deposit(nobody, utf8('x'))).rejects.toBeInstanceOf(RelayUnreachableError);
        if (url.startsWith('udp:')) {
          // Over one datagram's size: a refusal that retrying will not change.
          await expect(port.deposit(tag, new Uint8Array(2000).fill(1))).rejects.toBeInstanceOf(RelayRefusedError);
        }
      }
    } finally {
      await relay.cleanup();
    }
    // The relay is gone: unreachable (retry later), and probe says false without throwing.
    const gone = relayPort(relay.urls[0]!, { ...clientOptions('port-gone'), timeoutMs: 1000 });
    expect(await gone.probe()).toBe(false);
    await expect(gone.deposit(new Uint8Array(16), utf8('x'))).rejects.toBeInstanceOf(RelayUnreachableError);
  });
});
