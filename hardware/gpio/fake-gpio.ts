/**
 * An in-process Gpio that enforces the contract of gpio.ts (busy lines,
 * closed pins) and lets a test or an emulator see and drive the wires:
 * `level(bcm)` reads what the host drives, `drive(bcm, level)` plays the
 * device driving an input (the E22's AUX), `onLevel(bcm, fn)` watches a line.
 */
import type { Gpio, InputPin, OutputPin, PinLevel } from '../../seams/gpio.ts';
import { GpioError } from './errors.ts';

interface Line {
  level: PinLevel;
  openedAs: 'in' | 'out' | undefined;
  readonly listeners: Set<(level: PinLevel) => void>;
}

export class FakeGpio implements Gpio {
  readonly accessible = true;
  private readonly lines = new Map<number, Line>();
  /** Every level the host wrote, in order, for assertions on mode sequences. */
  readonly writes: Array<{ bcm: number; level: PinLevel }> = [];

  private line(bcm: number): Line {
    let line = this.lines.get(bcm);
    if (!line) {
      line = { level: 0, openedAs: undefined, listeners: new Set() };
      this.lines.set(bcm, line);
    }
    return line;
  }

  private set(bcm: number, level: PinLevel): void {
    const line = this.line(bcm);
    if (line.level === level) return;
    line.level = level;
    for (const fn of [...line.listeners]) fn(level);
  }

  /** Current level of a wire, whoever drives it. */
  level(bcm: number): PinLevel {
    return this.line(bcm).level;
  }

  /** The device side drives a line (an input of the host). */
  drive(bcm: number, level: PinLevel): void {
    this.set(bcm, level);
  }

  /** Watches a wire from the device side; returns an unsubscribe function. */
  onLevel(bcm: number, fn: (level: PinLevel) => void): () => void {
    const line = this.line(bcm);
    line.listeners.add(fn);
    return () => line.listeners.delete(fn);
  }

  isOpen(bcm: number): boolean {
    return this.line(bcm).openedAs !== undefined;
  }

  private claim(bcm: number, as: 'in' | 'out'): Line {
    const line = this.line(bcm);
    if (line.openedAs) throw new GpioError('pin-busy', `BCM ${bcm} is already open`);
    line.openedAs = as;
    return line;
  }

  async output(bcm: number, initial: PinLevel): Promise<OutputPin> {
    const line = this.claim(bcm, 'out');
    this.writes.push({ bcm, level: initial });
    this.set(bcm, initial);
    let closed = false;
    return {
      bcm,
      write: async (level: PinLevel) => {
        if (closed) throw new GpioError('pin-closed', `BCM ${bcm} is closed`);
        this.writes.push({ bcm, level });
        this.set(bcm, level);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        line.openedAs = undefined;
      },
    };
  }

  async input(bcm: number): Promise<InputPin> {
    const line = this.claim(bcm, 'in');
    let closed = false;
    const watchers = new Set<() => void>();
    return {
      bcm,
      read: async () => {
        if (closed) throw new GpioError('pin-closed', `BCM ${bcm} is closed`);
        return line.level;
      },
      watch: (onChange) => {
        if (closed) throw new GpioError('pin-closed', `BCM ${bcm} is closed`);
        const stop = this.onLevel(bcm, onChange);
        watchers.add(stop);
        return () => {
          stop();
          watchers.delete(stop);
        };
      },
      close: async () => {
        if (closed) return;
        closed = true;
        for (const stop of watchers) stop();
        watchers.clear();
        line.openedAs = undefined;
      },
    };
  }
}
