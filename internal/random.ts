/**
 * Randomness as an injectable function, plus the samplers built on it.
 *
 * @module
 */

/** A source of random bytes; inject a seeded one in tests. */
export type RandomBytes = (length: number) => Uint8Array;

/** The platform CSPRNG (`crypto.getRandomValues`), in chunks of at most 64 KiB. */
export function systemRandom(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
}

/** A uniform number in (0, 1] with 53 bits of randomness. */
export function uniform(random: RandomBytes): number {
  const b = random(7);
  const hi = ((b[0] << 13) | (b[1] << 5) | (b[2] >>> 3)) >>> 0; // 21 bits
  const lo = ((b[3] << 24) | (b[4] << 16) | (b[5] << 8) | b[6]) >>> 0; // 32 bits
  return (hi * 2 ** 32 + lo + 1) / 2 ** 53;
}

/** An exponentially distributed sample with the given mean (0 for a mean of 0). */
export function exponential(mean: number, random: RandomBytes): number {
  return mean <= 0 ? 0 : -Math.log(uniform(random)) * mean;
}

/** A uniform integer in [0, bound) without modulo bias. */
export function randomIndex(bound: number, random: RandomBytes): number {
  if (bound <= 1) return 0;
  return Math.min(bound - 1, Math.floor((1 - uniform(random) + 2 ** -53) * bound));
}
