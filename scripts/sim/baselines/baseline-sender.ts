/**
 * Direct messages a flooding baseline originates (flood-baseline.ts). Naive
 * flooding sends once and forgets; managed flooding, as Meshtastic, waits
 * for the destination's flooded ack and transmits at most 3 times in all.
 * The ack counts only when its proof binds the destination's node id.
 */
import { toHex } from '../../../protocol/codec/bytes.ts';
import type { CryptoSuite } from '../../../protocol/crypto/suite.ts';
import { ackProof, messageKey } from '../../../protocol/mesh/frame-auth.ts';
import { FRAME_HEADER_BYTES, FrameKind } from '../../../protocol/mesh/frame-types.ts';
import type { FrameFields } from '../../../protocol/mesh/frame.ts';
import type { AckPayload } from '../../../protocol/mesh/control.ts';
import { destHintOf } from '../../../protocol/mesh/node-id.ts';
import type { Clock, TimerHandle } from '../../../seams/clock.ts';

const MANAGED_MAX_SENDS = 3;

interface Pending { destId: Uint8Array; fields: FrameFields; sends: number; timer?: TimerHandle; resolve: (id: string) => void; reject: (e: Error) => void }

export interface BaselineSenderDeps {
  readonly managed: boolean;
  readonly suite: CryptoSuite;
  readonly meshKey: Uint8Array;
  readonly clock: Clock;
  readonly hopLimit: number;
  /** Puts a frame of this node on air. */
  readonly originate: (fields: FrameFields) => void;
  /** Ack wait for a frame of this many bytes. */
  readonly ackTimeoutMs: (frameBytes: number) => number;
}

export class BaselineSender {
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(private readonly d: BaselineSenderDeps) {}

  sendDirect(destNodeId: Uint8Array, envelope: Uint8Array): Promise<string> {
    const destHint = destHintOf(destNodeId);
    const key = messageKey(this.d.suite, this.d.meshKey, FrameKind.data, destHint, envelope);
    return new Promise((resolve, reject) => {
      const p: Pending = {
        destId: destNodeId, fields: { kind: FrameKind.data, limit: this.d.hopLimit, routed: false, destHint, payload: envelope },
        sends: 0, resolve, reject,
      };
      this.pending.set(key, p);
      this.send(p, key);
    });
  }

  /** True when the ack settled one of this node's messages (it is then not relayed). */
  settle(ack: AckPayload): boolean {
    const p = this.pending.get(ack.ackedKey);
    if (!p || toHex(ack.proof) !== toHex(ackProof(this.d.suite, this.d.meshKey, p.destId, ack.ackedKey))) return false;
    this.pending.delete(ack.ackedKey);
    p.timer?.cancel();
    p.resolve(ack.ackedKey.toString(16));
    return true;
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.timer?.cancel();
    this.pending.clear();
  }

  private send(p: Pending, key: number): void {
    p.sends++;
    this.d.originate({ ...p.fields, attempt: p.sends - 1 });
    if (!this.d.managed) {
      this.pending.delete(key);
      p.resolve(key.toString(16));
      return;
    }
    p.timer = this.d.clock.setTimer(this.d.ackTimeoutMs(FRAME_HEADER_BYTES + p.fields.payload.length), () => {
      if (this.closed || !this.pending.has(key)) return;
      if (p.sends >= MANAGED_MAX_SENDS) {
        this.pending.delete(key);
        p.reject(new Error('no ack'));
        return;
      }
      this.send(p, key);
    });
  }
}
