/**
 * `localnet`: a real Nym network on loopback — a nym-api directory, three layers of mixnodes and
 * gateways speaking the Nym client WebSocket protocol — for development, demos and tests. The
 * official Nym client accepts it.
 *
 * @example
 * ```ts
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * import { connect } from "@nym/mixnet";
 * await using net = await startLocalnet({ logger: "silent" });
 * const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
 * await client.send(client.address, "hello");
 * await client.disconnect();
 * ```
 *
 * @module
 */
export {
  type Localnet,
  LOCALNET_GATEWAY_KINDS,
  type LocalnetGateway,
  type LocalnetGatewayKind,
  type LocalnetKeyRotationOptions,
  type LocalnetMixnode,
  type LocalnetOptions,
  startLocalnet,
} from "./localnet.ts";
export type {
  LogEntry,
  Logger,
  LogLevel,
  Mixnode,
  MixnodeFaults,
  MixnodeOptions,
  MixnodeSphinxKey,
  MixnodeStats,
} from "./mixnode/mod.ts";
export type { WasmFriendlyNymTopology, WasmFriendlyRoutingNode } from "./directory/mod.ts";

// Types that the exports above mention in their signatures.
export type { CryptoProvider } from "../crypto/crypto_provider.ts";
export type { FinalHop } from "../sphinx/packet.ts";
export type { PacketSize } from "../sphinx/packet_size.ts";
export type { Frame, FramePacketType, FrameVersion, KeyRotation } from "./framing/frame.ts";
export type { FramePacketSize, OutfoxPacketSize } from "./framing/frame_size.ts";
export type { DeliveryOutcome, GatewayGeneration, GatewayServer } from "./gateway/mod.ts";
export type { ConnectionPoolOptions, Connector } from "./mixnode/connection_pool.ts";
export type { ReplayFilterOptions } from "./mixnode/replay_filter.ts";
