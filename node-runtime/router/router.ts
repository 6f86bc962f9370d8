/**
 * createRouter: carries opaque Meow envelopes across the mesh (issue 3,
 * docs/ARCHITECTURE.md section "router"). It only wires the parts, each
 * given the few things it uses:
 *   receive.ts        the receive pipeline (size cap, decode, verify, dedup, dispatch)
 *   handlers/*.ts     one handler per frame kind
 *   relay.ts          forwarding: flood relays, routed hops, originating frames
 *   outbox.ts         messages this node sends (end-to-end acks, retries, fragments)
 *   inbox.ts          messages for this node (store, then deliver)
 *   peer-keys.ts      other nodes' keys and pair keys; sources.ts the origin blocks they key
 *   announcer.ts      this node's periodic announce and the announce budget
 *   transmitter.ts    one frame onto every link's transmit queue
 */
import { defaultMeshKey } from '../../protocol/mesh/frame-auth.ts';
import { BROADCAST_HINT, FrameKind } from '../../protocol/mesh/frame-types.ts';
import { meshNodeId } from '../../protocol/mesh/node-id.ts';
import { uniformUnit } from '../scheduler/backoff.ts';
import { createTransmitQueue } from '../scheduler/transmit-queue.ts';
import { Announcer } from './announcer.ts';
import { RouterError } from './errors.ts';
import { AckHandler, createAckSender } from './handlers/ack.ts';
import { createAnnounceHandler } from './handlers/announce.ts';
import { createDataHandler } from './handlers/data.ts';
import { createFragmentRequestHandler } from './handlers/fragment-request.ts';
import { FragmentHandler } from './handlers/fragment.ts';
import { createRouteRequestHandler, RepliedPaths } from './handlers/route-request.ts';
import { createIdentity } from './identity.ts';
import { Inbox } from './inbox.ts';
import { Lifecycle } from './lifecycle.ts';
import { Outbox } from './outbox.ts';
import { PeerKeys } from './peer-keys.ts';
import { createReceiver, FloodDepth } from './receive.ts';
import { Forwarder } from './relay.ts';
import { createSeenFrames } from './seen-frames.ts';
import { HintReputation, NeighbourTable, RouteTable, ServerCatalog } from './tables.ts';
import { Transmitter } from './transmitter.ts';
import { DEFAULT_ROUTER_CONFIG, emptyCounters, type Router, type RouterConfig, type RouterOptions, silentLogger } from './types.ts';

export type { Router } from './types.ts';

function checkConfig(o: RouterOptions, cfg: RouterConfig): void {
  if (o.links.length === 0) throw new RouterError('bad-argument', 'a router needs at least one link');
  if (cfg.maxAttempts < 1 || cfg.maxAttempts > 4) throw new RouterError('bad-argument', 'maxAttempts must be 1..4');
  if (cfg.floodHopLimit < 1 || cfg.floodHopLimit > 31) throw new RouterError('bad-argument', 'floodHopLimit must be 1..31');
}

export function createRouter(o: RouterOptions): Router {
  const cfg = { ...DEFAULT_ROUTER_CONFIG, ...o.config };
  checkConfig(o, cfg);
  const queues = o.queues ?? o.links.map((link) => createTransmitQueue({ link, clock: o.clock, random: o.random }));
  if (queues.length !== o.links.length) throw new RouterError('bad-argument', 'one transmit queue per link');
  const { clock, suite } = o;
  const log = o.log ?? silentLogger;
  const counters = emptyCounters();
  const identity = createIdentity(suite, cfg.meshKey ?? defaultMeshKey(suite), meshNodeId(suite, o.nodeKeys.publicKey));
  const lifecycle = new Lifecycle(clock);
  const uniform = (): number => uniformUnit(o.random);
  const tx = new Transmitter(o.links, queues, clock, lifecycle, counters, cfg.recentUseWindowMs);
  const seen = createSeenFrames();
  const routes = new RouteTable(cfg.routeTtlMs);
  const neighbours = new NeighbourTable();
  const catalog = new ServerCatalog();
  const replied = new RepliedPaths();
  const floodDepth = new FloodDepth();
  const peers = new PeerKeys(suite, o.nodeKeys.seed, identity.nodeId);
  const forwarder = new Forwarder({ identity, cfg, clock, log, counters, lifecycle, tx, seen, uniform });
  const outbox = new Outbox({
    identity, cfg, clock, random: o.random, log, counters, lifecycle, tx, forwarder, routes, reputation: new HintReputation(), floodDepth,
    peers, ownPublicKey: o.nodeKeys.publicKey,
  });
  const announcer = new Announcer({
    suite, keys: o.nodeKeys, cfg, clock, counters, lifecycle, airtimeMs: (n) => tx.airtimeMs(n), uniform, forwarder,
  });
  const inbox = new Inbox({ clock, log, counters, lifecycle, store: o.store });
  const sendAck = createAckSender({ identity, counters, log, forwarder });
  const acks = new AckHandler({ identity, clock, log, counters, routes, outbox, forwarder });
  const fragments = new FragmentHandler({
    identity, clock, counters, lifecycle, routes, inbox, forwarder, sendAck, maxEnvelopeBytes: cfg.maxEnvelopeBytes, peers,
  });
  const receive = createReceiver({
    identity, clock, counters, lifecycle, tx, seen, neighbours, routes, floodDepth, forwarder,
    ackProgress: (frame) => acks.progress(frame),
    handlers: {
      data: createDataHandler({ identity, cfg, inbox, forwarder, sendAck, replied, routes, clock, peers, counters }),
      fragment: fragments.handle,
      ack: acks.handle,
      fragmentRequest: createFragmentRequestHandler({ identity, counters, forwarder, outbox }),
      announce: createAnnounceHandler({ identity, cfg, clock, counters, catalog, neighbours, routes, announcer, forwarder, peers }),
      routeRequest: createRouteRequestHandler({ identity, cfg, counters, forwarder, sendAck, replied, clock, lifecycle }),
    },
  });

  for (const link of o.links) link.onFrame((rx) => receive(rx, link.mtu));
  announcer.start();

  return {
    nodeId: identity.nodeId,
    sendDirect(destNodeId, envelope, options) {
      if (lifecycle.closed) return Promise.reject(new RouterError('closed', 'router is closed'));
      return outbox.send(destNodeId, envelope, options?.priority ?? 'direct', options?.destPublicKey);
    },
    broadcast(envelope) {
      if (lifecycle.closed) throw new RouterError('closed', 'router is closed');
      if (envelope.length === 0 || envelope.length > outbox.singleFrameCapacity()) {
        throw new RouterError('envelope-too-large', `a broadcast carries 1..${outbox.singleFrameCapacity()} bytes`);
      }
      forwarder.originate({ kind: FrameKind.data, limit: cfg.floodHopLimit, routed: false, destHint: BROADCAST_HINT, payload: envelope }, 'direct');
    },
    onDeliver: (handler) => inbox.onDeliver(handler),
    announce: () => announcer.announceNow(),
    catalog: (flags) => catalog.list(flags),
    stats: () => ({
      nodeId: identity.nodeIdHex,
      counters: { ...counters },
      neighbours: neighbours.list(),
      routes: routes.list(),
      queueDepths: tx.depths(),
      pendingMessages: outbox.size,
      reassembly: fragments.stats(),
    }),
    async close() {
      if (lifecycle.closed) return;
      lifecycle.close();
      outbox.close();
      tx.close();
    },
  };
}
