/**
 * Opens the LoRa HAT described by a `lora` link in the configuration
 * (node-runtime/links/lora/open-lora-hat.ts): UART, mode pins, the module's
 * channel, air rate, net id and the regional power limit, then the LoRa
 * link. The `lora` kind's own opener (node-runtime/links/lora/kind.ts) does
 * the same; this form adds the test seams (mock UART, fake GPIO) that the
 * daemon's `openLoRa` override passes. The daemon's region is passed so
 * that an unlawful channel or power is refused before anything is
 * transmitted.
 */
import { openLoRaHat, type LoRaHatDeps } from '../../node-runtime/links/lora/open-lora-hat.ts';
import type { Link } from '../../seams/link.ts';
import type { Clock } from '../../seams/clock.ts';
import type { LoRaLinkConfig, RegionName } from './config.ts';
import type { Logger } from '../../seams/logger.ts';

export interface OpenLoRaDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly region: RegionName;
  /** Test seams: a mock serial port and fake GPIO (hardware/e22 emulator). */
  readonly open?: LoRaHatDeps['open'];
}

export function openLoRaFromConfig(config: LoRaLinkConfig, deps: OpenLoRaDeps): Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }> {
  return openLoRaHat(config, { clock: deps.clock, log: deps.log, region: deps.region, ...(deps.open ? { open: deps.open } : {}) });
}
