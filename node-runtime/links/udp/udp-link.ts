/**
 * A Link over UDP on an isolated Wi-Fi LAN (or any IP network without the
 * Internet): each mesh frame is one datagram (datagram.ts), sent by unicast
 * to every known neighbour.
 *
 * Why unicast fan-out rather than multicast for frames (docs/ARCHITECTURE.md
 * section links): 802.11 sends multicast at the lowest basic rate with no
 * acknowledgement and no retry, so it is slower and lossier than unicast,
 * and many access points filter or rate-limit it ("client isolation",
 * multicast-to-unicast conversion). Unicast gets the MAC layer's retries.
 * Neighbours come from mDNS (mdns-discovery.ts, itself multicast, but a few
 * small packets a minute) and from a static list (for LANs that filter mDNS,
 * a broadcast address such as 10.0.0.255 included).
 *
 * A datagram's sender is not learnt as a peer: a forged source address would
 * otherwise turn this node into a reflector aimed at a victim. Frames from
 * senders we did not discover are still delivered unless
 * `acceptUnknownSenders` is false (a neighbour may see us before we see it);
 * the mesh layer authenticates frames whatever link they came by.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { RandomSource } from '../../../protocol/random.ts';
import { toHex } from '../../../protocol/codec/bytes.ts';
import { FrameTooLargeError, LinkClosedError, type Link, type LinkStats, type ReceivedFrame } from '../../../seams/link.ts';
import { LinkConfigError, LinkStartError } from '../errors.ts';
import { decodeUdpDatagram, encodeUdpDatagram, udpHeaderBytes, udpMagic, udpSenderIdBytes, udpVersion } from './datagram.ts';

/** "MEOW" on a phone keypad; any port works, mDNS advertises the one bound. */
export const udpDefaultPort = 6369;
/**
 * Default largest mesh frame: 1200 bytes, so a datagram (plus our 10-byte
 * header, 8 UDP, 40 IPv6 / 20 IPv4) stays under the 1280-byte IPv6 minimum
 * MTU and is never IP-fragmented (the same reasoning as QUIC, RFC 9000
 * section 14).
 */
export const udpDefaultMtu = 1200;
export const udpDefaultMaxPeers = 64;

export type PeerSource = 'static' | 'mdns';

export interface UdpPeer {
  readonly host: string;
  readonly port: number;
  readonly source: PeerSource;
  /** The node id a peer advertised over mDNS, if any. */
  readonly nodeId?: string;
}

export interface UdpLinkOptions {
  /** For the sender link id (the platform CSPRNG in production). */
  random: RandomSource;
  /** Local address to bind (default 0.0.0.0: every interface). */
  bindAddress?: string;
  /** Local port (default 6369; 0 picks a free one). */
  port?: number;
  /** Largest mesh frame, in bytes (default 1200). */
  mtu?: number;
  /** Static neighbours, "host:port" or { host, port }. */
  peers?: ReadonlyArray<string | { host: string; port: number }>;
  /** Cap on neighbours (default 64): discovery cannot make one send() fan out without bound. */
  maxPeers?: number;
  /** Deliver frames from senders not in the peer list (default true). */
  acceptUnknownSenders?: boolean;
  /** Link id (default `udp:<address>:<port>` once bound). */
  id?: string;
}

export interface UdpLinkStats extends LinkStats {
  /** Datagrams handed to the socket (one per peer per frame). */
  datagramsSent: number;
  /** Datagrams the socket refused to send (host unreachable, ...). */
  sendErrors: number;
  /** Own datagrams heard back (a broadcast peer, our own address): ignored, not counted as drops. */
  ownDatagramsIgnored: number;
  /** Received datagrams dropped, by cause (their sum is framesDropped). */
  droppedNotMeow: number;
  droppedBadVersion: number;
  droppedOversize: number;
  droppedEmpty: number;
  droppedUnknownSender: number;
}

/**
 * One frame's datagrams to every peer: settles when each is handed over or
 * refused, or when the link closes (close() settles sends still in flight:
 * a host name lookup cut short by closing the socket never calls back).
 */
class FanOut {
  /** The socket.send callback of every datagram of this frame (bound once per frame). */
  readonly sent: (err: Error | null) => void;
  private pending: number;

  constructor(
    private readonly counters: { sendErrors: number; datagramsSent: number },
    private readonly inFlight: Set<FanOut>,
    private readonly resolve: () => void,
    peers: number,
  ) {
    this.pending = peers;
    this.sent = this.onSent.bind(this);
    inFlight.add(this);
  }

  settleOne(): void {
    if (this.pending > 0 && --this.pending === 0) this.settleAll();
  }

  settleAll(): void {
    this.pending = 0;
    this.inFlight.delete(this);
    this.resolve();
  }

  private onSent(err: Error | null): void {
    if (err) this.counters.sendErrors++;
    else this.counters.datagramsSent++;
    this.settleOne();
  }
}

function peerKey(host: string, port: number): string {
  return `${host}:${port}`;
}

function parsePeer(peer: string | { host: string; port: number }): { host: string; port: number } {
  if (typeof peer !== 'string') return peer;
  const at = peer.lastIndexOf(':');
  const host = at > 0 ? peer.slice(0, at) : '';
  const port = Number(peer.slice(at + 1));
  if (!host || !Number.isInteger(port)) throw new LinkConfigError(`udp link: bad peer "${peer}", expected host:port`);
  return { host, port };
}

export class UdpLink implements Link {
  readonly kind = 'udp' as const;
  readonly mtu: number;
  readonly id: string;
  /** The bound local port (what mDNS advertises). */
  readonly port: number;
  /** The 8-byte id this link stamps on its datagrams, hex. */
  readonly senderIdHex: string;
  private readonly senderId: Uint8Array;
  private readonly peerTable = new Map<string, UdpPeer>();
  private readonly maxPeers: number;
  private readonly acceptUnknownSenders: boolean;
  private handler: ((frame: ReceivedFrame) => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly beforeClose: Array<() => Promise<void>> = [];
  private readonly inFlight = new Set<FanOut>();
  private readonly counters: UdpLinkStats = {
    framesSent: 0, framesReceived: 0, framesDropped: 0, bytesSent: 0, bytesReceived: 0,
    datagramsSent: 0, sendErrors: 0, ownDatagramsIgnored: 0,
    droppedNotMeow: 0, droppedBadVersion: 0, droppedOversize: 0, droppedEmpty: 0, droppedUnknownSender: 0,
  };

  /** Use openUdpLink(): the socket must be bound first. */
  constructor(private readonly socket: Socket, options: UdpLinkOptions) {
    this.mtu = options.mtu ?? udpDefaultMtu;
    this.maxPeers = options.maxPeers ?? udpDefaultMaxPeers;
    this.acceptUnknownSenders = options.acceptUnknownSenders ?? true;
    this.senderId = options.random.bytes(udpSenderIdBytes);
    this.senderIdHex = toHex(this.senderId);
    const bound = socket.address();
    this.port = bound.port;
    this.id = options.id ?? `udp:${bound.address}:${bound.port}`;
    for (const p of options.peers ?? []) {
      const { host, port } = parsePeer(p);
      this.addPeer({ host, port, source: 'static' });
    }
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    // A socket error must never crash the daemon; a send error is counted where it happens.
    socket.on('error', () => undefined);
  }


  airtimeMs(): number {
    return 0; // Wi-Fi airtime is not the scarce resource the scheduler budgets.
  }

  peers(): UdpPeer[] {
    return [...this.peerTable.values()];
  }

  /** Adds a neighbour; false if it was known already or the table is full. */
  addPeer(peer: UdpPeer): boolean {
    if (!Number.isInteger(peer.port) || peer.port < 1 || peer.port > 65_535) throw new LinkConfigError(`udp link: bad peer port ${peer.port}`);
    const key = peerKey(peer.host, peer.port);
    if (this.peerTable.has(key)) return false;
    if (this.peerTable.size >= this.maxPeers) return false;
    this.peerTable.set(key, peer);
    return true;
  }

  removePeer(host: string, port: number): boolean {
    return this.peerTable.delete(peerKey(host, port));
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new LinkClosedError(`${this.id} is closed`));
    if (frame.length > this.mtu) return Promise.reject(new FrameTooLargeError(`${this.id}: frame of ${frame.length} bytes exceeds mtu ${this.mtu}`));
    if (frame.length === 0) return Promise.reject(new RangeError(`${this.id}: empty frame`));
    const datagram = encodeUdpDatagram(this.senderId, frame);
    this.counters.framesSent++;
    this.counters.bytesSent += frame.length;
    if (this.peerTable.size === 0) return Promise.resolve();
    // One promise and one bound callback per frame, whatever the number of
    // peers (this runs for every frame a node sends or forwards; the nodes
    // run from TypeScript through tsx, which names every named closure with
    // a defineProperty each time it is created).
    return new Promise<void>((resolve) => {
      const fan = new FanOut(this.counters, this.inFlight, resolve, this.peerTable.size);
      for (const peer of this.peerTable.values()) {
        try {
          this.socket.send(datagram, peer.port, peer.host, fan.sent);
        } catch {
          // The socket was closed under us (close() racing a send): nothing left to do.
          this.counters.sendErrors++;
          fan.settleOne();
        }
      }
    });
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  stats(): UdpLinkStats {
    return { ...this.counters };
  }

  /** Runs `task` at the start of close() (discovery says goodbye before the socket goes). */
  onClose(task: () => Promise<void>): void {
    this.beforeClose.push(task);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.handler = undefined;
      this.closing = (async () => {
        for (const task of this.beforeClose.splice(0)) await task().catch(() => undefined);
        await new Promise<void>((resolve) => this.socket.close(() => resolve()));
        for (const fan of [...this.inFlight]) fan.settleAll();
      })();
    }
    return this.closing;
  }

  private drop(cause: 'droppedNotMeow' | 'droppedBadVersion' | 'droppedOversize' | 'droppedEmpty' | 'droppedUnknownSender'): void {
    this.counters[cause]++;
    this.counters.framesDropped++;
  }

  private receive(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.length);
    // Every datagram a node forwards comes through here: a well-formed one is
    // checked in place, without the decoder's reader and result objects; the
    // decoder classifies the rest (why it was dropped).
    const wellFormed = bytes.length > udpHeaderBytes && bytes.length <= udpHeaderBytes + this.mtu && bytes[0] === udpMagic && bytes[1] === udpVersion;
    if (!wellFormed) {
      this.dropMalformed(bytes);
      return;
    }
    if (this.isOwnSenderId(bytes)) {
      this.counters.ownDatagramsIgnored++;
      return;
    }
    const linkAddress = peerKey(rinfo.address, rinfo.port);
    if (!this.acceptUnknownSenders && !this.peerTable.has(linkAddress)) {
      this.drop('droppedUnknownSender');
      return;
    }
    // A copy of its own: the frame outlives the datagram in the router's queues.
    const frame = bytes.slice(udpHeaderBytes);
    this.counters.framesReceived++;
    this.counters.bytesReceived += frame.length;
    this.handler?.({ bytes: frame, linkAddress });
  }

  /** Our own sender id at bytes 2-9, compared in constant time (as constantTimeEqual does). */
  private isOwnSenderId(datagram: Uint8Array): boolean {
    let diff = 0;
    for (let i = 0; i < udpSenderIdBytes; i++) diff |= datagram[2 + i]! ^ this.senderId[i]!;
    return diff === 0;
  }

  private dropMalformed(bytes: Uint8Array): void {
    const decoded = decodeUdpDatagram(bytes, this.mtu);
    if (decoded.ok) return this.drop('droppedNotMeow'); // unreachable: the in-place check refuses only what the decoder refuses
    switch (decoded.code) {
      case 'too-long': this.drop('droppedOversize'); return;
      case 'bad-version': this.drop('droppedBadVersion'); return;
      case 'truncated':
        // A header cut short is not ours; a whole header with no frame is an empty Meow datagram.
        this.drop(bytes.length === udpHeaderBytes ? 'droppedEmpty' : 'droppedNotMeow');
        return;
      default: this.drop('droppedNotMeow'); return;
    }
  }
}

/**
 * The socket's name lookup: an IP literal (every static peer given as an
 * address, every mDNS peer) is its own answer, given at once; a host name
 * goes to dns.lookup. node:dgram looks up the destination of every
 * datagram, and dns.lookup answers even a literal on the next tick: one
 * deferred call and closure per datagram on the forwarding path.
 */
export function lookupLiteralAtOnce(
  hostname: string, options: LookupOneOptions | number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isIP(hostname);
  // node:dgram passes the socket's family (4 or 6) as a number.
  const wanted = typeof options === 'number' ? options : options.family ?? 0;
  if (family !== 0 && (wanted === 0 || wanted === family)) {
    callback(null, hostname, family);
    return;
  }
  if (typeof options === 'number') dnsLookup(hostname, options, callback);
  else dnsLookup(hostname, options, callback);
}

/** Binds a UDP socket and wraps it in a UdpLink; rejects with LinkStartError if the port cannot be bound. */
export async function bindUdpLink(options: UdpLinkOptions): Promise<UdpLink> {
  const mtu = options.mtu ?? udpDefaultMtu;
  if (!Number.isInteger(mtu) || mtu < 1 || mtu + udpHeaderBytes > 65_507) throw new LinkConfigError(`udp link: bad mtu ${mtu}`);
  const port = options.port ?? udpDefaultPort;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new LinkConfigError(`udp link: bad port ${port}`);
  const maxPeers = options.maxPeers ?? udpDefaultMaxPeers;
  if (!Number.isInteger(maxPeers) || maxPeers < 1) throw new LinkConfigError(`udp link: bad maxPeers ${maxPeers}`);
  for (const p of options.peers ?? []) parsePeer(p);
  const socket = createSocket({ type: 'udp4', reuseAddr: false, lookup: lookupLiteralAtOnce });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(new LinkStartError(`udp link: cannot bind ${options.bindAddress ?? '0.0.0.0'}:${port}: ${err.message}`));
    };
    socket.once('error', onError);
    socket.bind(port, options.bindAddress ?? '0.0.0.0', () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // Broadcast addresses may be given as static peers.
  socket.setBroadcast(true);
  return new UdpLink(socket, options);
}
