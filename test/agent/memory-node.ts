/**
 * An in-memory NodePort for agent tests: a shared "mesh" holds mailboxes by
 * tag; submit() puts the envelope there (state 'sent'), and every agent
 * watching that tag gets it when the test calls flush(). It keeps the
 * port's contract: durable receipt ids (deterministic per envelope),
 * duplicates are one receipt, release() deletes.
 */
import { toHex } from '../../protocol/codec/bytes.ts';
import type { ArrivedEnvelope, NodePort, SubmissionUpdate, SubmitRequest, WatchedMailbox } from '../../seams/node-port.ts';

export class MemoryMesh {
  readonly boxes = new Map<string, { id: Uint8Array; envelope: Uint8Array; tag: Uint8Array }[]>();
  readonly ports: MemoryNodePort[] = [];
  submitted: SubmitRequest[] = [];
  /** Envelopes dropped instead of delivered (a lossy link). */
  drop = (_r: SubmitRequest): boolean => false;

  port(meshNodeId?: Uint8Array): MemoryNodePort {
    const p = new MemoryNodePort(this, meshNodeId);
    this.ports.push(p);
    return p;
  }

  /** Gives every waiting envelope to the ports watching its tag, until nothing moves. */
  async flush(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      let moved = false;
      for (const p of this.ports) moved = (await p.deliverWaiting()) || moved;
      if (!moved) return;
    }
  }
}

export class MemoryNodePort implements NodePort {
  private readonly stateHandlers = new Set<(u: SubmissionUpdate) => void | Promise<void>>();
  private readonly envelopeHandlers = new Set<(a: ArrivedEnvelope) => void | Promise<void>>();
  private readonly states = new Map<string, SubmissionUpdate>();
  private watched: readonly WatchedMailbox[] = [];
  private readonly given = new Set<string>();
  constructor(private readonly mesh: MemoryMesh, readonly meshNodeId?: Uint8Array) {}

  get watchedTags(): string[] {
    return this.watched.map((w) => toHex(w.tag));
  }

  async submit(request: SubmitRequest): Promise<string> {
    const receiptId = toHex(request.envelope.slice(-16));
    if (this.states.has(receiptId)) return receiptId;
    this.states.set(receiptId, { receiptId, state: 'queued' });
    this.mesh.submitted.push(request);
    if (!this.mesh.drop(request)) {
      const key = toHex(request.tag.subarray(0, 6));
      const box = this.mesh.boxes.get(key) ?? [];
      box.push({ id: request.envelope.slice(-16), envelope: request.envelope.slice(), tag: request.tag.slice(0, 6) });
      this.mesh.boxes.set(key, box);
      queueMicrotask(() => this.update({ receiptId, state: 'sent' }));
    }
    return receiptId;
  }

  private update(u: SubmissionUpdate): void {
    this.states.set(u.receiptId, u);
    for (const h of this.stateHandlers) void h(u);
  }

  receiptState(receiptId: string): SubmissionUpdate | undefined {
    return this.states.get(receiptId);
  }

  onState(handler: (u: SubmissionUpdate) => void | Promise<void>): () => void {
    this.stateHandlers.add(handler);
    return () => this.stateHandlers.delete(handler);
  }

  watch(mailboxes: readonly WatchedMailbox[]): void {
    this.watched = mailboxes;
  }

  onEnvelope(handler: (a: ArrivedEnvelope) => void | Promise<void>): () => void {
    this.envelopeHandlers.add(handler);
    return () => this.envelopeHandlers.delete(handler);
  }

  release(tag: Uint8Array, id: Uint8Array): void {
    const box = this.mesh.boxes.get(toHex(tag));
    if (!box) return;
    const i = box.findIndex((e) => toHex(e.id) === toHex(id));
    if (i >= 0) box.splice(i, 1);
  }

  async deliverWaiting(): Promise<boolean> {
    let moved = false;
    for (const w of this.watched) {
      for (const e of [...(this.mesh.boxes.get(toHex(w.tag)) ?? [])]) {
        const key = `${toHex(e.tag)}/${toHex(e.id)}`;
        if (this.given.has(key)) continue;
        this.given.add(key);
        moved = true;
        for (const h of this.envelopeHandlers) await h({ tag: e.tag, id: e.id, envelope: e.envelope, receivedAt: 0 });
      }
    }
    return moved;
  }
}
