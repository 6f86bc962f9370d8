/**
 * One side of a 1:1 conversation (whitepaper 2.3-2.4, DESIGN.md section 3):
 * seals and opens direct envelopes, filters replays, and runs Ekp and Lkp
 * rotations. Protocol rules (docs/PROTOCOL.md, "Envelopes and conversation sessions"):
 *
 * - Authentication: every key descends from X25519(Ckp, Ckp'), so only the
 *   two contacts can produce a tag that verifies; anything else is discarded.
 * - Ekp rotation: the new public key rides in every message until the peer
 *   acknowledges it by sending under the epoch it creates; one rotation at a
 *   time, and when both propose at once the lower public key goes first and
 *   the other waits (deferred), so both sides walk the same root chain.
 * - Healing (SECURITY-REVIEW H3): the side that accepts a proposal draws a
 *   fresh Ekp of its own and carries it in its acknowledgement; the proposer
 *   takes it as a proposal at once and sends under the epoch it creates, which
 *   mixes X25519(new proposer Ekp, new acknowledger Ekp). So a thief of either
 *   side's earlier state loses track at the end of every rotation. A proposal
 *   that arrives in the acknowledgement of my own rotation is the healing
 *   answer and draws nothing (no endless ping-pong).
 * - Lkp rotation: the new lookup key rides until the peer sends to its
 *   mailbox tag (after my own Ekp rotation, if one is in flight); the old
 *   mailbox is drained for lookupDrainMs, then dropped.
 * - Grace: the two epochs before the current one still open late messages
 *   for a bounded time and count each, then their keys are wiped.
 *
 * Time is an argument (protocol/ has no clock); randomness is injected.
 */
import { AEAD_TAG_BYTES, type CryptoSuite } from '../crypto/suite.ts';
import {
  DIRECT_HEADER_BYTES, MAX_DIRECT_COUNTER, decodeDirectEnvelope, directHeader, encodeDirectEnvelope,
} from '../envelope/direct.ts';
import { type InnerBody, type InnerMessage, decodeInner, encodeInner } from '../envelope/inner.ts';
import { MAX_ENVELOPE_BYTES } from '../envelope/kinds.ts';
import {
  type ContactPublicKey, type EncryptionKeyPair,
  encryptionKeyPairFromSecret, generateEncryptionKeyPair, generateLookupKeyPair, lookupKeyPairFromSecret,
} from '../keys/keys.ts';
import type { RandomSource } from '../random.ts';
import { Epoch } from './epoch.ts';
import { commitChained, commitNext, countGraceMessage, expireGrace, stepEpoch } from './epoch-chain.ts';
import { type OpenResult, SessionError, openFail } from './errors.ts';
import { OwnMailboxTags, commitLookup, expireMailboxes } from './own-mailboxes.ts';
import {
  compareBytes, counterMask, initialRoot, isLowSide, mailboxTag, messageNonce, ratchetRoot, ratchetShared,
} from './key-schedule.ts';
import type {
  OpenedMessage, OwnMailbox, RotationStatus, SealedMessage, SessionEvent, SessionSetup,
} from './session-types.ts';
import {
  DEFAULT_SESSION_OPTIONS, type MessageId, type SessionState, checkOptions,
} from './state.ts';

export type {
  OpenedMessage, OwnMailbox, RotationStatus, SealedMessage, SessionEvent, SessionSetup,
} from './session-types.ts';

/** 'chained': the epoch my announced healing Ekp creates on top of `next` (the peer sends under it once it has my key). */
type ReceiveSlot = 'current' | 'next' | 'chained' | 'previous' | 'older';
const MAX_INNER_BYTES = MAX_ENVELOPE_BYTES - DIRECT_HEADER_BYTES - AEAD_TAG_BYTES;
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

function isNewer(a: MessageId, b: MessageId | undefined): boolean {
  return b === undefined || a.epoch > b.epoch || (a.epoch === b.epoch && a.counter > b.counter);
}

export class Session {
  private peerTag: Uint8Array;
  private readonly ownTags: OwnMailboxTags;
  /** The chained epoch, derived from the state (never stored): rebuilt when `next` or `deferred` change. */
  private chained: { readonly next: Epoch; readonly pair: EncryptionKeyPair; readonly epoch: Epoch } | undefined;

  /** `random` draws the healing Ekp when this side accepts a peer's rotation (inside open()). */
  constructor(private readonly suite: CryptoSuite, private readonly state: SessionState, private readonly random: RandomSource) {
    this.peerTag = mailboxTag(suite, state.theirLookup);
    this.ownTags = new OwnMailboxTags(suite);
    // Checked here, not when a peer's rotation arrives: open() must not throw on peer input.
    if (typeof (random as Partial<RandomSource> | undefined)?.bytes !== 'function') {
      throw new SessionError('bad-argument', 'a Session needs a RandomSource (it draws healing Ekps)');
    }
    Object.defineProperty(this, inspectSymbol, { value: () => this.toJSON(), enumerable: false });
  }

  static create(suite: CryptoSuite, setup: SessionSetup, random: RandomSource): Session {
    const lowSide = isLowSide(setup.myContact.publicKey, setup.theirContact);
    const root = initialRoot(suite, {
      myContact: setup.myContact.publicKey,
      myContactAgreementSecret: setup.myContact.agreementSecret,
      theirContact: setup.theirContact,
      myEncryptionSecret: setup.myEncryption.secretKey,
      myEncryptionPublic: setup.myEncryption.publicKey,
      theirEncryptionPublic: setup.theirEncryption,
    });
    return new Session(suite, {
      lowSide,
      myContact: setup.myContact.publicKey,
      theirContact: setup.theirContact,
      // Copies: the session wipes secrets it retires, and must not wipe the caller's objects.
      myEncryption: encryptionKeyPairFromSecret(suite, setup.myEncryption.secretKey),
      theirEncryption: setup.theirEncryption.slice(),
      mailboxes: { current: lookupKeyPairFromSecret(suite, setup.myLookup.secretKey) },
      theirLookup: setup.theirLookup.slice(),
      theirLookupSetAt: undefined,
      current: Epoch.fromRoot(suite, 0, root, lowSide),
      next: undefined,
      previous: undefined,
      older: undefined,
      deferred: undefined,
      deferredAnnounced: false,
      options: checkOptions({ ...DEFAULT_SESSION_OPTIONS, ...setup.options }),
    }, random);
  }

  /** The state for state-codec.ts (encodeSessionState). Holds secrets. */
  exportState(): SessionState {
    return this.state;
  }

  get theirContact(): ContactPublicKey {
    return this.state.theirContact;
  }

  /** Generation of the epoch both sides have confirmed. */
  get epochNumber(): number {
    return this.state.current.number;
  }

  /** The mailbox tag my messages are addressed to (the peer's current Lkp). */
  get peerMailboxTag(): Uint8Array {
    return this.peerTag.slice();
  }

  /** True while one of my rotations (Ekp or Lkp) waits for the peer's acknowledgement. */
  get rotationPending(): boolean {
    return this.state.next?.origin === 'mine' || this.state.deferred !== undefined || this.state.mailboxes.pending !== undefined;
  }

  /** The mailboxes to poll, with the Lkp that proves the right to fetch each. Drops drained ones. */
  mailboxes(nowMs: number): OwnMailbox[] {
    this.expire(nowMs);
    return this.ownTags.list(this.state.mailboxes);
  }

  /**
   * Seals a message. The counter advances before the envelope is returned:
   * persist the state (state-codec.ts) before transmitting, so a restored
   * session never reuses a nonce.
   */
  seal(body: InnerBody, options: { readonly acks?: readonly MessageId[] } = {}): SealedMessage {
    const s = this.state;
    const epoch = s.next?.origin === 'theirs' ? s.next.epoch : s.current;
    const counter = epoch.sendCounter;
    if (counter > MAX_DIRECT_COUNTER) {
      throw new SessionError('counter-exhausted', `epoch ${epoch.number} has sent 2^24 messages: rotate the Ekp`);
    }
    const inner: InnerMessage = {
      body,
      acks: (options.acks ?? []).map((a) => ({ epochByte: a.epoch & 0xff, counter: a.counter })),
      // My proposal, or my healing key riding in the acknowledgement of the peer's.
      encryptionKey: s.next?.origin === 'mine' ? s.next.pair.publicKey : s.deferredAnnounced ? s.deferred?.publicKey : undefined,
      // A new Lkp waits while an Ekp rotation of mine is in flight, so it travels under keys
      // that mix a secret generated after any earlier compromise of this side.
      lookupKey: s.next?.origin === 'mine' || s.deferred ? undefined : s.mailboxes.pending?.publicKey,
    };
    const plaintext = encodeInner(inner);
    if (plaintext.length > MAX_INNER_BYTES) {
      throw new SessionError('content-too-long', `inner message of ${plaintext.length} bytes exceeds ${MAX_INNER_BYTES}`);
    }
    const header = directHeader(this.peerTag, counter);
    const sealed = this.suite.aeadSeal(epoch.keys.sendKey, messageNonce(counter), plaintext, header);
    const mask = counterMask(this.suite, epoch.keys.headerSendKey, sealed);
    epoch.sendCounter = counter + 1;
    return { envelope: encodeDirectEnvelope(header, sealed, mask), id: { epoch: epoch.number, counter } };
  }

  sealText(text: string, options: { readonly acks?: readonly MessageId[] } = {}): SealedMessage {
    return this.seal({ type: 'text', text }, options);
  }

  /** A message with no body: acknowledges rotations (by its epoch and mailbox) and carries acks. */
  sealControl(acks: readonly MessageId[] = []): SealedMessage {
    return this.seal({ type: 'none' }, { acks });
  }

  /** Proposes a fresh Ekp (X25519). It rides in every message until acknowledged. */
  rotateEncryptionKey(random: RandomSource): RotationStatus {
    const s = this.state;
    if (s.next?.origin === 'mine' || s.deferred) return 'already-pending';
    const pair = generateEncryptionKeyPair(this.suite, random);
    if (s.next) {
      s.deferred = pair;
      return 'deferred';
    }
    this.activate(pair);
    return 'proposed';
  }

  /** Proposes a fresh Lkp (Ed25519): a new mailbox whose tag cannot be linked to the old one. */
  rotateLookupKey(random: RandomSource): RotationStatus {
    const m = this.state.mailboxes;
    if (m.pending) return 'already-pending';
    m.pending = generateLookupKeyPair(this.suite, random);
    return 'proposed';
  }

  /**
   * Opens a direct envelope. Every failure leaves the state untouched; only
   * an authentic, fresh message moves the replay window or a rotation.
   */
  open(envelope: Uint8Array, nowMs: number): OpenResult<OpenedMessage> {
    if (!Number.isFinite(nowMs)) throw new SessionError('bad-argument', 'nowMs must be a finite number of milliseconds');
    this.expire(nowMs);
    const decoded = decodeDirectEnvelope(envelope);
    if (!decoded.ok) return decoded;
    const { mailboxTag: tag, maskedCounter, sealed } = decoded.value;
    const box = this.ownTags.stateOf(this.state.mailboxes, tag);
    if (!box) return openFail('unknown-mailbox', 1, 'envelope is not addressed to a mailbox of this session');
    const s = this.state;
    const slots: [ReceiveSlot, Epoch | undefined][] = [
      ['current', s.current], ['next', s.next?.epoch], ['chained', this.chainedEpoch()], ['previous', s.previous?.epoch],
      ['older', s.older?.epoch],
    ];
    for (const [slot, epoch] of slots) {
      if (!epoch) continue;
      // Each epoch has its own header key: unmask, then the AEAD decides.
      const counter = maskedCounter ^ counterMask(this.suite, epoch.keys.headerReceiveKey, sealed);
      const plaintext = this.suite.aeadOpen(epoch.keys.receiveKey, messageNonce(counter), sealed, directHeader(tag, counter));
      if (!plaintext) continue;
      if (epoch.window.check(counter) !== 'fresh') {
        return openFail('replay', 7, `counter ${counter} of epoch ${epoch.number} already accepted or older than the window`);
      }
      const inner = decodeInner(plaintext, DIRECT_HEADER_BYTES);
      if (!inner.ok) return inner;
      return this.accept(slot, epoch, counter, box, inner.value, nowMs);
    }
    return openFail('bad-mac', envelope.length - AEAD_TAG_BYTES, 'no key of this session authenticates the envelope');
  }

  /** Applies an authentic message: validate everything first, then mutate. */
  private accept(
    slot: ReceiveSlot, epoch: Epoch, counter: number, box: OwnMailbox['state'], inner: InnerMessage, nowMs: number,
  ): OpenResult<OpenedMessage> {
    const s = this.state;
    const events: SessionEvent[] = [];
    let ackDue = false;
    const promoting = slot === 'next';
    // 'chained' commits `next` (theirs) and then my healing rotation on top of it, in one step.
    const chaining = slot === 'chained' && s.next?.origin === 'theirs' && s.deferred !== undefined;
    // The state as it will be once a promotion (if any) is applied.
    const myEkpAfter = chaining && s.deferred ? s.deferred : promoting && s.next?.origin === 'mine' ? s.next.pair : s.myEncryption;
    const theirEkpAfter = (promoting || chaining) && s.next?.origin === 'theirs' ? s.next.theirPublic : s.theirEncryption;
    const nextAfter = promoting || chaining ? undefined : s.next;
    const rootAfter = promoting || chaining ? epoch.root : s.current.root;
    const numberAfter = promoting || chaining ? epoch.number : s.current.number;
    // A proposal inside the acknowledgement of my own rotation is the peer's healing key:
    // accepting it draws nothing (my new Ekp is already fresh). Any other accepted
    // proposal makes me draw a healing key, so the peer's rotation heals my side too.
    const heals = !(promoting && s.next?.origin === 'mine');

    // Ekp proposals count only under the current epoch (after promotion):
    // copies carried by older epochs are stale by construction.
    let acceptEkp: { pub: Uint8Array; root: Uint8Array; yieldMine: boolean; heals: boolean } | undefined;
    const proposed = slot === 'previous' || slot === 'older' ? undefined : inner.encryptionKey;
    if (proposed && !sameBytes(proposed, theirEkpAfter)) {
      if (nextAfter?.origin === 'theirs') {
        if (sameBytes(proposed, nextAfter.theirPublic)) ackDue = true; // our ack was lost: ack again
      } else if (nextAfter?.origin === 'mine' && compareBytes(nextAfter.pair.publicKey, proposed) < 0) {
        // Tie-break: both rotate at once and my key sorts first, so mine goes first; the peer answers it with a healing key.
      } else {
        const shared = ratchetShared(this.suite, myEkpAfter.secretKey, proposed);
        if (!shared) return openFail('bad-key', DIRECT_HEADER_BYTES, 'proposed Ekp is a low-order X25519 key');
        const root = ratchetRoot(this.suite, rootAfter, shared, proposed, myEkpAfter.publicKey);
        shared.fill(0);
        acceptEkp = { pub: proposed.slice(), root, yieldMine: nextAfter?.origin === 'mine', heals };
      }
    }

    // --- mutate ---
    epoch.window.mark(counter);
    const id: MessageId = { epoch: epoch.number, counter };
    if (promoting) {
      commitNext(s, nowMs);
      // A healing key announced on top of `next` is activated afresh below (same root).
      this.chained?.epoch.wipe();
      this.chained = undefined;
      events.push('epoch-committed');
    } else if (chaining) {
      commitChained(s, epoch, nowMs);
      this.chained = undefined;
      events.push('epoch-committed');
    } else if (slot === 'current') {
      countGraceMessage(s);
    }
    if (box === 'pending') {
      commitLookup(s.mailboxes, nowMs, s.options.lookupDrainMs);
      events.push('own-lookup-committed');
    }
    if (acceptEkp) {
      if (acceptEkp.yieldMine && s.next?.origin === 'mine') {
        // My proposal gives way; the healing key drawn below replaces it (a thief may hold the pending one).
        s.deferred = s.next.pair;
        s.next.epoch.wipe();
        events.push('own-rotation-deferred');
      }
      s.next = {
        origin: 'theirs', theirPublic: acceptEkp.pub,
        epoch: Epoch.fromRoot(this.suite, numberAfter + 1, acceptEkp.root, s.lowSide),
      };
      if (acceptEkp.heals) {
        s.deferred?.secretKey.fill(0);
        s.deferred = generateEncryptionKeyPair(this.suite, this.random);
        s.deferredAnnounced = true;
      } else {
        // A waiting rotation of mine (if any) stays unannounced: it starts after this one commits.
        s.deferredAnnounced = false;
      }
      ackDue = true;
      events.push('peer-encryption-proposed');
    }
    if (inner.lookupKey) {
      if (sameBytes(inner.lookupKey, s.theirLookup)) {
        ackDue = true; // the peer has not yet seen a message at its new mailbox
      } else if (isNewer(id, s.theirLookupSetAt)) {
        s.theirLookup = inner.lookupKey.slice();
        s.theirLookupSetAt = id;
        this.peerTag = mailboxTag(this.suite, s.theirLookup);
        ackDue = true;
        events.push('peer-lookup-changed');
      }
    }
    if (!s.next && s.deferred) {
      const pair = s.deferred;
      s.deferred = undefined;
      s.deferredAnnounced = false;
      this.activate(pair);
    }
    return { ok: true, value: { body: inner.body, id, acks: this.resolveAcks(inner), ackDue, events } };
  }

  /** Starts my rotation: the candidate epoch from (new Ekp, peer's current Ekp) on top of the current root. */
  private activate(pair: EncryptionKeyPair): void {
    const s = this.state;
    s.next = { origin: 'mine', pair, epoch: stepEpoch(this.suite, s.current, s.lowSide, pair, s.theirEncryption) };
  }

  /**
   * The epoch my announced healing Ekp creates on top of `next`: exactly what
   * activate() would compute once `next` commits, so the peer, which takes my
   * key as a proposal on that same root, derives the same one. Cached, never stored.
   */
  private chainedEpoch(): Epoch | undefined {
    const s = this.state;
    if (!s.deferredAnnounced || !s.deferred || s.next?.origin !== 'theirs') return undefined;
    const c = this.chained;
    if (c && c.next === s.next.epoch && c.pair === s.deferred) return c.epoch;
    c?.epoch.wipe();
    const epoch = stepEpoch(this.suite, s.next.epoch, s.lowSide, s.deferred, s.next.theirPublic);
    this.chained = { next: s.next.epoch, pair: s.deferred, epoch };
    return epoch;
  }

  /** Wipes the grace epochs and the drained mailbox once their time is up. */
  expire(nowMs: number): void {
    const s = this.state;
    expireGrace(s, nowMs);
    expireMailboxes(s.mailboxes, nowMs);
  }

  /** Ack entries carry the epoch's low byte: resolve to the latest epoch I sent under with that byte. */
  private resolveAcks(inner: InnerMessage): MessageId[] {
    const s = this.state;
    const top = s.next?.origin === 'theirs' ? s.next.epoch.number : s.current.number;
    return inner.acks.map((a) => ({ epoch: top - ((top - a.epochByte) & 0xff), counter: a.counter }));
  }

  /** Public view for logs: tags and epoch numbers, never a key. */
  toJSON(): unknown {
    const s = this.state;
    return {
      epoch: s.current.number,
      rotation: s.next ? s.next.origin : 'none',
      deferredRotation: s.deferred !== undefined,
      healingAnnounced: s.deferredAnnounced,
      graceEpoch: s.previous?.epoch.number,
      olderGraceEpoch: s.older?.epoch.number,
      peerMailboxTag: Array.from(this.peerTag, (b) => b.toString(16).padStart(2, '0')).join(''),
      secrets: '[secret redacted]',
    };
  }
}
