/**
 * Cover traffic and the constant-rate streams: the main Poisson stream (a real packet when one
 * is ready, loop cover otherwise), the loop cover stream, their absolute-deadline scheduler and
 * the backpressure multiplier.
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
 *
 * @module
 */
export { MAX_LAG_GAPS, PoissonTicker, type PoissonTickerOptions } from "./poisson_ticker.ts";
export {
  BACKPRESSURE_PACKETS,
  CALM_MS,
  DECREASE_INTERVAL_MS,
  DelayMultiplier,
  FULL_BUFFER_PACKETS,
  GATEWAY_PACKET_BYTES,
  INCREASE_INTERVAL_MS,
  MAX_MULTIPLIER,
  MIN_MULTIPLIER,
} from "./delay_multiplier.ts";
export {
  IMMEDIATE_BURST,
  IMMEDIATE_FIRST,
  type PacketSink,
  type TrafficRates,
  TrafficStreams,
  type TrafficStreamsOptions,
} from "./traffic_streams.ts";

// Types that the exports above mention in their signatures.
export type { Clock, TimerHandle } from "../internal/clock.ts";
export type { RandomBytes } from "../internal/random.ts";
