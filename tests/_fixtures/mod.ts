/**
 * Fixtures every test file shares: the seeded random generator, the manual clock, `settle`, and
 * counting doubles.
 *
 * @example
 * ```ts
 * import { ManualClock, seededRandom, settle } from "./mod.ts";
 * const clock = new ManualClock(0);
 * const random = seededRandom(1);
 * await settle();
 * console.log(clock.now(), random(2).length); // 0 2
 * ```
 * @module
 */
export { ManualClock } from "./clock.ts";
export { countingCrypto, deferred } from "./counting.ts";
export { type SeededRandom, seededRandom, shuffled } from "./random.ts";
export { settle } from "./settle.ts";
