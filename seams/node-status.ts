/**
 * The JSON a running node answers on its status endpoint (GET /status,
 * apps/meow-node/status-server.ts): the contract between the daemon and
 * whatever shows it (`meow status`, the browser's mesh map). The daemon's
 * own status type must stay assignable to this one (checked where the
 * daemon builds it); readers rely only on the fields named here, and a node
 * may send more.
 *
 * Node ids are hex; times are milliseconds since the Unix epoch; shares
 * (dutyCycleUse, channelUse) are 0..1.
 */
export interface NodeStatusReport {
  readonly nodeId: string;
  /** The node's Ed25519 public key (hex; public, announced): the browser's agent puts it on its cards as `mesh://<node key>`. */
  readonly nodeKey?: string;
  readonly uptimeMs: number;
  readonly router: RouterStatusReport;
  readonly links: readonly LinkStatusReport[];
  readonly mailboxes: { readonly mailboxes: number; readonly messages: number; readonly bytes: number };
  /** Present on a node that bridges the mesh with relays. */
  readonly gateway?: GatewayStatusReport;
}

export interface RouterStatusReport {
  readonly counters: {
    readonly framesReceived: number;
    readonly framesSent: number;
    readonly relayed: number;
    readonly duplicates: number;
    readonly malformed: number;
    readonly forged: number;
    readonly delivered: number;
    readonly acked: number;
    readonly retries: number;
    readonly failed: number;
  };
  readonly pendingMessages: number;
  readonly neighbours: readonly {
    readonly nodeId?: string;
    /** The 1-byte relay hint when the node id is not known yet. */
    readonly hint: number;
    readonly rssiDbm?: number;
    readonly snrDb?: number;
    readonly frames: number;
    readonly lastHeardMs: number;
  }[];
  readonly routes: readonly { readonly destHint: number; readonly path: readonly number[] | string; readonly source: string }[];
}

export interface LinkStatusReport {
  readonly id: string;
  readonly kind: string;
  readonly mtu: number;
  readonly scheduler: {
    readonly queuedTotal: number;
    readonly queued: { readonly ack: number; readonly direct: number; readonly relay: number; readonly bulk: number };
    readonly airtimeMs: number;
    readonly dutyCycleUse: number;
    readonly channelUse: number;
    readonly shed: Readonly<Record<string, number>>;
  };
}

export interface GatewayStatusReport {
  readonly relays: readonly { readonly url: string; readonly online: boolean; readonly lastSyncAt?: number }[];
  readonly outbox: { readonly queued: number; readonly queuedBytes: number; readonly delivered: number; readonly refused: number };
  readonly fetcher: { readonly registrations: number; readonly fetched: number };
}
