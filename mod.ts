/**
 * `@nym/mixnet`: a pure-TypeScript client for the Nym mixnet.
 *
 * @example Send yourself a message through Nym mainnet
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * const client = await connect();
 * await client.send(client.address, "hello, me"); // resolves once acknowledged
 * for await (const message of client.messages) {
 *   console.log(new TextDecoder().decode(message.data));
 *   break;
 * }
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
export { connect, type ConnectOptions, MAINNET_NYM_API_URLS } from "./client/connect.ts";
export { GatewayConnectError, type GatewayFailure } from "./client/gateway_connect_error.ts";
export {
  type GatewayLink,
  MixnetClient,
  type MixnetClientComponents,
  type MixnetClientEvents,
  type ReceivedMessage,
  type SendOptions,
} from "./client/mixnet_client.ts";
export { type ClientStorage, MemoryStorage } from "./client/storage.ts";
export { type IdbFactoryLike, IndexedDbStorage } from "./client/indexeddb_storage.ts";
export type { MixnetClientStats } from "./client/mixnet_client.ts";
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
export type { MixnetStream, OpenStreamOptions } from "./stream/mixnet_stream.ts";
export type { StreamListener } from "./stream/listener.ts";
