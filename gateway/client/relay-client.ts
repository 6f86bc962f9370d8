/**
 * A relay client over any transport: seals each request to the relay's key
 * Skp, opens the answer, and turns refusals into RelayError. Used by the
 * tests, the bench and the mesh gateway (through relay-port.ts).
 */
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { LookupKeyPair, ServerPublicKey } from '../../protocol/keys/keys.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import { constantTimeEqual } from '../../protocol/codec/bytes.ts';
import { describeError } from '../../protocol/codec/result.ts';
import { decodeServerDescriptor, type ServerDescriptor } from '../../protocol/server/descriptor.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import {
  decodeResponseFrame, encodeDescriptorQuery, padBytes, SEALED_REQUEST_HEADER_BYTES,
} from '../../protocol/server/frame.ts';
import { AEAD_TAG_BYTES } from '../../protocol/crypto/suite.ts';
import { mailboxTagOf, messageIdOf, senderPassOf } from '../../protocol/server/mailbox.ts';
import {
  createBroadcast, createDirectoryEntry, decodeBroadcast, decodeDirectoryEntry, type BroadcastRecord, type DirectoryEntry,
} from '../../protocol/server/records.ts';
import { encodeRequest, encodeSignedRequest } from '../../protocol/server/request-encode.ts';
import type { RelayRequest, RequestKind, SignedRequest, UnsignedRequest } from '../../protocol/server/request-types.ts';
import { decodeResponse, type OkBody } from '../../protocol/server/response.ts';
import { openResponse, sealRequest } from '../../protocol/server/seal.ts';
import { mintStamp } from '../../protocol/server/stamp.ts';
import { matchesFingerprint } from '../../protocol/server/fingerprint.ts';
import { concatBytes } from '../../protocol/codec/bytes.ts';
import { REPLY_ID_BYTES } from '../../protocol/server/constants.ts';
import { RelayTransportError } from './errors.ts';
import { sendOnionPacket } from './onion-forwarder.ts';
import type { RelayTransport } from './transport.ts';

export interface RelayClientOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly transport: RelayTransport;
  /** The relay's key when known (pinned from a rendez-vous card or catalog); else learnt with connect(). */
  readonly server?: ServerPublicKey;
  /** The relay key fingerprint a card or URL names (`#k=`): connect() refuses any key that does not match it. */
  readonly keyFingerprint?: Uint8Array;
}

export interface DepositOptions {
  /** The mailbox's sender pass key (given by its owner to contacts): no stamp needed. */
  readonly passKey?: Uint8Array;
  /** Difficulty of the stamp to mint when there is no pass key (0: send none). */
  readonly stampBits?: number;
}

export class RelayClient {
  private server: ServerPublicKey | undefined;
  private lastCounter = 0;

  constructor(private readonly o: RelayClientOptions) {
    if (o.server && o.keyFingerprint && !matchesFingerprint(o.suite, o.server, o.keyFingerprint)) {
      throw new RelayTransportError('the pinned relay key does not match the fingerprint given with it');
    }
    this.server = o.server;
  }

  get serverKey(): ServerPublicKey {
    if (!this.server) throw new RelayTransportError('relay key unknown: call connect() first');
    return this.server;
  }

  /** Asks the relay for its signed descriptor; refuses one that contradicts a pinned key. */
  async connect(): Promise<ServerDescriptor> {
    const queryId = this.o.random.bytes(REPLY_ID_BYTES);
    const answer = await this.o.transport.exchange(encodeDescriptorQuery(queryId, this.o.transport.padRequestsTo ?? 0), queryId);
    const frame = decodeResponseFrame(answer);
    if (!frame.ok) throw new RelayTransportError(`bad descriptor frame: ${describeError(frame)}`);
    if (frame.value.type === 'refusal') throw new RelayError(frame.value.code, frame.value.message);
    if (frame.value.type !== 'descriptor') throw new RelayTransportError('expected a descriptor');
    const d = decodeServerDescriptor(this.o.suite, frame.value.descriptor);
    if (!d.ok) throw new RelayTransportError(`bad descriptor: ${describeError(d)}`);
    if (this.server && !(constantTimeEqual(this.server.signing, d.value.server.signing)
      && constantTimeEqual(this.server.agreement, d.value.server.agreement))) {
      throw new RelayError('wrong-server', 'the relay presented another key than the pinned one');
    }
    if (this.o.keyFingerprint && !matchesFingerprint(this.o.suite, d.value.server, this.o.keyFingerprint)) {
      throw new RelayError('wrong-server', 'the relay presented a key that does not match the fingerprint in its URL or card');
    }
    this.server = d.value.server;
    return d.value;
  }

  /** Strictly increasing counters: the clock in ms, or one more than the last when the clock has not moved. */
  nextCounter(): number {
    this.lastCounter = Math.max(Math.floor(this.o.clock.now()), this.lastCounter + 1);
    return this.lastCounter;
  }

  /** Sends raw request plaintext and returns the decoded ok body; refusals throw RelayError. */
  async send<K extends RequestKind>(kind: K, plaintext: Uint8Array): Promise<OkBody[K]> {
    // Zero padding inside the seal (request-decode.ts): frame = header 41 + plaintext + tag 16.
    const padded = padBytes(plaintext, (this.o.transport.padRequestsTo ?? 0) - SEALED_REQUEST_HEADER_BYTES - AEAD_TAG_BYTES);
    const sealed = sealRequest(this.o.suite, this.o.random, this.serverKey, padded);
    const answer = await this.o.transport.exchange(sealed.frame, sealed.replyId);
    const opened = openResponse(this.o.suite, sealed, answer);
    if (!opened.ok) throw new RelayTransportError(`unreadable answer: ${describeError(opened)}`);
    if (opened.value.type === 'refusal') throw new RelayError(opened.value.code, opened.value.message);
    const response = decodeResponse(kind, opened.value.plaintext);
    if (!response.ok) throw new RelayTransportError(`malformed answer: ${describeError(response)}`);
    if (!response.value.ok) throw new RelayError(response.value.code, response.value.message);
    return response.value.body;
  }

  private anonymous<K extends RequestKind>(request: Exclude<RelayRequest, SignedRequest> & { kind: K }): Promise<OkBody[K]> {
    return this.send(request.kind, encodeRequest(request));
  }

  /**
   * Signs with the next counter. If the relay has seen a higher counter from
   * this key (another device with the same key, a clock stepped back), it
   * says which (only to the key holder: the check follows the signature),
   * and the request is signed once more above it.
   */
  private async signed<K extends SignedRequest['kind']>(
    seed: Uint8Array, build: (counter: number) => UnsignedRequest<Extract<SignedRequest, { kind: K }>>,
  ): Promise<OkBody[K]> {
    const attempt = (): Promise<OkBody[K]> => {
      const request = build(this.nextCounter());
      return this.send(request.kind as K, encodeSignedRequest(this.o.suite, this.serverKey.signing, seed, request));
    };
    try {
      return await attempt();
    } catch (e) {
      const seen = e instanceof RelayError && e.code === 'replayed' ? /not above (\d+)/.exec(e.message) : null;
      if (!seen) throw e;
      this.lastCounter = Math.max(this.lastCounter, Number(seen[1]));
      return attempt();
    }
  }

  async deposit(tag: Uint8Array, envelope: Uint8Array, options: DepositOptions = {}): Promise<OkBody['deposit']> {
    const id = messageIdOf(this.o.suite, tag, envelope);
    const pass = options.passKey ? senderPassOf(this.o.suite, options.passKey, tag, id) : undefined;
    const bits = options.stampBits ?? 0;
    const stamp = !pass && bits > 0
      ? mintStamp(this.o.suite, this.o.random, this.serverKey.signing, concatBytes(tag, id), bits, Math.floor(this.o.clock.now() / 60_000))
      : undefined;
    return this.anonymous({ kind: 'deposit', tag, envelope, ...(pass ? { pass } : {}), ...(stamp ? { stamp } : {}) });
  }

  register(lookup: LookupKeyPair, passKey?: Uint8Array): Promise<OkBody['register']> {
    return this.signed<'register'>(lookup.secretKey, (counter) => ({ kind: 'register', counter, ...(passKey ? { passKey } : {}) }));
  }

  fetch(lookup: LookupKeyPair, options: { limit?: number; acks?: readonly Uint8Array[] } = {}): Promise<OkBody['fetch']> {
    return this.signed<'fetch'>(lookup.secretKey, (counter) => ({ kind: 'fetch', counter, limit: options.limit ?? 64, acks: options.acks ?? [] }));
  }

  publishPresence(lookup: LookupKeyPair, blob: Uint8Array, ttlSec: number): Promise<OkBody['presence-publish']> {
    return this.signed<'presence-publish'>(lookup.secretKey, (counter) => ({ kind: 'presence-publish', counter, ttlSec, blob }));
  }

  withdrawPresence(lookup: LookupKeyPair): Promise<OkBody['presence-publish']> {
    return this.publishPresence(lookup, new Uint8Array(0), 0);
  }

  lookupPresence(tag: Uint8Array): Promise<OkBody['presence-lookup']> {
    return this.anonymous({ kind: 'presence-lookup', tag });
  }

  postBroadcast(authorSeed: Uint8Array, text: string, stampBits = 0): Promise<OkBody['broadcast-post']> {
    const record = createBroadcast(this.o.suite, authorSeed, this.serverKey.signing, Math.floor(this.o.clock.now() / 1000), text).bytes;
    const stamp = stampBits > 0
      ? mintStamp(this.o.suite, this.o.random, this.serverKey.signing, this.o.suite.sha256(record), stampBits, Math.floor(this.o.clock.now() / 60_000))
      : undefined;
    return this.anonymous({ kind: 'broadcast-post', record, ...(stamp ? { stamp } : {}) });
  }

  /** Broadcasts after `sinceSeq`, each signature verified here (a forged one is dropped). */
  async listBroadcasts(sinceSeq = 0, limit = 64): Promise<{ seq: number; broadcast: BroadcastRecord }[]> {
    const body = await this.anonymous({ kind: 'broadcast-list', sinceSeq, limit });
    return body.items.flatMap((it) => {
      const b = decodeBroadcast(this.o.suite, this.serverKey.signing, it.record);
      return b.ok ? [{ seq: it.seq, broadcast: b.value }] : [];
    });
  }

  publishEntry(
    entrySeed: Uint8Array, entry: { ttlSec: number; description: string; reach: Uint8Array }, stampBits = 0,
  ): Promise<OkBody['directory-publish']> {
    const record = createDirectoryEntry(this.o.suite, entrySeed, this.serverKey.signing,
      { ...entry, createdSec: Math.floor(this.o.clock.now() / 1000) }).bytes;
    const stamp = stampBits > 0
      ? mintStamp(this.o.suite, this.o.random, this.serverKey.signing, this.o.suite.sha256(record), stampBits, Math.floor(this.o.clock.now() / 60_000))
      : undefined;
    return this.anonymous({ kind: 'directory-publish', record, ...(stamp ? { stamp } : {}) });
  }

  withdrawEntry(entrySeed: Uint8Array): Promise<OkBody['directory-withdraw']> {
    return this.signed<'directory-withdraw'>(entrySeed, (counter) => ({ kind: 'directory-withdraw', counter }));
  }

  private verifiedEntries(entries: readonly Uint8Array[]): DirectoryEntry[] {
    return entries.flatMap((e) => {
      const d = decodeDirectoryEntry(this.o.suite, this.serverKey.signing, e);
      return d.ok ? [d.value] : [];
    });
  }

  async searchEntries(query: string, limit = 20): Promise<DirectoryEntry[]> {
    return this.verifiedEntries((await this.anonymous({ kind: 'directory-search', query, limit })).entries);
  }

  async randomEntries(count = 5): Promise<DirectoryEntry[]> {
    return this.verifiedEntries((await this.anonymous({ kind: 'directory-random', count })).entries);
  }

  /** The relay's catalog (its own descriptor first), each descriptor verified. */
  /** Hands a Matriochka onion packet to this relay (its first hop); RelayError for a refusal. */
  sendOnion(packet: Uint8Array): Promise<void> {
    return sendOnionPacket(this.o.transport, packet);
  }

  async catalog(): Promise<ServerDescriptor[]> {
    const body = await this.anonymous({ kind: 'catalog-list' });
    return body.descriptors.flatMap((d) => {
      const v = decodeServerDescriptor(this.o.suite, d);
      return v.ok ? [v.value] : [];
    });
  }

  async announce(descriptors: readonly Uint8Array[]): Promise<number> {
    return (await this.anonymous({ kind: 'catalog-announce', descriptors })).accepted;
  }

  close(): Promise<void> {
    return this.o.transport.close();
  }
}

/** The mailbox tag a contact deposits to, for a lookup key pair (convenience re-export). */
export function tagOf(suite: CryptoSuite, lookup: LookupKeyPair): Uint8Array {
  return mailboxTagOf(suite, lookup.publicKey);
}
