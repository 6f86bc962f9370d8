/**
 * A simulated Clock (node-runtime/platform/clock.ts) for the mesh simulator
 * and for tests: a discrete-event scheduler that jumps from timer to timer
 * instead of ticking every millisecond, so 1000 nodes exchanging thousands
 * of frames run in seconds.
 *
 * Events live in a binary heap keyed by (time, insertion order): two timers
 * due at the same instant fire in the order they were set, which makes a
 * run reproducible from its seed. Cancelled timers are dropped lazily when
 * they reach the top (O(log n) per event either way).
 *
 * Promises: the router and the scheduler await Link.send(), whose promise a
 * simulated link settles from a timer. The async run methods therefore let
 * the microtask queue drain after every event (one setImmediate turn, about
 * 1 us), so a continuation runs at the simulated instant that caused it.
 * The *Sync variants skip that for pure callback code (the bare medium).
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import { SimClockError } from './errors.ts';

interface TimerEvent {
  readonly atMs: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

export interface SimClockOptions {
  /** Simulated time at creation, in ms (0 by default; any epoch works). */
  startMs?: number;
}

/** A timer heap ordered by due time, then insertion order. */
class TimerHeap {
  private readonly items: TimerEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Keeps only the events `keep` accepts and restores the heap order (Floyd's O(n) build). */
  rebuild(keep: (e: TimerEvent) => boolean): void {
    const live = this.items.filter(keep);
    this.items.length = 0;
    for (const e of live) this.items.push(e);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftDown(start: number): void {
    const a = this.items;
    const n = a.length;
    const e = a[start] as TimerEvent;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(a[r] as TimerEvent, a[l] as TimerEvent)) c = r;
      const child = a[c] as TimerEvent;
      if (!before(child, e)) break;
      a[i] = child;
      i = c;
    }
    a[i] = e;
  }

  peek(): TimerEvent | undefined {
    return this.items[0];
  }

  push(e: TimerEvent): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as TimerEvent;
      if (!before(e, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = e;
  }

  pop(): TimerEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    a[0] = last;
    this.siftDown(0);
    return top;
  }
}

function before(x: TimerEvent, y: TimerEvent): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}

function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SimClock implements Clock {
  private nowMs: number;
  private seq = 0;
  private live = 0;
  private fired = 0;
  private readonly heap = new TimerHeap();

  constructor(options: SimClockOptions = {}) {
    this.nowMs = options.startMs ?? 0;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (!Number.isFinite(delayMs)) throw new SimClockError('invalid-delay', `timer delay must be finite, got ${delayMs}`);
    const event: TimerEvent = { atMs: this.nowMs + Math.max(0, delayMs), seq: this.seq++, fn };
    this.heap.push(event);
    this.live++;
    return {
      cancel: () => {
        if (event.fn !== undefined) {
          event.fn = undefined;
          this.live--;
          this.compactIfMostlyCancelled();
        }
      },
    };
  }

  /**
   * Cancelled timers stay in the heap until they reach the top; code that
   * re-arms a far-future timer often (a scheduler's wake-up) would grow it
   * without bound, so it is rebuilt when most of it is dead (amortised O(1)).
   */
  private compactIfMostlyCancelled(): void {
    const dead = this.heap.size - this.live;
    if (dead > 1024 && dead > this.live) this.heap.rebuild((e) => e.fn !== undefined);
  }

  /** Timers in the heap, cancelled ones not yet dropped included (for tests of the compaction). */
  heapSize(): number {
    return this.heap.size;
  }

  /** Timers set and not yet fired nor cancelled. */
  pendingTimers(): number {
    return this.live;
  }

  /** Timers fired since creation (a cost figure for benchmarks). */
  firedTimers(): number {
    return this.fired;
  }

  /** Due time of the next live timer, or undefined when idle. */
  nextTimerAtMs(): number | undefined {
    this.dropCancelled();
    return this.heap.peek()?.atMs;
  }

  /** Fires the next live timer due at or before `limitMs`; false when none is. */
  private step(limitMs: number): boolean {
    this.dropCancelled();
    const top = this.heap.peek();
    if (top === undefined || top.atMs > limitMs) return false;
    this.heap.pop();
    const fn = top.fn as () => void;
    top.fn = undefined;
    this.live--;
    this.fired++;
    this.nowMs = top.atMs;
    fn();
    return true;
  }

  private dropCancelled(): void {
    for (let top = this.heap.peek(); top !== undefined && top.fn === undefined; top = this.heap.peek()) this.heap.pop();
  }

  /**
   * Fires every timer due up to `untilMs` (including timers those timers
   * set), draining microtasks after each, then sets the time to `untilMs`.
   */
  async runUntil(untilMs: number): Promise<void> {
    this.checkTarget(untilMs);
    await drainMicrotasks();
    while (this.step(untilMs)) await drainMicrotasks();
    // A free-running driver (autoRun) may have gone further meanwhile: never go back.
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  /** Advances the clock by `ms`, firing what falls due (async, drains microtasks). */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new SimClockError('invalid-delay', `advance needs ms >= 0, got ${ms}`);
    return this.runUntil(this.nowMs + ms);
  }

  /**
   * Runs until no timer is left or the next one is more than `maxMs` after
   * the start of this call (a guard against periodic timers that never
   * stop). Returns true when the clock went idle, false when it stopped at
   * the limit; the time is left at the last event fired.
   */
  async runUntilIdle(maxMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const limit = this.nowMs + maxMs;
    await drainMicrotasks();
    while (this.step(limit)) await drainMicrotasks();
    return this.nextTimerAtMs() === undefined;
  }

  /**
   * Free-running mode, for code that awaits simulated delays with nobody
   * to drive the clock (a contract suite that awaits send()): whenever the
   * process is otherwise idle, time jumps to the next timer and fires it,
   * one timer per event-loop turn. Returns the function that stops it.
   */
  autoRun(): () => void {
    let running = true;
    // Not unref()'d: an unref'd immediate lets libuv block in its poll phase, stalling the driver.
    // The caller must call the returned stop function.
    const loop = (): void => {
      if (!running) return;
      this.step(Number.POSITIVE_INFINITY);
      setImmediate(loop);
    };
    setImmediate(loop);
    return () => {
      running = false;
    };
  }

  /** runUntil without draining microtasks: for callback-only code (fastest). */
  runUntilSync(untilMs: number): void {
    this.checkTarget(untilMs);
    while (this.step(untilMs));
    this.nowMs = untilMs;
  }

  /** runUntilIdle without draining microtasks. */
  runUntilIdleSync(maxMs = Number.POSITIVE_INFINITY): boolean {
    const limit = this.nowMs + maxMs;
    while (this.step(limit));
    return this.nextTimerAtMs() === undefined;
  }

  private checkTarget(untilMs: number): void {
    if (!Number.isFinite(untilMs) || untilMs < this.nowMs) {
      throw new SimClockError('time-backwards', `cannot run until ${untilMs}: the clock is at ${this.nowMs}`);
    }
  }
}
