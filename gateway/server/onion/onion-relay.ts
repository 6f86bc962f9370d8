/**
 * A relay's onion front: a DoorCore that takes onion packets (frame type
 * 0x03) and hands every other frame to the relay core unchanged
 * (docs/PROTOCOL.md "Matriochka message packing"; whitepaper 1.2.2).
 * Order of work for an onion, cheapest refusal first:
 *   1. size: one of the classes                    -> refusal 'malformed'
 *   2. X25519 + MAC, current key then previous     -> refusal 'bad-seal'
 *   3. replay tag of that key                      -> refusal 'replayed'
 *   4. packets held below the cap                  -> refusal 'rate-limited'
 *   5. peel, hold for the sender's delay on the injected clock (Loopix 4.2), answer 'accepted'
 * On release: forward to the next relay, or deposit through the core. The
 * relay learns its previous hop (the door's source) and its next hop, and
 * logs neither: a log line names an event, never a relay, key or mailbox.
 */
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import type { ServerKeyPair } from '../../../protocol/keys/keys.ts';
import type { RandomSource } from '../../../protocol/random.ts';
import { ONION_FRAME_TYPE } from '../../../protocol/onion/constants.ts';
import { decodeOnionPacket, encodeOnionAccepted, onionReplyId } from '../../../protocol/onion/packet.ts';
import { type PeeledHop, peelHop, type VerifiedHop, verifyHop } from '../../../protocol/onion/peel.ts';
import { decodeFinalPayload, isCoverPayload } from '../../../protocol/onion/payload.ts';
import { createServerDescriptor, type ServerDescriptor } from '../../../protocol/server/descriptor.ts';
import { decodeRequestFrame, encodeDescriptorFrame, encodeRefusalFrame, FRAME } from '../../../protocol/server/frame.ts';
import type { RelayErrorCode } from '../../../protocol/server/errors.ts';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';
import type { OnionKeyAnnouncement } from '../../../protocol/server/descriptor-onion.ts';
import type { DoorCore, DoorRequest } from '../../../seams/door.ts';
import { depositThroughCore } from './local-deposit.ts';
import { type OnionKey, OnionKeyRing } from './onion-keys.ts';

/** Sends a peeled packet to the relay with this server id; rejects when it does not take it. */
export type OnionForward = (nextServerId: Uint8Array, packet: Uint8Array) => Promise<void>;

/** What the onion front needs of the relay core: a door core whose descriptor is the decoded one. */
export interface InnerCore extends Omit<DoorCore, 'descriptor'> {
  descriptor(): ServerDescriptor;
  /** When the core can sign the onion key into its own descriptor (RelayCore), its catalog answers carry it. */
  announceOnionKeys?(current: () => OnionKeyAnnouncement): void;
}

export interface OnionRelayOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly key: ServerKeyPair;
  /** The relay core (gateway/server/core/relay-core.ts): every other frame, and the last hop's deposits. */
  readonly core: InnerCore;
  /** How to reach the next relay: given by the program (gateway/client/onion-forwarder.ts), as the server does not import the client. */
  readonly forward: OnionForward;
  readonly keyPeriodMs?: number;
  readonly maxTagsPerKey?: number;
  /** Packets held at once (each waits for its delay). Default 10 000. */
  readonly maxHeld?: number;
  readonly log?: (event: string, detail: string) => void;
}

export interface OnionCounters {
  accepted: number;
  refused: number;
  replayed: number;
  forwarded: number;
  delivered: number;
  failed: number;
  /** Cover packets that ended here (this relay's own loops, or a sender's drops), dropped. */
  coverEnded: number;
}

export class OnionRelay implements DoorCore {
  readonly serverId: Uint8Array;
  readonly counters: OnionCounters = { accepted: 0, refused: 0, replayed: 0, forwarded: 0, delivered: 0, failed: 0, coverEnded: 0 };
  readonly keys: OnionKeyRing;
  private held = 0;
  private signed: { base: Uint8Array; key: Uint8Array; descriptor: ServerDescriptor } | undefined;
  private readonly idle = new Set<() => void>();
  private readonly timers = new Set<TimerHandle>();
  private closed = false;

  constructor(private readonly o: OnionRelayOptions) {
    this.serverId = o.core.serverId;
    this.keys = new OnionKeyRing({
      suite: o.suite, random: o.random,
      ...(o.keyPeriodMs === undefined ? {} : { periodMs: o.keyPeriodMs }),
      ...(o.maxTagsPerKey === undefined ? {} : { maxTagsPerKey: o.maxTagsPerKey }),
    }, o.clock.now());
    o.core.announceOnionKeys?.(() => {
      this.keys.tick(this.o.clock.now());
      return this.keys.announcement();
    });
  }

  /** The core's descriptor with the current onion key added, signed again when either changes. */
  descriptor(): ServerDescriptor {
    this.keys.tick(this.o.clock.now());
    const base = this.o.core.descriptor();
    // A core that signs the key in itself (RelayCore) already serves the current one, in its catalog answers too.
    if (this.o.core.announceOnionKeys) return base;
    const onion = this.keys.announcement();
    if (this.signed?.base !== base.bytes || this.signed.key !== onion.key) {
      // Issued no earlier than the key's period: catalogs keep only a newer descriptor, so a rotated key spreads.
      const issuedSec = Math.max(base.issuedSec, this.keys.currentFromSec());
      const d = createServerDescriptor(this.o.suite, this.o.key, base.urls, issuedSec, Math.max(base.expiresSec, issuedSec + 1), onion);
      this.signed = { base: base.bytes, key: onion.key, descriptor: d };
    }
    return this.signed.descriptor;
  }

  handle(frame: Uint8Array, request: DoorRequest): Promise<Uint8Array> {
    if (frame[0] === FRAME.descriptorQuery) {
      // Answered here so that the descriptor served carries the onion key.
      const query = decodeRequestFrame(frame);
      if (query.ok && query.value.type === 'descriptor-query') {
        return Promise.resolve(encodeDescriptorFrame(query.value.queryId, this.descriptor().bytes));
      }
    }
    if (frame[0] !== ONION_FRAME_TYPE) return this.o.core.handle(frame, request);
    if (this.closed) return Promise.resolve(this.refuse(onionReplyId(frame), 'rate-limited', 'onion relay is stopping'));
    return Promise.resolve(this.take(frame));
  }

  /** Packets held now (waiting for their delay or being sent on). */
  get holding(): number {
    return this.held;
  }

  /** Resolves when no packet is held (tests, shutdown). */
  drained(): Promise<void> {
    return this.held === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.add(resolve));
  }

  private take(frame: Uint8Array): Uint8Array {
    const replyId = onionReplyId(frame);
    const packet = decodeOnionPacket(frame);
    if (!packet.ok) return this.refuse(replyId, 'malformed', 'not an onion packet of a known class');
    let verified: { hop: VerifiedHop; key: OnionKey } | undefined;
    for (const key of this.keys.candidates(this.o.clock.now())) {
      const v = verifyHop(this.o.suite, key.secret, packet.value);
      if (v.ok) {
        verified = { hop: v.value, key };
        break;
      }
    }
    if (!verified) return this.refuse(replyId, 'bad-seal', 'onion layer does not open with this relay\'s keys');
    const seen = this.keys.remember(verified.key, verified.hop.replayTag);
    if (seen === 'replayed') {
      this.counters.replayed++;
      return this.refuse(replyId, 'replayed', 'onion packet already seen');
    }
    if (seen === 'full' || this.held >= (this.o.maxHeld ?? 10_000)) return this.refuse(replyId, 'rate-limited', 'onion relay is full');
    const peeled = peelHop(this.o.suite, verified.hop);
    this.held++;
    this.counters.accepted++;
    const timer = this.o.clock.setTimer(peeled.delayMs, () => {
      this.timers.delete(timer);
      void this.release(peeled);
    });
    this.timers.add(timer);
    return encodeOnionAccepted(replyId);
  }

  /**
   * Stops: held packets are dropped, not sent (they live in memory only; the
   * sender sees no receipt by its deadline and sends again through a new chain).
   */
  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.held -= this.timers.size;
    this.timers.clear();
    if (this.held === 0) this.wake();
  }

  private wake(): void {
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async release(peeled: PeeledHop): Promise<void> {
    try {
      if (this.closed) return;
      if (peeled.kind === 'forward') {
        await this.o.forward(peeled.nextServerId, peeled.packet);
        this.counters.forwarded++;
      } else if (isCoverPayload(peeled.payload)) {
        this.counters.coverEnded++;
      } else {
        const deposit = decodeFinalPayload(peeled.payload);
        if (!deposit.ok) throw new Error('final payload is not a deposit');
        await depositThroughCore(this.o.suite, this.o.random, this.o.key, this.o.core, deposit.value);
        this.counters.delivered++;
      }
    } catch (e) {
      this.counters.failed++;
      // The event and the error's class only: a message could name the next relay.
      this.o.log?.(peeled.kind === 'forward' ? 'onion-forward-failed' : 'onion-deposit-failed', e instanceof Error ? e.name : 'unknown');
    } finally {
      this.held--;
      if (this.held === 0) this.wake();
    }
  }

  private refuse(replyId: Uint8Array, code: RelayErrorCode, message: string): Uint8Array {
    this.counters.refused++;
    return encodeRefusalFrame(replyId, code, message);
  }
}
