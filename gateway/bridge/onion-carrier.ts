/**
 * The gateway's part of Matriochka over the mesh (docs/PROTOCOL.md
 * "Matriochka over the mesh"): a mesh user with no Internet built its
 * onion itself; the gateway only carries it to the first relay of the
 * chain, which the request names (it would learn it anyway: it opens the
 * connection), and says what became of it. It never sees more: the packet
 * is peeled by the relay's onion key, which the gateway does not hold.
 *
 * Order of work per request, cheapest refusal first:
 *  1. no authenticated sender (router origin block): dropped, nobody to
 *     answer (a request cannot name where answers go: no reflection);
 *  2. a relay this gateway does not serve: 'not-served' (final);
 *  3. the sender's allowance (its own bucket, apart from deposits: an onion
 *     costs the gateway no stamp, but radio time for the answers):
 *     'over-allowance' (retry later);
 *  4. the relay: 'ok', 'relay-refused' or 'relay-unreachable'.
 * The answer goes back as a direct mesh message (0xF5, 0xF6) under the
 * request's ticket, keyed to the asking node when its node key came with
 * the request (DeliverMeta.sourcePublicKey): it then carries an origin the
 * node verifies, and only that node's pairwise ack settles it, as for the
 * mail the gateway injects (gateway-role.ts). Nothing is kept: an onion is not queued (its drawn
 * delays and its deposit's stamp age; the sender builds a new one).
 */
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { clipReason, encodeGatewayAnswer, type GatewayAnswer, type OnionAnswerCode } from '../../protocol/gateway/onion-answer.ts';
import type { GatewayRequest } from '../../protocol/gateway/request.ts';
import { RelayError } from '../../protocol/server/errors.ts';
import { splitPinnedUrl } from '../../protocol/server/fingerprint.ts';
import type { ServerDescriptor } from '../../protocol/server/descriptor.ts';
import type { Clock } from '../../seams/clock.ts';
import type { GatewayAllowance } from './gateway-allowance.ts';
import { redactUrl } from './redact-url.ts';

/** What the carrier needs of a relay: its descriptor and catalog as signed bytes, and a packet handed over. */
export interface CarriedRelay {
  connect(): Promise<ServerDescriptor>;
  catalog(): Promise<ServerDescriptor[]>;
  sendOnion(packet: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface OnionCarrierOptions {
  /** The relay URLs this gateway serves (its config's gateway.relays). */
  readonly relays: readonly string[];
  /** Opens a client of a served relay under the key the gateway knows for it (pinned or first contact). */
  readonly open: (url: string) => Promise<CarriedRelay>;
  /** Onion requests per mesh sender (its own instance, apart from deposits). */
  readonly allowance: GatewayAllowance;
  readonly clock: Clock;
  /**
   * Sends an answer to a mesh node (the router's sendDirect); `nodePublicKey`,
   * that node's key when the request came with it, makes the answer sourced
   * (SendOptions.destPublicKey).
   */
  readonly reply: (nodeId: Uint8Array, answer: Uint8Array, nodePublicKey?: Uint8Array) => Promise<unknown>;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** Most descriptors in a catalog answer (each about 200 bytes on air). Default 8. */
  readonly maxDescriptors?: number;
}

export interface OnionCarrierStats {
  carried: number;
  refused: number;
  catalogs: number;
  unanswerable: number;
}

type OnionRequest = Extract<GatewayRequest, { kind: 'onion' | 'onion-catalog' }>;

export class OnionCarrier {
  readonly stats: OnionCarrierStats = { carried: 0, refused: 0, catalogs: 0, unanswerable: 0 };
  private readonly served: Map<string, string>;
  private readonly clients = new Map<string, Promise<CarriedRelay>>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly o: OnionCarrierOptions) {
    // Requests name the plain URL; a configured URL may carry its key fingerprint (#k=).
    this.served = new Map(o.relays.map((u) => [splitPinnedUrl(u).url, u]));
  }

  /**
   * Takes a request from the mesh; always true (acknowledged): what became of
   * it goes back as an answer. `sender`: the node the router authenticated
   * (hex node id); `senderPublicKey`: its node key, which the caller has
   * checked is that node's (the answer is keyed to it).
   */
  handle(request: OnionRequest, sender: string | undefined, senderPublicKey?: Uint8Array): boolean {
    if (sender === undefined) {
      this.stats.unanswerable++;
      this.o.log('gateway.onion.unauthenticated', { kind: request.kind });
      return true;
    }
    const work = this.serve(request, sender, senderPublicKey?.slice()).catch((e: unknown) => {
      this.o.log('gateway.onion.error', { error: (e as Error).message });
    });
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
    return true;
  }

  private async serve(request: OnionRequest, sender: string, senderPublicKey: Uint8Array | undefined): Promise<void> {
    // A status for an onion, or a catalog request's failure (a catalog's 'ok' carries descriptors, below).
    const status = (code: OnionAnswerCode, reason: string): GatewayAnswer => request.kind === 'onion'
      ? { kind: 'onion-status', ticket: request.ticket, code, reason: clipReason(reason) }
      : { kind: 'onion-catalog', ticket: request.ticket, code: code as Exclude<OnionAnswerCode, 'ok'>, reason: clipReason(reason) };
    const answer = async (a: GatewayAnswer): Promise<void> => {
      if (this.closed) return;
      await this.o.reply(fromHex(sender) as Uint8Array, encodeGatewayAnswer(a), senderPublicKey);
    };
    const configured = this.served.get(request.relayUrl);
    if (configured === undefined) {
      this.stats.refused++;
      return answer(status('not-served', `this gateway does not serve relay ${redactUrl(request.relayUrl)}`));
    }
    if (!this.o.allowance.admit(sender, this.o.clock.now())) {
      this.stats.refused++;
      return answer(status('over-allowance', 'over this gateway\'s onion allowance for your node: try again later'));
    }
    try {
      const relay = await this.client(configured);
      if (request.kind === 'onion-catalog') {
        const own = await relay.connect();
        const listed = (await relay.catalog()).filter((d) => d.bytes.length > 0);
        // The relay's own descriptor first, as the sender expects (gateway/client/onion-sender.ts).
        const descriptors = [own.bytes, ...listed.filter((d) => toHex(d.bytes) !== toHex(own.bytes)).map((d) => d.bytes)]
          .slice(0, this.o.maxDescriptors ?? 8);
        this.stats.catalogs++;
        return answer({ kind: 'onion-catalog', ticket: request.ticket, code: 'ok', descriptors });
      }
      await relay.sendOnion(request.packet);
      this.stats.carried++;
      this.o.log('gateway.onion.carried', { relay: redactUrl(request.relayUrl), bytes: request.packet.length });
      return answer(status('ok', ''));
    } catch (e) {
      this.stats.refused++;
      // A relay's refusal is final unless it only asks to slow down; anything else is the path (retry later).
      const refused = e instanceof RelayError && e.code !== 'rate-limited';
      if (!(e instanceof RelayError)) this.drop(configured);
      const reason = `relay ${redactUrl(request.relayUrl)} ${refused ? 'refused it' : 'unreachable'}: ${(e as Error).message}`;
      return answer(status(refused ? 'relay-refused' : 'relay-unreachable', reason));
    }
  }

  private client(url: string): Promise<CarriedRelay> {
    let c = this.clients.get(url);
    if (!c) {
      c = this.o.open(url);
      this.clients.set(url, c);
      c.catch(() => this.clients.delete(url));
    }
    return c;
  }

  /** Transport trouble: the next request reconnects. */
  private drop(url: string): void {
    const c = this.clients.get(url);
    this.clients.delete(url);
    void c?.then((r) => r.close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.running);
    this.closed = true;
    await Promise.all([...this.clients.values()].map((c) => c.then((r) => r.close()).catch(() => undefined)));
    this.clients.clear();
  }
}
