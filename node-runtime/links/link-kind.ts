/**
 * What one kind of link brings to the daemon: the validation of its entry
 * in the `links` configuration list and the opener that turns a valid entry
 * into a running Link. Each kind is one folder exporting one entry
 * (udp/kind.ts, serial/kind.ts, lora/kind.ts); registry.ts lists them, and
 * the daemon's configuration and link builder go through the registry only.
 */
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link, LinkKind } from '../../seams/link.ts';
import type { Logger } from '../../seams/logger.ts';
import type { JsonObject } from './config-fields.ts';

/** Every validated link entry names its kind, as in the JSON file. */
export interface LinkEntryConfig {
  readonly type: LinkKind;
}

export interface LinkOpenDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly log: Logger;
  /** The node's full id (mDNS advertises it). */
  readonly nodeId: Uint8Array;
  /** The node's region ('EU868', 'US915', 'none'): a radio refuses an unlawful channel or power before it transmits. */
  readonly region: string;
}

/** The radio channel a link transmits on, for the regional duty cycle (the daemon's scheduler enforces it). */
export interface RadioChannel {
  readonly frequencyHz: number;
  readonly bandwidthHz: number;
}

export interface OpenedLink {
  readonly link: Link;
  /**
   * Present for a radio on a regulated band; absent where airtime is not
   * regulated (UDP on Wi-Fi, a wired serial line).
   */
  readonly channel?: RadioChannel;
  /** Extra clean-up before the link closes (mDNS goodbye). */
  readonly stop: () => Promise<void>;
}

export interface LinkKindEntry<Config extends LinkEntryConfig = LinkEntryConfig> {
  /** The `type` of its JSON entries. */
  readonly type: Config['type'];
  /** Every field an entry may hold, `type` included; any other stops the node. */
  readonly fields: readonly string[];
  /** The entry a bare `{ "type": ... }` stands for. */
  readonly defaults: Config;
  /**
   * Validates an entry of this type (an object whose fields are all known),
   * merged over the defaults; throws ConfigFieldError naming the field,
   * `links[0].port` (config-fields.ts).
   */
  parse(entry: JsonObject, field: string): Config;
  /** Opens the link described by a validated entry. */
  open(config: Config, deps: LinkOpenDeps): Promise<OpenedLink>;
}
