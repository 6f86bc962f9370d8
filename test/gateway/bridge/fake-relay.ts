/**
 * An in-memory relay behind the RelayPort contract (seams/relay-port.ts),
 * with a switch to cut it off the network: deposits deduplicate identical
 * envelopes as a real relay does, and a cut-off relay rejects with
 * RelayUnreachableError. The real relay doors run the same bridge code in
 * test/gateway/bridge/two-meshes.test.ts.
 */
import { concatBytes, toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { LookupKeyPair } from '../../../protocol/keys/keys.ts';
import { type FetchedMessage, type RelayPort, RelayRefusedError, RelayUnreachableError } from '../../../seams/relay-port.ts';

export class FakeRelay implements RelayPort {
  online = true;
  /** When set, deposits are refused with this reason (as a relay, or a forged refusal, would). */
  refuse: string | undefined;
  /** mailbox tag hex -> id hex -> envelope */
  readonly mailboxes = new Map<string, Map<string, Uint8Array>>();
  deposits = 0;

  constructor(readonly url: string, private readonly suite: CryptoSuite, private readonly tagOf: (lookupPublic: Uint8Array) => Uint8Array) {}

  async probe(): Promise<boolean> {
    await Promise.resolve();
    return this.online;
  }

  async deposit(tag: Uint8Array, envelope: Uint8Array): Promise<'stored' | 'duplicate'> {
    await Promise.resolve();
    if (!this.online) throw new RelayUnreachableError(`${this.url} unreachable`);
    if (this.refuse) throw new RelayRefusedError(this.refuse);
    this.deposits++;
    const box = this.mailbox(tag);
    const id = toHex(this.suite.sha256(concatBytes(tag, envelope)).subarray(0, 16));
    if (box.has(id)) return 'duplicate';
    box.set(id, envelope.slice());
    return 'stored';
  }

  async fetch(lookup: LookupKeyPair, acks: readonly Uint8Array[]): Promise<FetchedMessage[]> {
    await Promise.resolve();
    if (!this.online) throw new RelayUnreachableError(`${this.url} unreachable`);
    const box = this.mailbox(this.tagOf(lookup.publicKey));
    for (const id of acks) box.delete(toHex(id));
    return [...box.entries()].slice(0, 10).map(([id, envelope]) => ({ id: Uint8Array.from(Buffer.from(id, 'hex')), envelope }));
  }

  async register(_lookup: LookupKeyPair): Promise<void> {
    await Promise.resolve();
    if (!this.online) throw new RelayUnreachableError(`${this.url} unreachable`);
  }

  async close(): Promise<void> {}

  mailbox(tag: Uint8Array): Map<string, Uint8Array> {
    let box = this.mailboxes.get(toHex(tag));
    if (!box) this.mailboxes.set(toHex(tag), (box = new Map()));
    return box;
  }
}
