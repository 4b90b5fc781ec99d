/**
 * Keeping anonymous-reply state across restarts: the reply SURBs received from anonymous
 * senders (by sender tag) and the keys of the SURBs we handed out. Like Nym's
 * `persistent_reply_store` (`common/client-core/surb-storage`), the state is loaded when the
 * client connects and written back when it disconnects (`flush_on_shutdown`); a crash loses
 * what arrived since the last start. In-memory (nothing kept) unless a store is injected through
 * `connect({ replyPersistence })`.
 *
 * @module
 */
import type { ReplySurbBytes } from "../message/nym_message.ts";

/** Reply SURBs received from one anonymous sender. */
export interface StoredSenderSurbs {
  /** The sender's 16-byte tag. */
  readonly senderTag: Uint8Array;
  /** Its SURBs, oldest first. */
  readonly surbs: readonly ReplySurbBytes[];
}

/** A key of a SURB we handed out. */
export interface StoredReplyKey {
  /** BLAKE3 digest of the key (how a reply names it). */
  readonly digest: Uint8Array;
  /** The 16-byte AES key. */
  readonly key: Uint8Array;
  /** When the SURB was sent, ms since the epoch. */
  readonly sentAt: number;
}

/** Everything the client keeps for anonymous replies. */
export interface ReplySnapshot {
  /** SURBs we may use to answer anonymous senders. */
  readonly receivedSurbs: readonly StoredSenderSurbs[];
  /** Keys that open replies to SURBs we sent. */
  readonly replyKeys: readonly StoredReplyKey[];
}

/**
 * Where a client loads its reply state from at `connect()` and saves it to at `disconnect()`.
 *
 * @example
 * ```ts
 * import type { ReplyPersistence, ReplySnapshot } from "./reply_persistence.ts";
 * let kept: ReplySnapshot = { receivedSurbs: [], replyKeys: [] };
 * const memory: ReplyPersistence = {
 *   load: () => Promise.resolve(kept),
 *   save: (snapshot) => {
 *     kept = snapshot;
 *     return Promise.resolve();
 *   },
 * };
 * console.log((await memory.load()).replyKeys.length); // 0
 * ```
 */
export interface ReplyPersistence {
  /** The state saved last (empty the first time). */
  load(): Promise<ReplySnapshot>;
  /** Replaces the saved state. */
  save(snapshot: ReplySnapshot): Promise<void>;
}

/** The stores a client's reply state lives in (its SURB store and its reply-key store). */
export interface ReplyStores {
  /** SURBs received from anonymous senders. */
  readonly surbs: {
    add(senderTag: Uint8Array, surbs: readonly ReplySurbBytes[]): void;
    entries(): Iterable<[Uint8Array, readonly ReplySurbBytes[]]>;
  };
  /** Keys of the SURBs we handed out. */
  readonly keys: {
    add(digest: Uint8Array, key: Uint8Array, owner?: string, addedAt?: number): void;
    entries(): Iterable<{ digest: Uint8Array; key: Uint8Array; addedAt: number }>;
  };
}

/** Puts a saved reply state back into a client's stores. */
export function restoreReplyState(state: ReplySnapshot | undefined, stores: ReplyStores): void {
  for (const { senderTag, surbs } of state?.receivedSurbs ?? []) stores.surbs.add(senderTag, surbs);
  for (const { digest, key, sentAt } of state?.replyKeys ?? []) {
    // Nym's reply store keeps no owner: a restored key's SURB requests are not answered.
    stores.keys.add(digest, key, undefined, sentAt);
  }
}

/** The reply state of a client's stores, to save. */
export function replySnapshotOf(stores: ReplyStores): ReplySnapshot {
  return {
    receivedSurbs: [...stores.surbs.entries()].map(([senderTag, surbs]) => ({ senderTag, surbs })),
    replyKeys: [...stores.keys.entries()].map(({ digest, key, addedAt }) => ({
      digest,
      key,
      sentAt: addedAt,
    })),
  };
}
