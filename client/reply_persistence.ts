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
