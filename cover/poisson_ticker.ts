/**
 * A Poisson process on absolute deadlines: each deadline is the previous deadline plus an
 * exponentially distributed gap, so neither the time a tick takes nor timer lateness lowers the
 * long-run rate below `1000 / meanMs` per second.
 *
 * Nym schedules its main stream (`OutQueueControl::poll_poisson` in
 * `common/client-core/src/client/real_messages_control/real_traffic_stream.rs`) and its loop
 * cover stream (`LoopCoverTrafficStream::poll_next` in
 * `common/client-core/src/client/cover_traffic_stream.rs`) the same way: `next_delay.deadline()
 * + sample_poisson_duration(..)`. A deadline already past fires at once there, so after a stall a
 * native Nym client catches up with an unbounded burst; here the catch-up is bounded by
 * {@linkcode MAX_LAG_GAPS} mean gaps, after which the schedule restarts from now.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { exponential, type RandomBytes } from "../internal/random.ts";

/**
 * How far (in mean gaps) the schedule may fall behind before it gives up the missed ticks and
 * restarts from now: at most this many ticks are sent back to back after a stall.
 */
export const MAX_LAG_GAPS = 10;

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
 * Runs `tick` at exponentially distributed deadlines until {@linkcode PoissonTicker.stop}.
 *
 * @example
 * ```ts
 * import { PoissonTicker } from "@nym/mixnet/cover";
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
  #deadline = 0;
  #ticks = 0;
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

  /** Ticks since the ticker was created. */
  get ticks(): number {
    return this.#ticks;
  }

  /** Starts ticking; the first tick comes one random gap from now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#deadline = this.#options.clock.now();
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
    const mean = meanMs * this.multiplier;
    this.#deadline += exponential(mean, random);
    const now = clock.now();
    // Fallen too far behind (a suspended tab, a long stall): restart from now rather than burst.
    if (now - this.#deadline > MAX_LAG_GAPS * mean) this.#deadline = now;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#running) return;
      this.#ticks++;
      this.#options.tick();
      if (this.#running) this.#schedule();
    }, Math.max(0, this.#deadline - now));
  }
}
