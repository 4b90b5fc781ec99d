/**
 * The backpressure rule of the main Poisson stream: when the gateway connection does not keep
 * up, the mean sending gap is multiplied (1 to 6), and lowered again once it does.
 *
 * The rule is Nym's `SendingDelayController`
 * (`common/client-core/src/client/real_messages_control/real_traffic_stream/sending_delay_controller.rs`):
 * backpressure is "more than 10 packets waiting", the multiplier goes up by one when the buffer
 * is full (Nym's channel to the gateway has 32 slots) and it was not changed within 1 s, and down
 * by one when no backpressure was seen for 2 s and it was not changed within 2 s. Nym counts
 * packets in a channel; we count bytes the socket has not written yet, in packets.
 *
 * @module
 */

/** Bytes one packet occupies on the gateway connection (a 2413-byte Sphinx packet, framed). */
export const GATEWAY_PACKET_BYTES = 2452;
/** More than this many packets waiting is backpressure (Nym: 10). */
export const BACKPRESSURE_PACKETS = 10;
/** This many packets waiting is a full buffer (Nym's mix channel: 32 slots). */
export const FULL_BUFFER_PACKETS = 32;
/** Bounds of the multiplier (Nym: 1 and 6). */
export const MIN_MULTIPLIER = 1;
/** Upper bound of the multiplier (Nym: 6). */
export const MAX_MULTIPLIER = 6;
/** Least time between two increases, ms (Nym: 1 s). */
export const INCREASE_INTERVAL_MS = 1_000;
/** Least time between a change and a decrease, ms (Nym: 2 s). */
export const DECREASE_INTERVAL_MS = 2_000;
/** Time without backpressure before a decrease, ms (Nym: 2 s). */
export const CALM_MS = 2_000;

/**
 * Tracks the sending-delay multiplier from the bytes waiting on the gateway connection.
 *
 * @example
 * ```ts
 * import { DelayMultiplier, GATEWAY_PACKET_BYTES } from "@nym/mixnet/cover";
 * const m = new DelayMultiplier(0);
 * m.update(40 * GATEWAY_PACKET_BYTES, 1500); // a full buffer, 1.5 s later
 * console.log(m.value); // 2
 * ```
 */
export class DelayMultiplier {
  #value = MIN_MULTIPLIER;
  #changedAt: number;
  #pressureAt: number;

  /** Starts at 1 at time `now` (ms). */
  constructor(now: number) {
    this.#changedAt = now;
    this.#pressureAt = now;
  }

  /** The current multiplier (1 to 6). */
  get value(): number {
    return this.#value;
  }

  /** Whether `bufferedBytes` fills the buffer (the stream should wait, as Nym's send does). */
  static full(bufferedBytes: number): boolean {
    return bufferedBytes >= FULL_BUFFER_PACKETS * GATEWAY_PACKET_BYTES;
  }

  /** Records what is waiting at time `now` and returns the multiplier to use. */
  update(bufferedBytes: number, now: number): number {
    if (bufferedBytes > BACKPRESSURE_PACKETS * GATEWAY_PACKET_BYTES) this.#pressureAt = now;
    if (
      DelayMultiplier.full(bufferedBytes) && now > this.#changedAt + INCREASE_INTERVAL_MS &&
      this.#value < MAX_MULTIPLIER
    ) {
      this.#value++;
      this.#changedAt = now;
    } else if (
      now >= this.#pressureAt + CALM_MS && now > this.#changedAt + DECREASE_INTERVAL_MS &&
      this.#value > MIN_MULTIPLIER
    ) {
      this.#value--;
      this.#changedAt = now;
    }
    return this.#value;
  }
}
