/**
 * `localnet`: a real Nym network on loopback — a nym-api directory, three layers of mixnodes and
 * gateways speaking the Nym client WebSocket protocol — for development, demos and tests. The
 * official Nym client accepts it.
 *
 * @example
 * ```ts ignore
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * import { connect } from "@nym/mixnet";
 * await using net = await startLocalnet();
 * const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
 * await client.send(client.address, "hello");
 * await client.disconnect();
 * ```
 *
 * @module
 */
export {
  type Localnet,
  type LocalnetGateway,
  type LocalnetMixnode,
  type LocalnetOptions,
  startLocalnet,
} from "./localnet.ts";
export type { MixnodeFaults } from "./mixnode/mod.ts";
export type { WasmFriendlyNymTopology } from "./directory/mod.ts";
