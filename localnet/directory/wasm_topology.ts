/**
 * The directory's data as the official client's `WasmFriendlyNymTopology` object, for
 * `new NymNodeTester({ topology, … })` (`common/topology/src/wasm_helpers.rs`). Note the mixed
 * casing serde gives it, and that `nodeDetails` must be a `Map` with numeric keys.
 *
 * @module
 */
import { toBase58 } from "../../internal/encoding.ts";
import { formatRfc3339 } from "../../topology/_time.ts";
import { skimmedNodeJson } from "./directory_json.ts";
import {
  declaredRoles,
  type DirectoryData,
  listNodes,
  resolveKeyRotation,
} from "./directory_state.ts";

/** A node in `WasmFriendlyNymTopology.nodeDetails` (`WasmFriendlyRoutingNode`). */
export interface WasmFriendlyRoutingNode {
  /** Node id. */
  nodeId: number;
  /** `ip:port` (`SocketAddr`). */
  mixHost: string;
  /** `EntryDetails` (snake_case inside), or `null`. */
  entry: {
    ip_addresses: string[];
    clients_ws_port: number;
    hostname: string | null;
    clients_wss_port: number | null;
  } | null;
  /** Ed25519 identity, base58. */
  identityKey: string;
  /** X25519 Sphinx key, base58. */
  sphinxKey: string;
  /** `SupportedRoles` (snake_case inside). */
  supportedRoles: { mixnode: boolean; mixnet_entry: boolean; mixnet_exit: boolean };
}

/** `WasmFriendlyNymTopology`. */
export interface WasmFriendlyNymTopology {
  /** `NymTopologyMetadata` (snake_case, RFC 3339 `refreshed_at`). */
  metadata: { key_rotation_id: number; absolute_epoch_id: number; refreshed_at: string };
  /** `CachedEpochRewardedSet` (snake_case). */
  rewardedSet: {
    epoch_id: number;
    entry_gateways: number[];
    exit_gateways: number[];
    layer1: number[];
    layer2: number[];
    layer3: number[];
    standby: number[];
  };
  /** Node details by node id. */
  nodeDetails: Map<number, WasmFriendlyRoutingNode>;
}

/**
 * Renders the data as `WasmFriendlyNymTopology` holding the nodes the official
 * `currentNetworkTopology()` would collect from this directory (active mixnodes and entry-capable
 * nodes; nodes without an IP address are left out, as Nym does).
 *
 * @example
 * ```ts
 * import { toWasmFriendlyTopology } from "./mod.ts";
 * const topology = toWasmFriendlyTopology({
 *   nodes: [{ nodeId: 1, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixPort: 1790 }],
 *   rewardedSet: { epochId: 100, entryGateways: [], exitGateways: [], layer1: [1], layer2: [], layer3: [] },
 *   refreshedAt: new Date(0),
 * });
 * console.log(topology.metadata.key_rotation_id, topology.nodeDetails.get(1)?.mixHost); // 4 127.0.0.1:1790
 * ```
 */
export function toWasmFriendlyTopology(data: DirectoryData): WasmFriendlyNymTopology {
  const set = data.rewardedSet;
  const clock = resolveKeyRotation(set, data.keyRotation);
  const nodes = [
    ...listNodes(data.nodes, set, "mixnodes-active"),
    ...listNodes(data.nodes, set, "entry-gateways"),
  ];
  const nodeDetails = new Map<number, WasmFriendlyRoutingNode>();
  for (const node of nodes) {
    const ips = node.ipAddresses ?? ["127.0.0.1"];
    if (ips.length === 0) continue;
    const roles = declaredRoles(node);
    const entry = skimmedNodeJson(node, set).entry as
      | { hostname: string | null; ws_port: number; wss_port: number | null }
      | null;
    nodeDetails.set(node.nodeId, {
      nodeId: node.nodeId,
      mixHost: ips[0].includes(":") ? `[${ips[0]}]:${node.mixPort}` : `${ips[0]}:${node.mixPort}`,
      entry: entry === null ? null : {
        ip_addresses: [...ips],
        clients_ws_port: entry.ws_port,
        hostname: entry.hostname,
        clients_wss_port: entry.wss_port,
      },
      identityKey: toBase58(node.identityKey),
      sphinxKey: toBase58(node.sphinxKey),
      supportedRoles: {
        mixnode: roles.mixnode,
        mixnet_entry: roles.entry,
        mixnet_exit: roles.exitNr && roles.exitIpr,
      },
    });
  }
  return {
    metadata: {
      key_rotation_id: clock.rotationId,
      absolute_epoch_id: clock.currentAbsoluteEpochId,
      refreshed_at: formatRfc3339(data.refreshedAt ?? new Date()),
    },
    rewardedSet: {
      epoch_id: set.epochId,
      entry_gateways: [...set.entryGateways],
      exit_gateways: [...set.exitGateways],
      layer1: [...set.layer1],
      layer2: [...set.layer2],
      layer3: [...set.layer3],
      standby: [...(set.standby ?? [])],
    },
    nodeDetails,
  };
}
