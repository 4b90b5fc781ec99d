/**
 * The suite's one seeded random generator (xorshift32), so every failing case reproduces from its
 * seed. Not a CSPRNG: tests only.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * const a = seededRandom(7), b = seededRandom(7);
 * console.log(a(4).join() === b(4).join()); // true
 * ```
 * @module
 */
import type { RandomBytes } from "../../internal/random.ts";

/** A seeded byte source that can also draw words and bounded integers. */
export interface SeededRandom extends RandomBytes {
  /** The next 32-bit word. */
  uint32(): number;
  /** An integer in `[0, bound)` (modulo the 32-bit word; bias is irrelevant for tests). */
  below(bound: number): number;
}

/**
 * A deterministic generator seeded by `seed` (any integer; 0 is allowed). Bytes come one per
 * step, from the low byte of the state, so draws of different lengths interleave predictably.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * const random = seededRandom(1);
 * const key = random(32);
 * console.log(key.length, random.below(6) < 6); // 32 true
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let x = (seed * 2654435761) >>> 0 || 1;
  const step = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const bytes = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = step() & 0xff;
    return out;
  };
  return Object.assign(bytes, {
    uint32: step,
    below: (bound: number): number => bound <= 1 ? 0 : step() % bound,
  });
}

/**
 * A copy of `items` in an order drawn from `random` (Fisher–Yates).
 *
 * @example
 * ```ts
 * import { seededRandom, shuffled } from "./random.ts";
 * console.log(shuffled([1, 2, 3], seededRandom(3)).sort().join()); // "1,2,3"
 * ```
 */
export function shuffled<T>(items: readonly T[], random: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
