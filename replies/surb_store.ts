/**
 * Reply SURBs received from anonymous senders, kept per sender tag until we reply.
 *
 * @module
 */
import type { ReplySurbBytes } from "../message/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";

/**
 * Reply SURBs by sender tag, oldest first, with a cap per tag (Nym lets a remote ask for at most
 * 500).
 *
 * @example
 * ```ts
 * import { ReceivedSurbStore } from "@nym/mixnet/replies";
 * const store = new ReceivedSurbStore();
 * const tag = new Uint8Array(16);
 * store.add(tag, [{ encryptionKey: new Uint8Array(16), surb: new Uint8Array(460) }]);
 * console.log(store.count(tag), store.take(tag) !== undefined, store.count(tag)); // 1 true 0
 * ```
 */
export class ReceivedSurbStore {
  #byTag = new Map<string, ReplySurbBytes[]>();
  #maxPerTag: number;

  /** Creates an empty store keeping at most `maxPerTag` SURBs per sender (newest kept). */
  constructor(maxPerTag = 500) {
    this.#maxPerTag = maxPerTag;
  }

  /** Adds SURBs received from `senderTag`. */
  add(senderTag: Uint8Array, surbs: readonly ReplySurbBytes[]): void {
    if (surbs.length === 0) return;
    const id = toHex(senderTag);
    const list = this.#byTag.get(id) ?? [];
    list.push(...surbs);
    if (list.length > this.#maxPerTag) list.splice(0, list.length - this.#maxPerTag);
    this.#byTag.set(id, list);
  }

  /** SURBs held for `senderTag`. */
  count(senderTag: Uint8Array): number {
    return this.#byTag.get(toHex(senderTag))?.length ?? 0;
  }

  /** Every sender tag with its SURBs, oldest first (for persistence). */
  *entries(): IterableIterator<[senderTag: Uint8Array, surbs: readonly ReplySurbBytes[]]> {
    for (const [id, list] of this.#byTag) yield [fromHex(id), [...list]];
  }

  /** Removes and returns the oldest SURB for `senderTag`. */
  take(senderTag: Uint8Array): ReplySurbBytes | undefined {
    const id = toHex(senderTag);
    const list = this.#byTag.get(id);
    const surb = list?.shift();
    if (list && list.length === 0) this.#byTag.delete(id);
    return surb;
  }
}
