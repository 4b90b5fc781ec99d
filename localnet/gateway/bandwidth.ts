/**
 * Bandwidth arithmetic of the localnet gateway: totals saturate at 2^53 − 1 bytes (the largest
 * integer a JSON number or a JS number holds exactly), so any number of free claims neither
 * loses precision nor produces a record the store could not read back.
 *
 * @module
 */

/**
 * The most bandwidth a client can hold: `Number.MAX_SAFE_INTEGER` bytes (8 PiB).
 *
 * @example
 * ```ts
 * import { MAX_BANDWIDTH_BYTES } from "./bandwidth.ts";
 * console.log(MAX_BANDWIDTH_BYTES === 2 ** 53 - 1); // true
 * ```
 */
export const MAX_BANDWIDTH_BYTES: number = Number.MAX_SAFE_INTEGER;

/**
 * `total + grant`, saturating at {@linkcode MAX_BANDWIDTH_BYTES}.
 *
 * @example
 * ```ts
 * import { addBandwidth, MAX_BANDWIDTH_BYTES } from "./bandwidth.ts";
 * console.log(addBandwidth(1, 2)); // 3
 * console.log(addBandwidth(MAX_BANDWIDTH_BYTES, 2 ** 36) === MAX_BANDWIDTH_BYTES); // true
 * ```
 */
export function addBandwidth(total: number, grant: number): number {
  return Math.min(MAX_BANDWIDTH_BYTES, total + grant);
}

/**
 * A persisted bandwidth value made usable: a non-negative integer, clamped to
 * {@linkcode MAX_BANDWIDTH_BYTES} (older versions could persist a larger, inexact one); anything
 * else (negative, fractional, not a number) is `undefined`.
 *
 * @example
 * ```ts
 * import { clampBandwidth, MAX_BANDWIDTH_BYTES } from "./bandwidth.ts";
 * console.log(clampBandwidth(2 ** 60) === MAX_BANDWIDTH_BYTES, clampBandwidth(-1)); // true undefined
 * ```
 */
export function clampBandwidth(value: unknown): number | undefined {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) return undefined;
  return Math.min(value, MAX_BANDWIDTH_BYTES);
}
