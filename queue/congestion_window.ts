/**
 * The congestion window over fragments in flight: additive increase (one per ack, up to a
 * ceiling), multiplicative decrease (halved on an ack timeout, at most once per round trip), as
 * TCP's AIMD. Under normal load the Poisson rate keeps fewer packets in flight than it allows; it
 * binds only when the path loses packets.
 *
 * @module
 */

/** The window at start. */
export const INITIAL_WINDOW = 16;
/** The window never shrinks below this. */
export const MIN_WINDOW = 4;

/**
 * An AIMD congestion window.
 *
 * @example
 * ```ts
 * import { CongestionWindow } from "@nym/mixnet/queue";
 * const window = new CongestionWindow(128);
 * window.acknowledged();
 * console.log(window.size); // 17
 * window.lost(0, 1000);
 * console.log(window.size); // 8
 * ```
 */
export class CongestionWindow {
  #size = INITIAL_WINDOW;
  #max: number;
  #lastDecrease = -Infinity;

  /** A window that grows up to `max` fragments in flight. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Fragments that may be in flight now. */
  get size(): number {
    return Math.min(this.#size, this.#max);
  }

  /** Whether `inFlight` fragments leave room for one more. */
  allows(inFlight: number): boolean {
    return inFlight < this.size;
  }

  /** An ack arrived: grow by one. */
  acknowledged(): void {
    this.#size = Math.min(this.#max, this.#size + 1);
  }

  /** An ack timed out at `now`: halve, unless it was halved less than `roundTripMs` ago. */
  lost(now: number, roundTripMs: number): void {
    if (now - this.#lastDecrease <= roundTripMs) return;
    this.#size = Math.max(MIN_WINDOW, Math.floor(this.#size / 2));
    this.#lastDecrease = now;
  }
}
