/**
 * The sender's side of Matriochka over the mesh (docs/PROTOCOL.md
 * "Matriochka over the mesh"): a node with no Internet builds its onions
 * itself (gateway/client/onion-sender.ts, the user's own keys) and has a
 * mesh gateway carry the requests its first hop needs:
 *  - 0xF4 catalog: the first relay's descriptor and catalog, kept until the
 *    earliest onion key in it expires (or `catalogMaxAgeMs`), so the ~1 KB
 *    answer crosses the radio once per key period, not per message;
 *  - 0xF3 onion: the packet, answered 'ok' once the first relay took it.
 * The gateway passes the descriptors on unsigned by itself; each is signed
 * by its relay, and the first relay's must match the key pinned in the
 * trusted URL (`#k=`): without a pin a gateway could present a relay of its
 * own as the first hop and peel the first layer, so an unpinned trusted
 * relay is refused here. Answers count only from the gateway asked, as the
 * router authenticated it (DeliverMeta.source).
 */
import { fromHex, toHex } from '../../protocol/codec/bytes.ts';
import { AnnounceFlag } from '../../protocol/mesh/announce.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import { decodeGatewayAnswer, type GatewayAnswer, isGatewayAnswer } from '../../protocol/gateway/onion-answer.ts';
import { encodeGatewayRequest, GATEWAY_TICKET_BYTES, type GatewayRequest, MESH_ONION_PACKET_BYTES } from '../../protocol/gateway/request.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { decodeServerDescriptor, type ServerDescriptor } from '../../protocol/server/descriptor.ts';
import { matchesFingerprint, splitPinnedUrl } from '../../protocol/server/fingerprint.ts';
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import {
  type OnionSendRequest, type OnionSent, OnionRouteError, type RelayPort, RelayRefusedError, RelayUnreachableError,
} from '../../seams/relay-port.ts';
import { type OnionFirstHop, type OnionSenderContext, sendOnionVia } from '../client/onion-sender.ts';

/** The mesh gateway to use: its node id, and its public key when known (so the first request is authenticated). */
export interface MeshGateway {
  readonly nodeId: Uint8Array;
  readonly publicKey?: Uint8Array;
}

/** A node heard on the mesh, as the router's catalog lists it (node-runtime/router CatalogEntry). */
export interface HeardNode {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly flags: number;
  readonly hops: number;
}

/**
 * The gateway for config `onion.gateway`: the node of the given public key
 * (hex), or with "auto" the nearest node heard announcing the gateway flag
 * (fewest hops, then the most recently heard order the catalog gives),
 * never this node itself; undefined when none is heard yet.
 */
export function chooseMeshGateway(
  suite: CryptoSuite, setting: string, heard: () => readonly HeardNode[], selfId: string,
): MeshGateway | undefined {
  if (setting !== 'auto') {
    const publicKey = fromHex(setting);
    if (!publicKey || publicKey.length !== 32) throw new RangeError('onion.gateway is "auto" or a 32-byte public key in hex');
    return { nodeId: meshNodeId(suite, publicKey), publicKey };
  }
  const nearest = heard().filter((e) => (e.flags & AnnounceFlag.gateway) !== 0 && e.nodeId !== selfId).sort((a, b) => a.hops - b.hops)[0];
  const nodeId = nearest && fromHex(nearest.nodeId);
  return nearest && nodeId ? { nodeId, publicKey: nearest.publicKey } : undefined;
}

export interface MeshOnionClientOptions {
  readonly suite: CryptoSuite;
  readonly random: RandomSource;
  readonly clock: Clock;
  /** The gateway to ask now; undefined when none is known (none heard on the mesh yet). */
  readonly gateway: () => MeshGateway | undefined;
  /** Sends a request to the gateway over the mesh, resolving on its end-to-end acknowledgement (the router's sendDirect). */
  readonly send: (gateway: MeshGateway, request: Uint8Array) => Promise<unknown>;
  /** How long an answer may take after the gateway acknowledged the request. Default 120 s (LoRa, a busy relay). */
  readonly answerWithinMs?: number;
  /** Longest a catalog is kept, whatever its keys' validity. Default one hour. */
  readonly catalogMaxAgeMs?: number;
}

interface Pending {
  readonly gateway: string;
  readonly kind: GatewayAnswer['kind'];
  readonly resolve: (a: GatewayAnswer) => void;
  readonly reject: (e: Error) => void;
  timer?: TimerHandle;
}

interface CachedCatalog {
  readonly first: ServerDescriptor;
  readonly listed: readonly ServerDescriptor[];
  readonly untilMs: number;
}

export interface MeshOnionClientStats {
  requests: number;
  answers: number;
  /** Answers from another node than the gateway asked, for no pending ticket, or undecodable. */
  ignoredAnswers: number;
  catalogFetches: number;
}

export class MeshOnionClient {
  readonly stats: MeshOnionClientStats = { requests: 0, answers: 0, ignoredAnswers: 0, catalogFetches: 0 };
  private readonly pending = new Map<string, Pending>();
  private readonly catalogs = new Map<string, CachedCatalog>();
  private stopped = false;

  constructor(private readonly o: MeshOnionClientOptions) {}

  /**
   * A message the router delivered: true when it was a gateway answer
   * (consumed here, whoever sent it), false for anything else.
   */
  deliver(bytes: Uint8Array, source: Uint8Array | undefined): boolean {
    if (!isGatewayAnswer(bytes)) return false;
    const decoded = decodeGatewayAnswer(bytes);
    const key = decoded.ok ? toHex(decoded.value.ticket) : undefined;
    const p = key === undefined ? undefined : this.pending.get(key);
    if (!decoded.ok || !p || !source || toHex(source) !== p.gateway || p.kind !== decoded.value.kind) {
      this.stats.ignoredAnswers++;
      return true;
    }
    this.pending.delete(key as string);
    p.timer?.cancel();
    this.stats.answers++;
    p.resolve(decoded.value);
    return true;
  }

  /** The first hop `pinnedUrl` (a trusted relay's URL with its `#k=` fingerprint), reached through the gateway. */
  firstHop(pinnedUrl: string): OnionFirstHop {
    const { url, fingerprint } = splitPinnedUrl(pinnedUrl);
    const catalog = async (): Promise<CachedCatalog> => {
      if (!fingerprint) {
        throw new OnionRouteError('over the mesh the trusted relay must be pinned (its URL with #k=): the gateway passes its descriptor on, and could otherwise put a relay of its own first');
      }
      const cached = this.catalogs.get(url);
      if (cached && this.o.clock.now() < cached.untilMs) return cached;
      const fresh = await this.fetchCatalog(url);
      if (!matchesFingerprint(this.o.suite, fresh.first.server, fingerprint)) {
        throw new RelayRefusedError('the descriptor the gateway passed on is not the pinned relay\'s (wrong key)');
      }
      this.catalogs.set(url, fresh);
      return fresh;
    };
    return {
      connect: async () => (await catalog()).first,
      catalog: async () => [...(await catalog()).listed],
      sendOnion: async (packet) => {
        // A long-class packet (4398 bytes) is over what the mesh carries in one message.
        if (!MESH_ONION_PACKET_BYTES.includes(packet.length)) {
          throw new OnionRouteError(`this message is too long for an onion over the mesh (a ${packet.length}-byte packet; at most the ${Math.max(...MESH_ONION_PACKET_BYTES)}-byte class)`);
        }
        const a = await this.ask({ kind: 'onion', ticket: this.ticket(), relayUrl: url, packet });
        if (a.code !== 'ok') throw this.failure(a);
      },
    };
  }

  private async fetchCatalog(url: string): Promise<CachedCatalog> {
    this.stats.catalogFetches++;
    const a = await this.ask({ kind: 'onion-catalog', ticket: this.ticket(), relayUrl: url });
    if (!('descriptors' in a)) throw this.failure(a);
    const decoded = a.descriptors.flatMap((bytes) => {
      const d = decodeServerDescriptor(this.o.suite, bytes);
      return d.ok ? [d.value] : [];
    });
    const first = decoded[0];
    if (!first || decoded.length !== a.descriptors.length || toHex(first.bytes) !== toHex(a.descriptors[0] as Uint8Array)) {
      throw new RelayUnreachableError('the gateway passed on a catalog whose first descriptor does not verify');
    }
    const now = this.o.clock.now();
    // Kept until the first onion key in it expires: after that a chain through it would be refused.
    const keyEnds = decoded.flatMap((d) => (d.onion ? [d.onion.validUntilSec * 1000, d.expiresSec * 1000] : [d.expiresSec * 1000]));
    const untilMs = Math.min(now + (this.o.catalogMaxAgeMs ?? 3_600_000), ...keyEnds);
    return { first, listed: decoded.slice(1), untilMs };
  }

  private ticket(): Uint8Array {
    return this.o.random.bytes(GATEWAY_TICKET_BYTES);
  }

  private failure(a: Extract<GatewayAnswer, { reason: string }>): Error {
    const text = `through the mesh gateway: ${a.reason || a.code}`;
    switch (a.code) {
      case 'relay-refused': return new RelayRefusedError(text);
      case 'not-served': return new OnionRouteError(text);
      case 'relay-unreachable':
      case 'over-allowance':
      case 'ok':
        return new RelayUnreachableError(text);
    }
  }

  /** One request and its answer; RelayUnreachableError when no gateway, no acknowledgement or no answer in time. */
  private async ask(request: Extract<GatewayRequest, { kind: 'onion' | 'onion-catalog' }>): Promise<GatewayAnswer> {
    if (this.stopped) throw new RelayUnreachableError('node stopping');
    const gateway = this.o.gateway();
    if (!gateway) throw new RelayUnreachableError('no gateway heard on the mesh yet to carry the onion');
    const key = toHex(request.ticket);
    const kind: GatewayAnswer['kind'] = request.kind === 'onion' ? 'onion-status' : 'onion-catalog';
    const answered = new Promise<GatewayAnswer>((resolve, reject) => {
      this.pending.set(key, { gateway: toHex(gateway.nodeId), kind, resolve, reject });
    });
    answered.catch(() => undefined);
    this.stats.requests++;
    try {
      await this.o.send(gateway, encodeGatewayRequest(request));
    } catch (e) {
      this.pending.delete(key);
      throw new RelayUnreachableError(`the mesh gateway ${toHex(gateway.nodeId)} did not take it: ${(e as Error).message}`);
    }
    const p = this.pending.get(key);
    // The answer may already be in (it can overtake the acknowledgement): only a pending request waits.
    if (p) {
      p.timer = this.o.clock.setTimer(this.o.answerWithinMs ?? 120_000, () => {
        if (this.pending.delete(key)) p.reject(new RelayUnreachableError(`no answer from the mesh gateway ${toHex(gateway.nodeId)} in time`));
      });
    }
    return answered;
  }

  /** Rejects every pending request (the node stops). */
  stop(): void {
    this.stopped = true;
    for (const [key, p] of this.pending) {
      p.timer?.cancel();
      p.reject(new RelayUnreachableError('node stopping'));
      this.pending.delete(key);
    }
  }
}

/**
 * A relay port whose onions go through the mesh gateway (the rest, deposits
 * and fetches, as `port` does them): for a node configured to send its
 * onions over the mesh (apps/meow-node/onion-config.ts `gateway`).
 */
export function withMeshOnions(port: RelayPort, client: MeshOnionClient, ctx: OnionSenderContext): RelayPort {
  return {
    url: port.url,
    probe: () => port.probe(),
    deposit: (tag, envelope) => port.deposit(tag, envelope),
    fetch: (lookup, acks) => port.fetch(lookup, acks),
    register: (lookup) => port.register(lookup),
    ...(port.publishPresence ? { publishPresence: port.publishPresence.bind(port) } : {}),
    ...(port.lookupPresence ? { lookupPresence: port.lookupPresence.bind(port) } : {}),
    async sendOnion(request: OnionSendRequest): Promise<OnionSent> {
      try {
        return await sendOnionVia(client.firstHop(port.url), { ...ctx, overRadio: true }, request);
      } catch (e) {
        if (e instanceof OnionRouteError || e instanceof RelayRefusedError || e instanceof RelayUnreachableError) throw e;
        throw new RelayUnreachableError(e instanceof Error ? e.message : String(e));
      }
    },
    close: () => port.close(),
  };
}
