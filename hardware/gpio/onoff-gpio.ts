/**
 * Gpio on a real board through onoff 6 (sysfs). onoff is loaded lazily so
 * that importing the driver on a laptop or in CI never touches its native
 * epoll addon. BCM numbers are translated to sysfs numbers from the
 * gpiochip labels at open time (sysfs-numbering.ts: 512 offset on kernel 6.6).
 */
import type { Gpio as OnoffPin } from 'onoff';
import type { Gpio, InputPin, OutputPin, PinLevel } from '../../seams/gpio.ts';
import { GpioError } from './errors.ts';
import { sysfsNumberForBcm, type SysfsNumberingOptions } from './sysfs-numbering.ts';

interface OnoffModule {
  Gpio: typeof OnoffPin;
}

export interface OnoffGpioOptions extends SysfsNumberingOptions {
  /** Loads onoff; injectable so tests can check the unavailable path. */
  load?: () => Promise<OnoffModule>;
}

export async function createOnoffGpio(options: OnoffGpioOptions = {}): Promise<Gpio> {
  let onoff: OnoffModule | undefined;
  try {
    onoff = await (options.load ?? (async () => (await import('onoff')) as OnoffModule))();
  } catch {
    onoff = undefined;
  }
  const accessible = onoff?.Gpio.accessible === true;
  const open = new Set<number>();

  function claim(bcm: number): number {
    if (!onoff || !accessible) throw new GpioError('gpio-unavailable', 'no sysfs GPIO on this machine (onoff: Gpio.accessible is false)');
    const sysfs = sysfsNumberForBcm(bcm, options);
    if (open.has(bcm)) throw new GpioError('pin-busy', `BCM ${bcm} is already open`);
    open.add(bcm);
    return sysfs;
  }

  /**
   * Outputs stay exported and driven at their last level: unexporting could
   * let M0/M1 float, and a floating mode pin can put the module to sleep
   * after the node stops. Inputs are unexported.
   */
  function release(pin: OnoffPin, bcm: number, unexport: boolean): void {
    pin.unwatchAll();
    if (unexport) pin.unexport();
    open.delete(bcm);
  }

  return {
    accessible,
    async output(bcm: number, initial: PinLevel): Promise<OutputPin> {
      const sysfs = claim(bcm);
      // 'high'/'low' set direction and level in one sysfs write: no glitch.
      const pin = new onoff!.Gpio(sysfs, initial === 1 ? 'high' : 'low');
      let closed = false;
      return {
        bcm,
        write: async (level) => {
          if (closed) throw new GpioError('pin-closed', `BCM ${bcm} is closed`);
          await pin.write(level);
        },
        close: async () => {
          if (closed) return;
          closed = true;
          release(pin, bcm, false);
        },
      };
    },
    async input(bcm: number): Promise<InputPin> {
      const sysfs = claim(bcm);
      const pin = new onoff!.Gpio(sysfs, 'in', 'both');
      let closed = false;
      return {
        bcm,
        read: async () => {
          if (closed) throw new GpioError('pin-closed', `BCM ${bcm} is closed`);
          return await pin.read();
        },
        watch: (onChange) => {
          const cb = (err: Error | null | undefined, value: PinLevel): void => {
            if (!err) onChange(value);
          };
          pin.watch(cb);
          return () => pin.unwatch(cb);
        },
        close: async () => {
          if (closed) return;
          closed = true;
          release(pin, bcm, true);
        },
      };
    },
  };
}
