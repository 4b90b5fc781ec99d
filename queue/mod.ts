/**
 * The outgoing side of the client: lanes of queued work, the Poisson process that drains them,
 * and delivery tracking with SURB-ACK timeouts and retransmission.
 *
 * @example
 * ```ts
 * import { LaneQueue } from "@nym/mixnet/queue";
 * const queue = new LaneQueue<number>((n) => crypto.getRandomValues(new Uint8Array(n)));
 * queue.push("general", [1, 2, 3]);
 * console.log(queue.length); // 3
 * ```
 *
 * @module
 */
export { type Lane, LaneQueue } from "./lane_queue.ts";
export { CongestionWindow, INITIAL_WINDOW, MIN_WINDOW } from "./congestion_window.ts";
/** Moved to `@nym/mixnet/cover`; re-exported here for existing imports. */
export { PoissonTicker, type PoissonTickerOptions } from "../cover/poisson_ticker.ts";
export {
  DeliveryError,
  type DeliveryErrorKind,
  type DeliveryHandle,
  type DeliveryStatus,
  DeliveryTracker,
  type DeliveryTrackerOptions,
} from "./delivery.ts";

// Types that the exports above mention in their signatures.
export type { Clock, TimerHandle } from "../internal/clock.ts";
export type { RandomBytes } from "../internal/random.ts";
