/**
 * Reply SURBs received from anonymous senders, kept per sender tag until we reply.
 *
 * @module
 */
import type { ReplySurbBytes } from "../message/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";

/** SURBs kept per sender tag at most (Nym lets a remote ask for at most 500). */
export const MAX_SURBS_PER_TAG = 500;
/** SURBs kept over all sender tags at most; the tag least recently given SURBs goes first. */
export const MAX_RECEIVED_SURBS = 5_000;
/**
 * SURBs of a tag that has not sent any for this long are dropped (Nym:
 * `DEFAULT_MAXIMUM_REPLY_SURB_AGE`, 12 h, in `common/client-core/config`): their routes and the
 * mixnodes' keys have likely changed.
 */
export const MAX_SURB_AGE_MS = 12 * 60 * 60 * 1000;

/** Limits of a {@linkcode ReceivedSurbStore}. */
export interface ReceivedSurbStoreOptions {
  /** SURBs kept per tag (newest kept); {@linkcode MAX_SURBS_PER_TAG} by default. */
  readonly maxPerTag?: number;
  /** SURBs kept in all; {@linkcode MAX_RECEIVED_SURBS} by default. */
  readonly maxTotal?: number;
  /** Age after which a tag's SURBs are purged; {@linkcode MAX_SURB_AGE_MS} by default. */
  readonly maxAgeMs?: number;
  /** Time in ms; `Date.now` by default. */
  readonly now?: () => number;
}

interface Entry {
  surbs: ReplySurbBytes[];
  receivedAt: number;
}

/**
 * Reply SURBs by sender tag, oldest first, bounded per tag, in total, and in age.
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
  /** In order of the last `add` (Map order): the first entry is the least recently fed tag. */
  #byTag = new Map<string, Entry>();
  #total = 0;
  #maxPerTag: number;
  #maxTotal: number;
  #maxAgeMs: number;
  #now: () => number;

  /** Creates an empty store. */
  constructor(options: ReceivedSurbStoreOptions = {}) {
    this.#maxPerTag = options.maxPerTag ?? MAX_SURBS_PER_TAG;
    this.#maxTotal = options.maxTotal ?? MAX_RECEIVED_SURBS;
    this.#maxAgeMs = options.maxAgeMs ?? MAX_SURB_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** SURBs held over all tags. */
  get size(): number {
    return this.#total;
  }

  /** Sender tags with SURBs held. */
  get tags(): number {
    return this.#byTag.size;
  }

  /** Adds SURBs received from `senderTag`. */
  add(senderTag: Uint8Array, surbs: readonly ReplySurbBytes[]): void {
    if (surbs.length === 0) return;
    const id = toHex(senderTag);
    const entry = this.#byTag.get(id) ?? { surbs: [], receivedAt: 0 };
    this.#byTag.delete(id); // re-inserted last: the most recently fed tag
    this.#total -= entry.surbs.length;
    entry.surbs.push(...surbs);
    if (entry.surbs.length > this.#maxPerTag) {
      entry.surbs.splice(0, entry.surbs.length - this.#maxPerTag);
    }
    entry.receivedAt = this.#now();
    this.#byTag.set(id, entry);
    this.#total += entry.surbs.length;
    for (const [other, e] of this.#byTag) {
      if (this.#total <= this.#maxTotal) break;
      const drop = Math.min(e.surbs.length, this.#total - this.#maxTotal);
      e.surbs.splice(0, drop);
      this.#total -= drop;
      if (e.surbs.length === 0) this.#byTag.delete(other);
    }
  }

  /** SURBs held for `senderTag`. */
  count(senderTag: Uint8Array): number {
    return this.#byTag.get(toHex(senderTag))?.surbs.length ?? 0;
  }

  /** Every sender tag with its SURBs, oldest first (for persistence). */
  *entries(): IterableIterator<[senderTag: Uint8Array, surbs: readonly ReplySurbBytes[]]> {
    for (const [id, entry] of this.#byTag) yield [fromHex(id), [...entry.surbs]];
  }

  /** Removes and returns the oldest SURB for `senderTag`. */
  take(senderTag: Uint8Array): ReplySurbBytes | undefined {
    const id = toHex(senderTag);
    const entry = this.#byTag.get(id);
    const surb = entry?.surbs.shift();
    if (surb) this.#total--;
    if (entry && entry.surbs.length === 0) this.#byTag.delete(id);
    return surb;
  }

  /** Drops the SURBs of tags that sent none for the maximum age; returns how many. */
  purge(): number {
    const cutoff = this.#now() - this.#maxAgeMs;
    let dropped = 0;
    for (const [id, entry] of this.#byTag) {
      if (entry.receivedAt >= cutoff) continue;
      dropped += entry.surbs.length;
      this.#total -= entry.surbs.length;
      this.#byTag.delete(id);
    }
    return dropped;
  }
}
