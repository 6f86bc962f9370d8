/**
 * Opens the LoRa HAT described by a `lora` link in the configuration:
 * UART, mode pins, module configuration, then the LoRa link (hardware/e22).
 * Filled in against the hardware driver's API.
 */
import type { Link } from '../links/link.ts';
import type { Clock } from '../platform/clock.ts';
import type { LoRaLinkConfig } from './config.ts';
import type { Logger } from './logger.ts';

export async function openLoRaFromConfig(config: LoRaLinkConfig, deps: { clock: Clock; log: Logger }): Promise<{ link: Link; frequencyHz: number; bandwidthHz: number }> {
  void deps;
  throw new Error(`LoRa HAT on ${config.path}: not wired yet`);
}
