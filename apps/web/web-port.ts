/**
 * The NodePort (seams/node-port.ts) of an agent running in the page, over
 * the node's web API: sealed envelopes go up, sealed envelopes come down by
 * long poll, receipts settle from the same poll. Keys never leave the page.
 */
import type { NodePort, ArrivedEnvelope, SubmissionUpdate, SubmitRequest, WatchedMailbox } from '../../seams/node-port.ts';
import type { EnvelopeEvent, SubmissionView } from '../../seams/local-api.ts';
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import type { NodeApi } from './api.ts';

const RETRY_AFTER_ERROR_MS = 2_000;

function b64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function unb64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export interface WebPort extends NodePort {
  start(): void;
  stop(): void;
}

export function createWebPort(api: NodeApi, meshNodeId: Uint8Array | undefined, onError: (e: Error) => void): WebPort {
  const states = new Map<string, SubmissionUpdate>();
  const waiting = new Set<string>();
  const stateHandlers = new Set<(u: SubmissionUpdate) => void | Promise<void>>();
  const envelopeHandlers = new Set<(a: ArrivedEnvelope) => void | Promise<void>>();
  /** Envelopes given to the agent and not released yet: the poll skips them. */
  const held = new Set<string>();
  let tags: string[] = [];
  let running = false;
  let abort: AbortController | undefined;
  let claim: Promise<unknown> = Promise.resolve();

  async function give(e: EnvelopeEvent): Promise<void> {
    held.add(e.id);
    const arrived: ArrivedEnvelope = { tag: fromHex(e.tag)!, id: fromHex(e.id)!, envelope: unb64(e.envelope), receivedAt: e.receivedAt };
    for (const h of envelopeHandlers) await h(arrived);
  }

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
        const answer = await api.call<{ envelopes: EnvelopeEvent[]; receipts: SubmissionView[] }>(
          'POST', '/api/poll', { seen: [...held], receipts: [...waiting] }, abort.signal);
        for (const e of answer.envelopes) await give(e);
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
    ...(meshNodeId ? { meshNodeId } : {}),
    async submit(request: SubmitRequest): Promise<string> {
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
      claim = api.call('POST', '/api/mailboxes', { tags }).catch((e: Error) => onError(e));
      abort?.abort();
    },
    onEnvelope(handler) {
      envelopeHandlers.add(handler);
      return () => envelopeHandlers.delete(handler);
    },
    release(tag: Uint8Array, id: Uint8Array): void {
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
