/**
 * A sensor board that comes back by itself: when the Firmata board is lost
 * (USB unplugged, the Arduino reset, a loose cable), its components are
 * stopped, sample() returns nothing (no stale value travels as fresh), and
 * the board is reopened with a new IO after 1 s, then 2, 4, ... up to 60 s
 * between attempts, until it answers; the node keeps running meanwhile.
 * Each step is told to `onEvent` so the node's log says what happens.
 * The first open is the caller's: a board that does not answer at start
 * still stops the node (it is more likely a wrong port than a loose cable).
 */
import type { Clock, TimerHandle } from '../../seams/clock.ts';
import type { SensorBoard, SensorSample } from '../../hardware/sensors/firmata-sensors.ts';

export type BoardEvent =
  | { readonly kind: 'lost'; readonly reason: string; readonly retryInMs: number }
  | { readonly kind: 'retry-failed'; readonly attempt: number; readonly error: string; readonly retryInMs: number }
  | { readonly kind: 'back'; readonly attempt: number };

export interface ReconnectOptions {
  /** Opens the board on a new IO; `onLost` is called once if it is lost later. */
  readonly open: (onLost: (reason: string) => void) => Promise<SensorBoard>;
  readonly clock: Clock;
  readonly onEvent: (event: BoardEvent) => void;
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

export class ReconnectingSensorBoard implements SensorBoard {
  private board: SensorBoard | undefined;
  private timer: TimerHandle | undefined;
  private closed = false;
  private generation = 0;

  private constructor(private readonly options: ReconnectOptions) {}

  /** Opens the board once; rejects as `open` does. */
  static async open(options: ReconnectOptions): Promise<ReconnectingSensorBoard> {
    const self = new ReconnectingSensorBoard(options);
    self.board = await options.open(self.lostHandler(0));
    return self;
  }

  sample(): SensorSample[] {
    return this.board?.sample() ?? [];
  }

  /** True while a board answers. */
  connected(): boolean {
    return this.board !== undefined;
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.board?.close();
    this.board = undefined;
  }

  private lostHandler(generation: number): (reason: string) => void {
    return (reason) => {
      // A late report from a board already replaced, or after close(), changes nothing.
      if (this.closed || generation !== this.generation) return;
      this.board?.close();
      this.board = undefined;
      const retryInMs = this.delay(1);
      this.options.onEvent({ kind: 'lost', reason, retryInMs });
      this.schedule(1, retryInMs);
    };
  }

  private delay(attempt: number): number {
    const first = this.options.firstRetryMs ?? 1_000;
    return Math.min(this.options.maxRetryMs ?? 60_000, first * 2 ** (attempt - 1));
  }

  private schedule(attempt: number, inMs: number): void {
    this.timer = this.options.clock.setTimer(inMs, () => void this.retry(attempt));
  }

  private async retry(attempt: number): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    try {
      const board = await this.options.open(this.lostHandler(generation));
      if (this.closed) {
        board.close();
        return;
      }
      this.board = board;
      this.options.onEvent({ kind: 'back', attempt });
    } catch (error) {
      if (this.closed) return;
      const retryInMs = this.delay(attempt + 1);
      this.options.onEvent({ kind: 'retry-failed', attempt, error: (error as Error).message ?? String(error), retryInMs });
      this.schedule(attempt + 1, retryInMs);
    }
  }
}
