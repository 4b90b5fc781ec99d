/**
 * `@nym/mixnet`: a pure-TypeScript client for the Nym mixnet.
 *
 * @example
 * ```ts
 * import { trafficConfig } from "@nym/mixnet";
 * console.log(trafficConfig("noCover").poisson); // false
 * ```
 *
 * @module
 */
export {
  type GatewayLink,
  MixnetClient,
  type MixnetClientComponents,
  type MixnetClientEvents,
  type ReceivedMessage,
  type SendOptions,
} from "./client/mixnet_client.ts";
export { type TrafficConfig, trafficConfig, type TrafficPreset } from "./client/traffic.ts";
export type { OutgoingPacket } from "./client/packet_builder.ts";
export type { RouteSource } from "./client/route_source.ts";
export { DeliveryError, type DeliveryErrorKind, type DeliveryHandle } from "./queue/mod.ts";
export { AnonymousSenderTag, Recipient } from "./message/mod.ts";
