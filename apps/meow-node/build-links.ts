/**
 * Turns the `links` section of the configuration into Link objects, each
 * with its transmit scheduler: the regional duty cycle applies to radios,
 * not to Wi-Fi or a wired serial line.
 */
import { join } from 'node:path';
import type { CryptoSuite } from '../../protocol/crypto/suite.ts';
import type { RandomSource } from '../../protocol/random.ts';
import { toHex } from '../../protocol/codec/bytes.ts';
import type { Clock } from '../../seams/clock.ts';
import type { Link } from '../../seams/link.ts';
import { bindUdpLink } from '../../node-runtime/links/udp/udp-link.ts';
import { MdnsDiscovery } from '../../node-runtime/links/udp/mdns-discovery.ts';
import { SerialLink } from '../../node-runtime/links/serial/serial-link.ts';
import { DutyCycleLimiter } from '../../node-runtime/scheduler/duty-cycle.ts';
import { TransmitScheduler } from '../../node-runtime/scheduler/transmit-scheduler.ts';
import { meterChannelUse } from '../../node-runtime/scheduler/channel-use-meter.ts';
import { keepAirtimeHistory } from './airtime-history.ts';
import type { LinkConfig, NodeConfig } from './config.ts';
import type { Logger } from '../../seams/logger.ts';

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
  /** Opens a LoRa HAT link (hardware/); injected so tests and boards without GPIO can replace it. */
  readonly openLoRa?: (config: Extract<LinkConfig, { type: 'lora' }>, deps: { clock: Clock; log: Logger; region: NodeConfig['region'] }) => Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }>;
}

export async function buildLink(config: LinkConfig, deps: LinkDeps): Promise<BuiltLink> {
  switch (config.type) {
    case 'udp': {
      const link = await bindUdpLink({ random: deps.random, port: config.port, bindAddress: config.bindAddress, peers: config.peers });
      let discovery: MdnsDiscovery | undefined;
      if (config.mdns) {
        discovery = new MdnsDiscovery(link, {
          nodeId: toHex(deps.nodeId), clock: deps.clock,
          onEvent: (e) => deps.log[e.type === 'mdns-error' ? 'warn' : 'info']('mdns', { ...e }),
        });
      }
      const scheduler = new TransmitScheduler({ link, clock: deps.clock, random: deps.random, dutyCycle: DutyCycleLimiter.unlimited() });
      return { link, scheduler, stop: async () => discovery?.stop() };
    }
    case 'serial': {
      const link = new SerialLink({
        path: config.path, baudRate: config.baudRate, clock: deps.clock, random: deps.random,
        onEvent: (e) => deps.log.info('serial', { ...e }),
      });
      const scheduler = new TransmitScheduler({ link, clock: deps.clock, random: deps.random, dutyCycle: DutyCycleLimiter.unlimited() });
      return { link, scheduler, stop: async () => {} };
    }
    case 'lora': {
      if (!deps.openLoRa) throw new Error('this build has no LoRa HAT support');
      const opened = await deps.openLoRa(config, { clock: deps.clock, log: deps.log, region: deps.region });
      // A relay never exceeds the regional duty cycle (EU868: 1 % per sub-band, 10 % on 869.4-869.65 MHz),
      // across restarts too.
      const dutyCycle = DutyCycleLimiter.forChannel(deps.region, opened.frequencyHz, opened.bandwidthHz);
      const history = keepAirtimeHistory(dutyCycle, join(deps.dataDir, `airtime-${opened.link.id.replace(/[^a-z0-9]+/gi, '_')}.json`), deps.clock);
      // The module reports no channel activity: count own and received airtime instead.
      const { link, monitor } = meterChannelUse(opened.link, deps.clock);
      const scheduler = new TransmitScheduler({ link, clock: deps.clock, random: deps.random, dutyCycle, channelMonitor: monitor });
      return { link, scheduler, stop: async () => history.stop() };
    }
  }
}
