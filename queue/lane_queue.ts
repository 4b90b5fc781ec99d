/**
 * Outgoing work split into lanes (general traffic, retransmissions, per-connection streams, …),
 * drained one item at a time by the Poisson stream.
 *
 * Nym drops a lane that received nothing for 10 minutes together with what it still holds; we
 * never drop queued data: a backlog drains however long it takes, and `disconnect()` can flush it.
 *
 * @module
 */
import { type RandomBytes, randomIndex } from "../internal/random.ts";

/** A lane name: `"general"`, `"retransmission"`, `"replies"`, or `"connection:<id>"`. */
export type Lane = string;

/**
 * A multi-lane FIFO. {@linkcode LaneQueue.shift} picks a non-empty lane uniformly at random so
 * that one busy connection cannot starve the others.
 *
 * @example
 * ```ts
 * import { LaneQueue } from "@nym/mixnet/queue";
 * const queue = new LaneQueue<string>((n) => crypto.getRandomValues(new Uint8Array(n)));
 * queue.push("general", ["a", "b"]);
 * console.log(queue.shift(), queue.length); // "a" 1
 * ```
 */
export class LaneQueue<T> {
  #lanes = new Map<Lane, T[]>();
  #heads = new Map<Lane, number>();
  #length = 0;
  #random: RandomBytes;

  /** Creates an empty queue that picks lanes with `random`. */
  constructor(random: RandomBytes) {
    this.#random = random;
  }

  /** Items queued over all lanes. */
  get length(): number {
    return this.#length;
  }

  /** Items queued in `lane`. */
  laneLength(lane: Lane): number {
    return (this.#lanes.get(lane)?.length ?? 0) - (this.#heads.get(lane) ?? 0);
  }

  /** Appends items to a lane. */
  push(lane: Lane, items: readonly T[]): void {
    if (items.length === 0) return;
    let queue = this.#lanes.get(lane);
    if (!queue) {
      queue = [];
      this.#lanes.set(lane, queue);
      this.#heads.set(lane, 0);
    }
    for (const item of items) queue.push(item);
    this.#length += items.length;
  }

  /** Removes and returns the next item of a random non-empty lane, or `undefined`. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const lanes = [...this.#lanes.keys()];
    const lane = lanes[randomIndex(lanes.length, this.#random)];
    const queue = this.#lanes.get(lane)!;
    let head = this.#heads.get(lane)!;
    const item = queue[head++];
    this.#length--;
    if (head === queue.length) {
      this.#lanes.delete(lane);
      this.#heads.delete(lane);
    } else if (head > 1024 && head * 2 > queue.length) {
      this.#lanes.set(lane, queue.slice(head));
      this.#heads.set(lane, 0);
    } else {
      this.#heads.set(lane, head);
    }
    return item;
  }

  /** Removes every queued item for which `predicate` is true and returns them. */
  remove(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const [lane, queue] of this.#lanes) {
      const head = this.#heads.get(lane)!;
      const kept: T[] = [];
      for (let i = head; i < queue.length; i++) {
        (predicate(queue[i]) ? removed : kept).push(queue[i]);
      }
      if (kept.length === 0) {
        this.#lanes.delete(lane);
        this.#heads.delete(lane);
      } else {
        this.#lanes.set(lane, kept);
        this.#heads.set(lane, 0);
      }
    }
    this.#length -= removed.length;
    return removed;
  }
}
