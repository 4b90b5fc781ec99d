/**
 * Bounded-memory replay detection for Sphinx replay tags.
 *
 * @module
 */

/** Options of {@linkcode ReplayFilter}. */
export interface ReplayFilterOptions {
  /**
   * Tags per generation (default 100 000). A tag is remembered for at least this many later
   * insertions, and at most twice as many.
   */
  readonly capacity?: number;
  /** Target false-positive rate of one full generation (default 1e-5, nym-node's default). */
  readonly falsePositiveRate?: number;
}

const LN2_SQUARED = Math.LN2 * Math.LN2;
const MAX_BITS = 2 ** 32 - 1;

/** Size of one Bloom filter: bits and hash functions. */
export interface BloomSizing {
  /** Bits in the filter, `m`. */
  readonly bits: number;
  /** Hash functions, `k`. */
  readonly hashCount: number;
}

/**
 * nym-node's Bloom filter sizing (`nym-node/src/node/replay_protection/mod.rs`):
 * `m = ⌈n·ln p / −ln²2⌉` bits and `k = round(m/n · ln 2)` hash functions for `n` items at
 * false-positive rate `p`. Throws `RangeError` on nonsensical arguments.
 *
 * @example
 * ```ts
 * import { replayFilterSizing } from "./mod.ts";
 * console.log(replayFilterSizing(100_000, 1e-5)); // { bits: 2396265, hashCount: 17 }
 * ```
 */
export function replayFilterSizing(items: number, falsePositiveRate: number): BloomSizing {
  if (!Number.isInteger(items) || items < 1) {
    throw new RangeError(`replay filter capacity must be a positive integer, not ${items}`);
  }
  if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
    throw new RangeError(`false-positive rate must be in (0, 1), not ${falsePositiveRate}`);
  }
  const bits = Math.ceil((items * Math.log(falsePositiveRate)) / -LN2_SQUARED);
  return { bits, hashCount: Math.max(1, Math.round((bits / items) * Math.LN2)) };
}

class Bloom {
  readonly bits: Uint32Array;
  count = 0;
  constructor(words: number) {
    this.bits = new Uint32Array(words);
  }
  clear(): void {
    this.bits.fill(0);
    this.count = 0;
  }
}

/** 32-bit finaliser of MurmurHash3. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A rotating pair of Bloom filters, the same structure nym-node uses per key rotation
 * (`nym-node/src/node/replay_protection/`), but rotated by count instead of by key epoch so
 * that memory stays fixed. New tags go into the current filter; once it holds `capacity`
 * tags it becomes the previous one and the old previous one is cleared and reused.
 *
 * Sizing follows nym-node ({@linkcode replayFilterSizing}).
 * With the defaults (n = 100 000, p = 1e-5): m = 2 396 265 bits, k = 17, so the two filters
 * take ≈ 600 KB together. A fresh tag is checked against both filters, so its false-positive
 * probability is at most p_current + p_previous ≤ 2p (2e-5 by default; far less while the
 * current filter is filling up). There are no false negatives for tags of the last
 * `capacity` insertions.
 *
 * Hashing: double hashing (Kirsch–Mitzenmacher) over two 32-bit FNV/Murmur-style hashes of
 * all tag bytes. Sphinx replay tags are HKDF outputs keyed by the node's secret, so senders
 * cannot aim collisions at the filter.
 *
 * @example
 * ```ts
 * import { ReplayFilter } from "./mod.ts";
 * const filter = new ReplayFilter({ capacity: 1000 });
 * const tag = crypto.getRandomValues(new Uint8Array(32));
 * console.log(filter.checkAndSet(tag), filter.checkAndSet(tag)); // false true
 * ```
 */
export class ReplayFilter {
  /** Tags per generation. */
  readonly capacity: number;
  /** Bits in each of the two filters. */
  readonly bitsPerFilter: number;
  /** Hash functions per tag. */
  readonly hashCount: number;
  #current: Bloom;
  #previous: Bloom;

  /** Allocates both filters; throws `RangeError` on nonsensical options. */
  constructor(options: ReplayFilterOptions = {}) {
    const capacity = options.capacity ?? 100_000;
    const { bits, hashCount } = replayFilterSizing(capacity, options.falsePositiveRate ?? 1e-5);
    if (bits > MAX_BITS) throw new RangeError(`a filter of ${bits} bits is too large`);
    this.capacity = capacity;
    this.bitsPerFilter = bits;
    this.hashCount = hashCount;
    const words = Math.ceil(bits / 32);
    this.#current = new Bloom(words);
    this.#previous = new Bloom(words);
  }

  /** Bytes held by both filters. */
  get memoryBytes(): number {
    return this.#current.bits.byteLength + this.#previous.bits.byteLength;
  }

  /** Tags inserted into the current generation. */
  get currentCount(): number {
    return this.#current.count;
  }

  /**
   * The probability that a never-seen tag is reported as seen right now:
   * `1 − (1 − p_cur)(1 − p_prev)` with `p = (1 − e^{−k·n/m})^k` for each filter.
   *
   * @example
   * ```ts
   * import { ReplayFilter } from "./mod.ts";
   * console.log(new ReplayFilter().falsePositiveRate()); // 0
   * ```
   */
  falsePositiveRate(): number {
    const one = (n: number) =>
      (1 - Math.exp((-this.hashCount * n) / this.bitsPerFilter)) ** this.hashCount;
    return 1 - (1 - one(this.#current.count)) * (1 - one(this.#previous.count));
  }

  /**
   * Whether `tag` was (probably) inserted before; does not insert it.
   *
   * @example
   * ```ts
   * import { ReplayFilter } from "./mod.ts";
   * const filter = new ReplayFilter({ capacity: 10 });
   * filter.add(Uint8Array.of(1, 2, 3));
   * console.log(filter.has(Uint8Array.of(1, 2, 3)), filter.has(Uint8Array.of(3, 2, 1))); // true false
   * ```
   */
  has(tag: Uint8Array): boolean {
    const [h1, h2] = this.#hashes(tag);
    return this.#contains(this.#current, h1, h2) || this.#contains(this.#previous, h1, h2);
  }

  /**
   * Inserts `tag`, rotating the generations first if the current one is full.
   *
   * @example
   * ```ts
   * import { ReplayFilter } from "./mod.ts";
   * const filter = new ReplayFilter({ capacity: 10 });
   * filter.add(Uint8Array.of(9));
   * console.log(filter.currentCount); // 1
   * ```
   */
  add(tag: Uint8Array): void {
    if (this.#current.count >= this.capacity) {
      const recycled = this.#previous;
      recycled.clear();
      this.#previous = this.#current;
      this.#current = recycled;
    }
    const [h1, h2] = this.#hashes(tag);
    const bits = this.#current.bits;
    for (let i = 0; i < this.hashCount; i++) {
      const index = (h1 + i * h2) % this.bitsPerFilter;
      bits[index >>> 5] |= 1 << (index & 31);
    }
    this.#current.count++;
  }

  /**
   * Returns true if `tag` was seen before; otherwise inserts it and returns false.
   *
   * @example
   * ```ts
   * import { ReplayFilter } from "./mod.ts";
   * const filter = new ReplayFilter({ capacity: 10 });
   * console.log(filter.checkAndSet(Uint8Array.of(5)), filter.checkAndSet(Uint8Array.of(5))); // false true
   * ```
   */
  checkAndSet(tag: Uint8Array): boolean {
    if (this.has(tag)) return true;
    this.add(tag);
    return false;
  }

  /**
   * Forgets every tag.
   *
   * @example
   * ```ts
   * import { ReplayFilter } from "./mod.ts";
   * const filter = new ReplayFilter({ capacity: 10 });
   * filter.add(Uint8Array.of(7));
   * filter.clear();
   * console.log(filter.has(Uint8Array.of(7))); // false
   * ```
   */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
  }

  #contains(filter: Bloom, h1: number, h2: number): boolean {
    if (filter.count === 0) return false;
    const bits = filter.bits;
    for (let i = 0; i < this.hashCount; i++) {
      const index = (h1 + i * h2) % this.bitsPerFilter;
      if ((bits[index >>> 5] & (1 << (index & 31))) === 0) return false;
    }
    return true;
  }

  #hashes(tag: Uint8Array): [number, number] {
    let a = 0x811c9dc5;
    let b = 0x9747b28c ^ tag.length;
    for (let i = 0; i < tag.length; i++) {
      a = Math.imul(a ^ tag[i], 0x01000193);
      b = Math.imul(b ^ tag[i], 0x5bd1e995);
      b ^= b >>> 15;
    }
    return [fmix32(a), (fmix32(b) | 1) >>> 0];
  }
}
