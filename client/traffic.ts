/**
 * Traffic settings: Nym's defaults and the presets `connect()` accepts.
 *
 * @module
 */
import type { BuildableVersion } from "../sphinx/mod.ts";

/** How the client shapes its traffic. Every duration is in milliseconds. */
export interface TrafficConfig {
  /** Mean gap of the main Poisson stream (Nym: 20 ms); real packets replace cover in it. */
  readonly messageSendingAverageDelayMs: number;
  /** Mean gap of the separate loop cover stream (Nym: 200 ms). */
  readonly loopCoverAverageDelayMs: number;
  /** Mean per-hop delay of data packets (Nym: 15 ms). */
  readonly averagePacketDelayMs: number;
  /** Mean per-hop delay of SURB-ACKs (Nym: 15 ms). */
  readonly averageAckDelayMs: number;
  /** Ack timeout = expected delay × this + {@linkcode ackWaitAdditionMs} (Nym: 1.5). */
  readonly ackWaitMultiplier: number;
  /** Added to every ack timeout (Nym: 1500 ms). */
  readonly ackWaitAdditionMs: number;
  /** Retransmissions per fragment before `send()` rejects (Nym: unlimited; ours: 10). */
  readonly maximumRetransmissions: number;
  /**
   * Most fragments sent and not yet acknowledged (default 128). When it is reached the main
   * stream sends cover instead of real packets, so an overloaded path is not flooded; it only
   * binds when the sending rate times the round trip exceeds it.
   */
  readonly maxInFlight: number;
  /** Send through the Poisson main stream with cover in the gaps (false: send at once). */
  readonly poisson: boolean;
  /** Run the loop cover stream. */
  readonly loopCover: boolean;
  /**
   * How long a request for more reply SURBs may go unanswered before it is sent again
   * (Nym: 10 s). Requests travel through the mixnet and can be lost like any packet.
   */
  readonly surbRequestRetryMs: number;
  /**
   * How long replies may wait for reply SURBs before they fail with a `no-reply-surbs`
   * `DeliveryError` (Nym: 5 min).
   */
  readonly surbWaitLimitMs: number;
  /** Sphinx version of real packets (259, as the official client). */
  readonly dataVersion: BuildableVersion;
  /** Sphinx version of loop cover packets (258, as the official client). */
  readonly coverVersion: BuildableVersion;
}

/** Names of the built-in traffic presets. */
export type TrafficPreset = "default" | "noCover" | "fast";

const DEFAULT: TrafficConfig = Object.freeze({
  messageSendingAverageDelayMs: 20,
  loopCoverAverageDelayMs: 200,
  averagePacketDelayMs: 15,
  averageAckDelayMs: 15,
  ackWaitMultiplier: 1.5,
  ackWaitAdditionMs: 1500,
  maximumRetransmissions: 10,
  maxInFlight: 128,
  surbRequestRetryMs: 10_000,
  surbWaitLimitMs: 300_000,
  poisson: true,
  loopCover: true,
  dataVersion: 259,
  coverVersion: 258,
});

/**
 * The presets:
 * - `default`: Nym's defaults (a constant Poisson stream, loop cover, 15 ms per hop).
 * - `noCover`: no cover traffic and no Poisson delay: packets leave as soon as they are built.
 *   Fast and cheap, but the timing of your traffic is visible to your gateway. Tests and demos.
 * - `fast`: Nym's `fast_mode`: 4 ms main stream, 10 ms per hop, nearly no loop cover.
 *
 * @example
 * ```ts
 * import { trafficConfig } from "@nym/mixnet";
 * console.log(trafficConfig("default").messageSendingAverageDelayMs); // 20
 * ```
 */
export function trafficConfig(
  preset: TrafficPreset = "default",
  overrides: Partial<TrafficConfig> = {},
): TrafficConfig {
  const base: TrafficConfig = preset === "noCover"
    ? { ...DEFAULT, poisson: false, loopCover: false }
    : preset === "fast"
    ? {
      ...DEFAULT,
      messageSendingAverageDelayMs: 4,
      averagePacketDelayMs: 10,
      loopCoverAverageDelayMs: 2_000_000,
    }
    : DEFAULT;
  return Object.freeze({ ...base, ...overrides });
}
