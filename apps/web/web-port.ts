/**
 * The NodePort (seams/node-port.ts) of an agent running in the page, over
 * the node's web API: sealed envelopes go up, sealed envelopes come down by
 * long poll, receipts settle from the same poll. Keys never leave the page.
 */
import type { NodePort, ArrivedEnvelope, SubmissionUpdate, SubmitRequest, WatchedMailbox } from '../../seams/node-port.ts';
import type { EnvelopeEvent, SubmissionView } from '../../seams/local-api.ts';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { NodeApi } from './api.ts';
import { b64, unb64 } from './base64.ts';

const RETRY_AFTER_ERROR_MS = 2_000;

export interface WebPort extends NodePort {
  start(): void;
  stop(): void;
  /**
   * The social features' mailboxes (apps/web/social.ts): `own` are claimed
   * like the agent's (a group mailbox of mine), `shared` are read without
   * owning them (a group's epoch tag, the broadcast tags): never deleted.
   */
  watchSocial(own: readonly Uint8Array[], shared: readonly Uint8Array[]): void;
  /** Envelopes under the social tags go here, not to the agent. */
  onSocialEnvelope(handler: (a: ArrivedEnvelope) => Promise<void>): void;
  /** Floods a signed emergency broadcast (0x13) over the mesh through the node. */
  broadcast(envelope: Uint8Array): Promise<void>;
}

/** The node this page talks to: its mesh id, and its public key when the node tells it (GET /status). */
export interface MeshNodeName {
  readonly id: Uint8Array;
  readonly key?: Uint8Array;
}

export function createWebPort(api: NodeApi, meshNode: MeshNodeName | undefined, onError: (e: Error) => void): WebPort {
  const states = new Map<string, SubmissionUpdate>();
  const waiting = new Set<string>();
  const stateHandlers = new Set<(u: SubmissionUpdate) => void | Promise<void>>();
  const envelopeHandlers = new Set<(a: ArrivedEnvelope) => void | Promise<void>>();
  /** Envelopes given to the agent and not released yet: the poll skips them. */
  const held = new Set<string>();
  let tags: string[] = [];
  let socialOwn: string[] = [];
  let shared: string[] = [];
  /** The node's cursor past the shared envelopes already read. */
  let after = 0;
  let socialHandler: ((a: ArrivedEnvelope) => Promise<void>) | undefined;
  let running = false;
  let abort: AbortController | undefined;
  let claim: Promise<unknown> = Promise.resolve();

  async function give(e: EnvelopeEvent): Promise<void> {
    const arrived: ArrivedEnvelope = { tag: fromHex(e.tag)!, id: fromHex(e.id)!, envelope: unb64(e.envelope), receivedAt: e.receivedAt };
    if (shared.includes(e.tag)) {
      // Past the cursor once answered: a failure here is reported, never retried forever on the same envelope.
      await socialHandler?.(arrived).catch((err: Error) => onError(err));
      return;
    }
    held.add(e.id);
    if (socialOwn.includes(e.tag)) {
      await socialHandler?.(arrived);
      return;
    }
    for (const h of envelopeHandlers) await h(arrived);
  }

  const claimAll = (): void => {
    claim = api.call('POST', '/api/mailboxes', { tags: [...new Set([...tags, ...socialOwn])] }).catch((e: Error) => onError(e));
    abort?.abort();
  };

  async function settle(r: SubmissionView): Promise<void> {
    waiting.delete(r.id);
    const u: SubmissionUpdate = { receiptId: r.id, state: r.state, ...(r.failure ? { failure: r.failure } : {}) };
    states.set(r.id, u);
    for (const h of stateHandlers) await h(u);
  }

  async function loop(): Promise<void> {
    while (running) {
      abort = new AbortController();
      try {
        await claim;
        const answer = await api.call<{ envelopes: EnvelopeEvent[]; receipts: SubmissionView[]; after?: number }>(
          'POST', '/api/poll', { seen: [...held], receipts: [...waiting], ...(shared.length > 0 ? { shared, after } : {}) }, abort.signal);
        for (const e of answer.envelopes) await give(e);
        if (answer.after !== undefined) after = answer.after;
        for (const r of answer.receipts) await settle(r);
      } catch (e) {
        if (!running) return;
        if ((e as Error).name === 'AbortError') continue; // we cut it short to ask for more
        onError(e as Error);
        await new Promise((r) => setTimeout(r, RETRY_AFTER_ERROR_MS));
      }
    }
  }

  return {
    ...(meshNode ? { meshNodeId: meshNode.id } : {}),
    ...(meshNode?.key ? { meshNodeKey: meshNode.key } : {}),
    async submit(request: SubmitRequest): Promise<string> {
      // The page cannot send onions (the node's /api/envelopes takes plain deposits): refuse rather than send less privately.
      if (request.onion) throw new Error('this page cannot send through a matriochka chain yet: use the node\'s own agent (meow) for this contact');
      const view = await api.call<SubmissionView>('POST', '/api/envelopes', {
        tag: toHex(request.tag), envelope: b64(request.envelope), relays: request.relays,
        ...(request.meshNode ? { meshNode: toHex(request.meshNode) } : {}), ...(request.ttlMs ? { ttlMs: request.ttlMs } : {}),
      });
      waiting.add(view.id);
      abort?.abort(); // the running poll does not know this receipt: start a new one
      return view.id;
    },
    receiptState(receiptId: string): SubmissionUpdate | undefined {
      const known = states.get(receiptId);
      // Unknown after a reload: the next poll asks the node about it.
      if (!known) waiting.add(receiptId);
      return known;
    },
    onState(handler) {
      stateHandlers.add(handler);
      return () => stateHandlers.delete(handler);
    },
    watch(mailboxes: readonly WatchedMailbox[]): void {
      tags = mailboxes.map((m) => toHex(m.tag));
      claimAll();
    },
    watchSocial(own, sharedTags) {
      socialOwn = own.map((t) => toHex(t));
      shared = sharedTags.map((t) => toHex(t));
      claimAll();
    },
    onSocialEnvelope(handler) {
      socialHandler = handler;
    },
    async broadcast(envelope: Uint8Array): Promise<void> {
      await api.call('POST', '/api/broadcasts', { envelope: b64(envelope) });
    },
    onEnvelope(handler) {
      envelopeHandlers.add(handler);
      return () => envelopeHandlers.delete(handler);
    },
    release(tag: Uint8Array, id: Uint8Array): void {
      if (shared.includes(toHex(tag))) return; // read by every browser of the group or the node: it expires on the node
      const hex = toHex(id);
      api.call('DELETE', `/api/mailboxes/${toHex(tag)}/${hex}`).then(() => held.delete(hex), (e: Error) => onError(e));
    },
    start() {
      if (running) return;
      running = true;
      void loop();
    },
    stop() {
      running = false;
      abort?.abort();
    },
  };
}
