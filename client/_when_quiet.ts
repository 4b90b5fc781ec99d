// Runs a task once activity pauses: `touch()` marks activity, and the task runs `quietMs` after
// the last touch, once per pause. One timer at most, whatever the rate of touches. Internal.
import type { Clock, TimerHandle } from "../internal/clock.ts";

export class WhenQuiet {
  #clock: Clock;
  #quietMs: number;
  #task: () => void;
  #timer: TimerHandle | undefined;
  #lastTouch = 0;
  #stopped = false;

  constructor(clock: Clock, quietMs: number, task: () => void) {
    this.#clock = clock;
    this.#quietMs = quietMs;
    this.#task = task;
  }

  /** Activity now: the task waits until `quietMs` have passed without another touch. */
  touch(): void {
    this.#lastTouch = this.#clock.now();
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = this.#clock.setTimeout(this.#check, this.#quietMs);
  }

  /** Clears the timer; later touches do nothing. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check = (): void => {
    this.#timer = undefined;
    if (this.#stopped) return;
    const quietFor = this.#clock.now() - this.#lastTouch;
    if (quietFor < this.#quietMs) {
      this.#timer = this.#clock.setTimeout(this.#check, this.#quietMs - quietFor);
      return;
    }
    this.#task();
  };
}
