/**
 * The keys of reply SURBs we handed out, so replies that come back through them can be opened.
 *
 * @module
 */
import type { ReplyKeyStore } from "../message/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";

/** Nym purges reply keys after 24 hours. */
export const DEFAULT_REPLY_KEY_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * An in-memory {@linkcode ReplyKeyStore}: BLAKE3 digest → key, single use, with age-based purge.
 *
 * @example
 * ```ts
 * import { MemoryReplyKeyStore } from "@nym/mixnet/replies";
 * const store = new MemoryReplyKeyStore(() => Date.now());
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const digest = crypto.getRandomValues(new Uint8Array(32));
 * store.add(digest, key);
 * console.log(store.take(digest) === key, store.size); // true 0
 * ```
 */
export class MemoryReplyKeyStore implements ReplyKeyStore {
  #keys = new Map<string, { key: Uint8Array; addedAt: number }>();
  #now: () => number;

  /** Creates an empty store reading time from `now` (ms). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Keys held. */
  get size(): number {
    return this.#keys.size;
  }

  /** Remembers `key` under its digest, as added now (or at `addedAt`, when restoring). */
  add(digest: Uint8Array, key: Uint8Array, addedAt: number = this.#now()): void {
    this.#keys.set(toHex(digest), { key, addedAt });
  }

  /** Every key held, with its digest and when it was added (for persistence). */
  *entries(): IterableIterator<{ digest: Uint8Array; key: Uint8Array; addedAt: number }> {
    for (const [id, entry] of this.#keys) yield { digest: fromHex(id), ...entry };
  }

  /** Removes and returns the key with this digest. */
  take(digest: Uint8Array): Uint8Array | undefined {
    const id = toHex(digest);
    const entry = this.#keys.get(id);
    if (!entry) return undefined;
    this.#keys.delete(id);
    return entry.key;
  }

  /** Drops keys older than `maxAgeMs`; returns how many were dropped. */
  purge(maxAgeMs: number = DEFAULT_REPLY_KEY_MAX_AGE_MS): number {
    const cutoff = this.#now() - maxAgeMs;
    let dropped = 0;
    for (const [id, entry] of this.#keys) {
      if (entry.addedAt < cutoff) {
        this.#keys.delete(id);
        dropped++;
      }
    }
    return dropped;
  }
}
