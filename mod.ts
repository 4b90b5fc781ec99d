/**
 * `@nym/mixnet`: a pure-TypeScript client for the Nym mixnet.
 *
 * @example Send yourself a message (through a localnet here; `connect()` alone uses Nym mainnet)
 * ```ts
 * import { connect } from "@nym/mixnet";
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * await using net = await startLocalnet({ logger: "silent" });
 * const client = await connect({ nymApiUrl: net.nymApiUrl });
 * await client.send(client.address, "hello, me"); // resolves once acknowledged
 * const inbox = client.messages.getReader();
 * const { value } = await inbox.read();
 * console.log(new TextDecoder().decode(value!.data)); // "hello, me"
 * inbox.releaseLock();
 * await client.disconnect();
 * ```
 *
 * @example Traffic presets
 * ```ts
 * import { trafficConfig } from "@nym/mixnet";
 * console.log(trafficConfig("noCover").poisson); // false
 * ```
 *
 * @module
 */
export {
  connect,
  type ConnectOptions,
  MAINNET_NYM_API_URLS,
  STORAGE_KEYS,
} from "./client/connect.ts";
export { GatewayConnectError, type GatewayFailure } from "./client/gateway_connect_error.ts";
export {
  type GatewayLink,
  MixnetClient,
  type MixnetClientComponents,
  type MixnetClientEvents,
  type ReceivedMessage,
  type SendOptions,
} from "./client/mixnet_client.ts";
export { MissingWebSocketError } from "./client/_validate.ts";
export { type ClientStorage, MemoryStorage } from "./client/storage.ts";
export type {
  ReplyPersistence,
  ReplySnapshot,
  StoredReplyKey,
  StoredSenderSurbs,
} from "./client/reply_persistence.ts";
export { type IdbFactoryLike, IndexedDbStorage } from "./client/indexeddb_storage.ts";
export type { MixnetClientStats } from "./client/mixnet_client.ts";
export {
  MAX_INBOX_BYTES,
  MAX_INBOX_MESSAGES,
  MessageInbox,
  type MessageInboxLimits,
} from "./client/message_inbox.ts";
export {
  LANE_ADDITIONAL_SURBS,
  LANE_GENERAL,
  LANE_REPLIES,
  LANE_RETRANSMISSION,
  LANE_SURB_REQUEST,
} from "./client/lanes.ts";
export { type TrafficConfig, trafficConfig, type TrafficPreset } from "./client/traffic.ts";
export type { OutgoingPacket } from "./client/packet_builder.ts";
export type { RouteSource } from "./client/route_source.ts";
export { DeliveryError, type DeliveryErrorKind, type DeliveryHandle } from "./queue/mod.ts";
export { AnonymousSenderTag, Recipient } from "./message/mod.ts";

// Types that the exports above mention in their signatures.
export type {
  IdbDatabase,
  IdbObjectStore,
  IdbOpenRequest,
  IdbRequest,
} from "./client/indexeddb_storage.ts";
export type { CryptoProvider } from "./crypto/crypto_provider.ts";
export type { WebSocketConstructor, WebSocketLike } from "./gateway/gateway_client.ts";
export type { Clock, TimerHandle } from "./internal/clock.ts";
export type { RandomBytes } from "./internal/random.ts";
export type { DeliveryStatus } from "./queue/delivery.ts";
export type { RouteHop } from "./sphinx/header.ts";
export type { BuildableVersion } from "./sphinx/version.ts";
