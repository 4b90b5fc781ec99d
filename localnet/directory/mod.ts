/**
 * A localnet directory (nym-api) for Nym clients: the endpoints and JSON shapes the official
 * client uses, served from plain data, plus the same data as the official client's
 * `WasmFriendlyNymTopology` for `NymNodeTester`.
 *
 * @example
 * ```ts
 * import { startDirectory } from "./mod.ts";
 * await using directory = startDirectory({
 *   nodes: [],
 *   rewardedSet: { epochId: 1, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] },
 * });
 * console.log(directory.url.startsWith("http://127.0.0.1:")); // true
 * ```
 *
 * @module
 */
export {
  declaredRoles,
  type DirectoryData,
  type DirectoryDeclaredRoles,
  type DirectoryEntry,
  type DirectoryKeyRotation,
  type DirectoryNode,
  type DirectoryRewardedSet,
  type DirectoryRole,
  type Listing,
  listNodes,
  type ResolvedKeyRotation,
  resolveKeyRotation,
  roleOf,
} from "./directory_state.ts";
export {
  intervalJson,
  keyRotationInfoJson,
  type ListingContext,
  nodesPageJson,
  nodesPageV1Json,
  type PageRequest,
  rewardedSetJson,
  skimmedNodeJson,
} from "./directory_json.ts";
export { type Directory, startDirectory, type StartDirectoryOptions } from "./directory_server.ts";
export {
  toWasmFriendlyTopology,
  type WasmFriendlyNymTopology,
  type WasmFriendlyRoutingNode,
} from "./wasm_topology.ts";
