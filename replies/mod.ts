/**
 * Anonymous replies: the keys of the SURBs we hand out and the SURBs others hand us.
 *
 * @example
 * ```ts
 * import { ReceivedSurbStore } from "@nym/mixnet/replies";
 * const store = new ReceivedSurbStore();
 * console.log(store.count(new Uint8Array(16))); // 0
 * ```
 *
 * @module
 */
export { DEFAULT_REPLY_KEY_MAX_AGE_MS, MemoryReplyKeyStore } from "./reply_key_store.ts";
export {
  ReceivedSurbStore,
  type ReceivedSurbStoreOptions,
  type StoredSurb,
  type SurbRotationClock,
} from "./surb_store.ts";

// Types that the exports above mention in their signatures.
export type { ReplyKeyStore } from "../message/encryption.ts";
export type { KeyRotation, ReplySurbBytes } from "../message/nym_message.ts";
