/**
 * A HAT whose M0/M1 jumpers are set by hand (no GPIO wired to them): the
 * module stays in normal mode and its registers cannot be read or written
 * (configuration needs mode 2, datasheet section 6). The daemon then uses
 * the module as the operator declares it configured, checks what normal
 * mode lets it check, and says plainly what it could not.
 *
 * What normal mode can verify: the C0 C1 C2 C3 signal read (datasheet
 * section 7.4) answers only if the module is powered, in normal mode, on
 * the declared UART baud, and REG1 bit 5 (ambient noise) is set. An answer
 * proves all four; silence proves none of them, and the report says which
 * ones to check.
 */
import type { E22Driver } from './driver.ts';
import { E22Error } from './errors.ts';
import type { E22Config } from './registers.ts';

export interface HandSetReport {
  /** Facts the module confirmed, in words an operator reads. */
  readonly verified: readonly string[];
  /** Settings taken as declared because normal mode cannot read or set them. */
  readonly notSet: readonly string[];
  /** What went wrong or may be wrong, with what to check. */
  readonly problems: readonly string[];
  /** Ambient noise the module measured, when it answered. */
  readonly noiseDbm?: number;
}

export async function verifyHandSetHat(driver: E22Driver, declared: E22Config): Promise<HandSetReport> {
  const notSet = [
    `channel ${declared.channel}`, `air rate ${declared.airRateBps} bps`, `net id ${declared.netId}`, `power ${declared.txPowerDbm} dBm`,
    `packet size ${declared.packetSizeBytes}`, `RSSI byte ${declared.rssiByte ? 'on' : 'off'}`, `address 0x${declared.address.toString(16)}`,
  ].map((s) => `${s} (as declared: M0/M1 are set by jumpers, registers cannot be read in normal mode)`);
  const problems: string[] = [];
  if (driver.canSwitchModes) problems.push('M0/M1 are under GPIO control: use the lora link kind, which reads and sets the registers');
  if (declared.fixedPoint) problems.push('declared fixed-point mode: the mesh needs transparent transmission (REG3 bit 6 = 0)');
  if (!declared.ambientNoiseRssi) {
    return { verified: [], notSet, problems: [...problems, 'declared REG1 ambient noise off: the module cannot be asked anything in normal mode; nothing verified'] };
  }
  try {
    const signal = await driver.readSignal();
    return {
      verified: [`the module answers at ${driver.dataBaud} baud in normal mode (M0/M1 jumpers low)`, `ambient noise ${signal.noiseDbm} dBm`],
      notSet, problems, noiseDbm: signal.noiseDbm,
    };
  } catch (error) {
    const why = error instanceof E22Error ? error.code : 'error';
    return {
      verified: [], notSet,
      problems: [...problems, `the module did not answer the signal read (${why}): check power, the UART jumpers (position B), M0/M1 jumpers both low, UART baud ${driver.dataBaud}, REG1 ambient noise on`],
    };
  }
}
