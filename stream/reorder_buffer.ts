/**
 * The per-stream reorder buffer: frames arrive in any order (every mixnet message takes its own
 * route) and leave in sequence order. Sequence numbers are u32 and wrap, compared with serial
 * number arithmetic (RFC 1982), so a stream can outlive 2^32 frames.
 *
 * @module
 */

/** Something the buffer hands on, in order. */
export type ReorderEvent<T> =
  | {
    /** The next item in sequence. */
    readonly kind: "item";
    /** Its sequence number. */
    readonly sequence: number;
    /** The item. */
    readonly item: T;
  }
  | {
    /** Frames that were skipped: the buffer overflowed while they were missing. */
    readonly kind: "gap";
    /** The first missing sequence number. */
    readonly from: number;
    /** How many sequence numbers were skipped. */
    readonly count: number;
  };

/** What one {@linkcode ReorderBuffer.push} did. */
export interface ReorderPushResult<T> {
  /** Items (and gaps) now ready, in order; empty when the item was buffered or dropped. */
  readonly events: ReorderEvent<T>[];
  /** True when the item was dropped: already delivered, skipped, or already buffered. */
  readonly duplicate: boolean;
}

/** Options of {@linkcode ReorderBuffer}. */
export interface ReorderBufferOptions<T = unknown> {
  /**
   * Most items held while waiting for a missing one (default 256, as Nym's
   * `MAX_REORDER_BUFFER`). One more makes the buffer skip ahead to the lowest one it holds.
   */
  readonly capacity?: number;
  /** The first sequence number expected (default 0). */
  readonly initialSequence?: number;
  /**
   * Most bytes held while waiting for a missing item (default: unbounded); measured with
   * `sizeOf`. Beyond it the buffer skips ahead as it does beyond `capacity`, so a peer that never
   * sends one frame cannot make it hold more.
   */
  readonly maxBytes?: number;
  /** The size of an item in bytes, for `maxBytes` (default: its `byteLength`, or 0). */
  readonly sizeOf?: (item: T) => number;
}

const HALF = 2 ** 31;

/** Distance from `from` forward to `to` on the u32 circle. */
function distance(from: number, to: number): number {
  return (to - from) >>> 0;
}

/**
 * Reorders items by u32 sequence number: delivers in order, drops duplicates and late arrivals,
 * and when more than `capacity` items wait behind a gap, skips the gap (reporting it as a `gap`
 * event in the place where the missing items belonged).
 *
 * @example
 * ```ts
 * import { ReorderBuffer } from "@nym/mixnet/stream";
 * const buffer = new ReorderBuffer<string>();
 * console.log(buffer.push(1, "b").events.length); // 0 (waits for 0)
 * console.log(buffer.push(0, "a").events.map((e) => e.kind === "item" && e.item)); // ["a", "b"]
 * console.log(buffer.push(0, "a").duplicate); // true
 * ```
 */
export class ReorderBuffer<T> {
  readonly #capacity: number;
  readonly #maxBytes: number;
  readonly #sizeOf: (item: T) => number;
  #next: number;
  #held = new Map<number, T>();
  #heldBytes = 0;
  #duplicates = 0;
  #skipped = 0;

  /** Creates an empty buffer expecting `initialSequence` first. */
  constructor(options: ReorderBufferOptions<T> = {}) {
    const capacity = options.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`reorder capacity ${capacity} must be a positive integer`);
    }
    const maxBytes = options.maxBytes ?? Infinity;
    if (!(maxBytes > 0)) throw new RangeError(`reorder maxBytes ${maxBytes} must be positive`);
    this.#capacity = capacity;
    this.#maxBytes = maxBytes;
    this.#sizeOf = options.sizeOf ??
      ((item) => (item as { byteLength?: number } | null)?.byteLength ?? 0);
    this.#next = (options.initialSequence ?? 0) >>> 0;
  }

  /** The sequence number delivered next. */
  get nextSequence(): number {
    return this.#next;
  }

  /** Items held behind a gap. */
  get size(): number {
    return this.#held.size;
  }

  /** Bytes held behind a gap (as `sizeOf` measures them). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Items dropped as duplicates or late arrivals so far. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Sequence numbers skipped by overflows so far. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Adds the item with `sequence`; returns what is now ready, in order.
   *
   * @example
   * ```ts
   * import { ReorderBuffer } from "@nym/mixnet/stream";
   * const buffer = new ReorderBuffer<number>({ capacity: 2 });
   * buffer.push(2, 2);
   * buffer.push(3, 3);
   * // a third item behind the missing 0 and 1 overflows: skip to 2
   * console.log(buffer.push(4, 4).events.map((e) => e.kind === "gap" ? `gap ${e.count}` : e.item));
   * // ["gap 2", 2, 3, 4]
   * ```
   */
  push(sequence: number, item: T): ReorderPushResult<T> {
    const seq = sequence >>> 0;
    const ahead = distance(this.#next, seq);
    if (ahead >= HALF || this.#held.has(seq)) {
      this.#duplicates++;
      return { events: [], duplicate: true };
    }
    this.#held.set(seq, item);
    this.#heldBytes += this.#sizeOf(item);
    const events: ReorderEvent<T>[] = [];
    this.#release(events);
    // Over a cap with a gap in front: skip to the lowest held item, release, and repeat.
    while (
      this.#held.size > 0 &&
      (this.#held.size > this.#capacity || this.#heldBytes > this.#maxBytes)
    ) {
      let lowest: number | undefined;
      for (const held of this.#held.keys()) {
        if (lowest === undefined || distance(this.#next, held) < distance(this.#next, lowest)) {
          lowest = held;
        }
      }
      const count = distance(this.#next, lowest!);
      events.push({ kind: "gap", from: this.#next, count });
      this.#skipped += count;
      this.#next = lowest!;
      this.#release(events);
    }
    return { events, duplicate: false };
  }

  /** Hands on every item that is next in sequence. */
  #release(events: ReorderEvent<T>[]): void {
    for (;;) {
      const ready = this.#next;
      if (!this.#held.has(ready)) break;
      const value = this.#held.get(ready) as T;
      this.#held.delete(ready);
      this.#heldBytes -= this.#sizeOf(value);
      events.push({ kind: "item", sequence: ready, item: value });
      this.#next = (ready + 1) >>> 0;
    }
  }

  /**
   * Forgets everything held (for a stream that is gone).
   *
   * @example
   * ```ts
   * import { ReorderBuffer } from "@nym/mixnet/stream";
   * const buffer = new ReorderBuffer<number>();
   * buffer.push(5, 5);
   * buffer.clear();
   * console.log(buffer.size); // 0
   * ```
   */
  clear(): void {
    this.#held.clear();
    this.#heldBytes = 0;
  }
}
