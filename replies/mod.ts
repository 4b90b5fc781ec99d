/**
 * Anonymous replies: the keys of the SURBs we hand out, the SURBs others hand us, when a reply
 * may use one or must wait for more, and how many we give a peer that asks.
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
export {
  DEFAULT_REPLY_KEY_MAX_AGE_MS,
  MAX_REPLY_KEYS,
  MemoryReplyKeyStore,
  type ReplyKeyEntry,
} from "./reply_key_store.ts";
export {
  MAX_RECEIVED_SURBS,
  MAX_SURB_AGE_MS,
  MAX_SURBS_PER_TAG,
  ReceivedSurbStore,
  type ReceivedSurbStoreOptions,
  type StoredSurb,
  type SurbRotationClock,
} from "./surb_store.ts";
export {
  MAX_SURB_REQUEST,
  MIN_SURB_REQUEST,
  ReplySurbPolicy,
  type ReplySurbPolicyOptions,
  SURB_RESERVE,
} from "./surb_policy.ts";
export {
  GRANT_SLACK,
  MAX_OUTSTANDING_PER_PEER,
  MAX_SURB_GRANT,
  SurbGrants,
} from "./surb_grants.ts";

// Types that the exports above mention in their signatures.
export type { ReplyKeyStore } from "../message/encryption.ts";
export type { KeyRotation, ReplySurbBytes } from "../message/nym_message.ts";
export type { Clock, TimerHandle } from "../internal/clock.ts";
