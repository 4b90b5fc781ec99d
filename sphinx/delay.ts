/**
 * Per-hop delays: i.i.d. exponential with a given mean, encoded as u64 nanoseconds.
 *
 * @module
 */
import { exponential, type RandomBytes, systemRandom } from "../internal/random.ts";

/**
 * Draws `count` delays from an exponential distribution with mean `averageMs` milliseconds,
 * rounded to whole nanoseconds; a mean of 0 gives zeros (as Nym's
 * `generate_from_average_duration`).
 *
 * @example
 * ```ts
 * import { sampleDelays } from "@nym/mixnet/sphinx";
 * const delays = sampleDelays(4, 15);
 * console.log(delays.length, typeof delays[0]); // 4 "bigint"
 * ```
 */
export function sampleDelays(
  count: number,
  averageMs: number,
  random: RandomBytes = systemRandom,
): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    out.push(BigInt(Math.round(exponential(averageMs * 1e6, random))));
  }
  return out;
}
