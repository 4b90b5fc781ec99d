/**
 * A Poisson process: calls `tick` after exponentially distributed gaps, as Nym's main traffic
 * stream and loop cover stream do.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { exponential, type RandomBytes } from "../internal/random.ts";

/** Options of {@linkcode PoissonTicker}. */
export interface PoissonTickerOptions {
  /** Mean gap between ticks in milliseconds; 0 ticks as fast as timers allow. */
  readonly meanMs: number;
  /** Injected time. */
  readonly clock: Clock;
  /** Injected randomness. */
  readonly random: RandomBytes;
  /** Called on every tick; the gap after it is scaled by {@linkcode PoissonTicker.multiplier}. */
  readonly tick: () => void;
}

/**
 * Runs `tick` at exponentially distributed intervals until {@linkcode PoissonTicker.stop}.
 *
 * @example
 * ```ts
 * import { PoissonTicker } from "@nym/mixnet/queue";
 * let ticks = 0;
 * const ticker = new PoissonTicker({
 *   meanMs: 20,
 *   clock: { now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as number) },
 *   random: (n) => crypto.getRandomValues(new Uint8Array(n)),
 *   tick: () => ticks++,
 * });
 * ticker.start();
 * ticker.stop();
 * ```
 */
export class PoissonTicker {
  #options: PoissonTickerOptions;
  #timer: TimerHandle | undefined;
  #running = false;
  /** Scales the mean gap (Nym's sending-delay multiplier, 1 to 6 under backpressure). */
  multiplier = 1;

  /** Creates a stopped ticker. */
  constructor(options: PoissonTickerOptions) {
    this.#options = options;
  }

  /** Whether the ticker is running. */
  get running(): boolean {
    return this.#running;
  }

  /** Starts ticking; the first tick comes after one random gap. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops ticking and clears the pending timer. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const { clock, random, meanMs } = this.#options;
    const gap = exponential(meanMs * this.multiplier, random);
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      this.#options.tick();
      if (this.#running) this.#schedule();
    }, gap);
  }
}
