/**
 * The keys of reply SURBs we handed out, so replies that come back through them can be opened.
 *
 * @module
 */
import type { ReplyKeyStore } from "../message/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";

/** Nym purges reply keys after 24 hours (`DEFAULT_MAXIMUM_REPLY_KEY_AGE`). */
export const DEFAULT_REPLY_KEY_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Reply keys kept at most; the oldest go first (each is a SURB someone may still use). */
export const MAX_REPLY_KEYS = 20_000;

/** A reply key with the peer we gave its SURB to. */
export interface ReplyKeyEntry {
  /** The 16-byte key. */
  readonly key: Uint8Array;
  /** Who received the SURB (the recipient's address), if known. */
  readonly owner?: string;
}

/**
 * An in-memory {@linkcode ReplyKeyStore}: BLAKE3 digest → key, single use, with age-based purge,
 * a cap, and the owner of each key (the peer whose replies open with it).
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
  #keys = new Map<string, { key: Uint8Array; owner?: string; addedAt: number }>();
  #now: () => number;
  #max: number;

  /** Creates an empty store reading time from `now` (ms), keeping at most `max` keys. */
  constructor(now: () => number, max: number = MAX_REPLY_KEYS) {
    this.#now = now;
    this.#max = max;
  }

  /** Keys held. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Remembers `key` under its digest, for SURBs given to `owner`; `addedAt` (default now) when
   * restoring a saved store.
   */
  add(digest: Uint8Array, key: Uint8Array, owner?: string, addedAt: number = this.#now()): void {
    this.#keys.set(toHex(digest), { key, owner, addedAt });
    for (const id of this.#keys.keys()) {
      if (this.#keys.size <= this.#max) break;
      this.#keys.delete(id);
    }
  }

  /** Every key held, with its digest and when it was added (for persistence). */
  *entries(): IterableIterator<{ digest: Uint8Array; key: Uint8Array; addedAt: number }> {
    for (const [id, { key, addedAt }] of this.#keys) yield { digest: fromHex(id), key, addedAt };
  }

  /** Removes and returns the key with this digest. */
  take(digest: Uint8Array): Uint8Array | undefined {
    return this.takeEntry(digest)?.key;
  }

  /** Removes and returns the key with this digest and its owner. */
  takeEntry(digest: Uint8Array): ReplyKeyEntry | undefined {
    const id = toHex(digest);
    const entry = this.#keys.get(id);
    if (!entry) return undefined;
    this.#keys.delete(id);
    return { key: entry.key, owner: entry.owner };
  }

  /** Keys held for SURBs given to `owner`. */
  countFor(owner: string): number {
    let n = 0;
    for (const entry of this.#keys.values()) if (entry.owner === owner) n++;
    return n;
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
