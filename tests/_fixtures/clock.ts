/**
 * The suite's one manual clock: time moves only when a test calls `advance`, and due timers fire
 * in time order (ties in the order they were set), each seeing `now()` equal to its own due time;
 * timers set by a firing callback fire in the same `advance` when they fall due within it.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(0);
 * const fired: number[] = [];
 * clock.setTimeout(() => fired.push(clock.now()), 10);
 * clock.advance(25);
 * console.log(fired, clock.now()); // [ 10 ] 25
 * ```
 * @module
 */
import type { Clock, TimerHandle } from "../../internal/clock.ts";

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A {@linkcode Clock} driven by the test. Its methods are bound, so `{ now: clock.now }` works.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock();
 * const handle = clock.setTimeout(() => {}, 5);
 * clock.clearTimeout(handle);
 * console.log(clock.pending); // 0
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #next = 1;
  #zeroDelayAsTasks: boolean;
  #tasks = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * Starts at `start` milliseconds since the epoch (a fixed date in 2023 by default). With
   * `zeroDelayAsTasks`, a 0 ms timer also fires by itself on a macrotask of the platform (time
   * does not move): code that yields with a 0 ms timer runs on, while every later timer still
   * waits for `advance`.
   */
  constructor(start = 1_700_000_000_000, options: { zeroDelayAsTasks?: boolean } = {}) {
    this.#now = start;
    this.#zeroDelayAsTasks = options.zeroDelayAsTasks ?? false;
  }

  /** The current manual time. */
  now = (): number => this.#now;

  /** Schedules `callback` `ms` (at least 0) after the current manual time. */
  setTimeout = (callback: () => void, ms: number): TimerHandle => {
    const timer = { id: this.#next++, at: this.#now + Math.max(0, ms || 0), callback };
    this.#timers.push(timer);
    if (this.#zeroDelayAsTasks && !(ms > 0)) {
      this.#tasks.set(
        timer.id,
        setTimeout(() => {
          this.#tasks.delete(timer.id);
          if (!this.#timers.includes(timer)) return; // fired by advance meanwhile
          this.#timers = this.#timers.filter((t) => t !== timer);
          timer.callback();
        }, 0),
      );
    }
    return timer.id;
  };

  /** Cancels a pending timer; unknown or fired handles are ignored. */
  clearTimeout = (handle: TimerHandle): void => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
    const task = this.#tasks.get(handle as number);
    if (task !== undefined) clearTimeout(task);
    this.#tasks.delete(handle as number);
  };

  /** Number of pending timers. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`);
    const end = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const due = this.#timers[0];
      if (!due || due.at > end) break;
      this.#timers.shift();
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
  }
}
