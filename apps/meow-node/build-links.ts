/**
 * Turns the `links` section of the configuration into Link objects, each
 * with its transmit scheduler. Kinds are opened through the registry
 * (node-runtime/links/registry.ts); what differs here is only whether the
 * link is a radio on a regulated band: the regional duty cycle applies to
 * radios, not to Wi-Fi or a wired serial line.
 */
import { join } from 'node:path';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';
import type { Logger } from '../../seams/logger.ts';
import type { LinkKindEntry, LinkOpenDeps, OpenedLink } from '../../node-runtime/links/link-kind.ts';
import { loraLinkKind } from '../../node-runtime/links/lora/kind.ts';
import { findLinkKind } from '../../node-runtime/links/registry.ts';
import { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';
import { TransmitScheduler } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { meterChannelUse } from '../../node-runtime/scheduler/channel-use-meter.ts';
import { keepAirtimeHistory } from './airtime-history.ts';
import type { LinkConfig, LoRaLinkConfig, NodeConfig } from './config.ts';

export interface BuiltLink {
  readonly link: Link;
  readonly scheduler: TransmitScheduler;
  /** Extra clean-up (mDNS goodbye) before the link closes. */
  readonly stop: () => Promise<void>;
}

export interface LinkDeps {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly suite: CryptoSuite;
  readonly log: Logger;
  readonly nodeId: Uint8Array;
  readonly region: NodeConfig['region'];
  readonly dataDir: string;
  /**
   * Stands in for the `lora` kind's own opener: tests put the HAT on the
   * emulator (mock UART, fake GPIO). The one override the daemon's callers
   * pass by name; a kind without one opens through its registry entry.
   */
  readonly openLoRa?: (config: LoRaLinkConfig, deps: { clock: Clock; log: Logger; region: NodeConfig['region'] }) => Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }>;
}

type Opener = (config: LinkConfig, deps: LinkOpenDeps) => Promise<OpenedLink>;

function openerOf(kind: LinkKindEntry, deps: LinkDeps): Opener {
  const openLoRa = deps.openLoRa;
  if (kind.type !== loraLinkKind.type || !openLoRa) return (config, openDeps) => kind.open(config, openDeps);
  return async (config) => {
    const { link, frequencyHz, bandwidthHz } = await openLoRa(config as LoRaLinkConfig, { clock: deps.clock, log: deps.log, region: deps.region });
    return { link, channel: { frequencyHz, bandwidthHz }, stop: async () => {} };
  };
}

export async function buildLink(config: LinkConfig, deps: LinkDeps): Promise<BuiltLink> {
  const kind = findLinkKind(config.type);
  // parseConfig admits registered kinds only: reaching this is a programming error.
  if (!kind) throw new RangeError(`no link kind "${config.type}" is registered`);
  const opened = await openerOf(kind, deps)(config, deps);
  if (!opened.channel) {
    const scheduler = new TransmitScheduler({ link: opened.link, clock: deps.clock, random: deps.random, dutyCycle: DutyCycleLimiter.unlimited() });
    return { link: opened.link, scheduler, stop: opened.stop };
  }
  // A relay never exceeds the regional duty cycle (EU868: 1 % per sub-band, 10 % on 869.4-869.65 MHz),
  // across restarts too.
  const dutyCycle = DutyCycleLimiter.forChannel(deps.region, opened.channel.frequencyHz, opened.channel.bandwidthHz);
  const history = keepAirtimeHistory(dutyCycle, join(deps.dataDir, `airtime-${opened.link.id.replace(/[^a-z0-9]+/gi, '_')}.json`), deps.clock);
  // The radios we drive report no channel activity: count own and received airtime instead.
  const { link, monitor } = meterChannelUse(opened.link, deps.clock);
  const scheduler = new TransmitScheduler({ link, clock: deps.clock, random: deps.random, dutyCycle, channelMonitor: monitor });
  return {
    link, scheduler,
    stop: async () => {
      await opened.stop();
      history.stop();
    },
  };
}
