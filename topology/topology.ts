/**
 * `Topology`: the client's view of the network: the rewarded set's role assignment plus details
 * of the nodes that survived filtering (`common/topology/src/lib.rs` `NymTopology`).
 *
 * @module
 */
import { constantTimeEqual } from "../internal/bytes.ts";
import type { KeyRotationInfo } from "./key_rotation_info.ts";
import type { RewardedSet } from "./rewarded_set.ts";
import type { RoutingNode } from "./routing_node.ts";

/** Where the node data came from (`NymTopologyMetadata`). */
export interface TopologyMetadata {
  /** The key rotation the Sphinx keys belong to (the listing's `rotation_id`). */
  readonly keyRotationId: number;
  /** The listing's `absolute_epoch_id`. */
  readonly absoluteEpochId: number;
  /** The listing's `refreshed_at`. */
  readonly refreshedAt: Date;
}

/** A network topology. */
export interface Topology {
  /** Listing metadata. */
  readonly metadata: TopologyMetadata;
  /** The rewarded set's `epoch_id`. */
  readonly epochId: number;
  /** Rewarded-set ids of mix layers 1, 2 and 3 (duplicates removed). */
  readonly layers: readonly [readonly number[], readonly number[], readonly number[]];
  /** Rewarded-set ids of entry gateways. */
  readonly entryGateways: readonly number[];
  /** Rewarded-set ids of exit gateways. */
  readonly exitGateways: readonly number[];
  /** Rewarded-set ids on standby. */
  readonly standby: readonly number[];
  /** Details of the usable nodes, by node id. Rewarded ids without details are not routable. */
  readonly nodes: ReadonlyMap<number, RoutingNode>;
  /** Key-rotation info fetched with the topology, if it was fetched. */
  readonly keyRotation?: KeyRotationInfo;
}

/** Input of {@linkcode buildTopology}. */
export interface BuildTopologyInput {
  /** Listing metadata. */
  metadata: TopologyMetadata;
  /** The rewarded set. */
  rewardedSet: RewardedSet;
  /** Node details; a later node with the same id replaces an earlier one. */
  nodes: Iterable<RoutingNode>;
  /** Key-rotation info to keep with the topology. */
  keyRotation?: KeyRotationInfo;
}

const unique = (ids: readonly number[]): number[] => [...new Set(ids)];

/**
 * Assembles a {@linkcode Topology} (rewarded-set id lists become sets, as in Nym).
 *
 * @example
 * ```ts
 * import { buildTopology } from "./mod.ts";
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 4, absoluteEpochId: 100, refreshedAt: new Date() },
 *   rewardedSet: { epochId: 100, entryGateways: [4], exitGateways: [4], layer1: [1, 1], layer2: [2], layer3: [3], standby: [] },
 *   nodes: [],
 * });
 * console.log(topology.layers[0], topology.nodes.size); // [ 1 ] 0
 * ```
 */
export function buildTopology(input: BuildTopologyInput): Topology {
  const set = input.rewardedSet;
  const nodes = new Map<number, RoutingNode>();
  for (const node of input.nodes) nodes.set(node.nodeId, node);
  const topology: Topology = {
    metadata: { ...input.metadata },
    epochId: set.epochId,
    layers: [unique(set.layer1), unique(set.layer2), unique(set.layer3)],
    entryGateways: unique(set.entryGateways),
    exitGateways: unique(set.exitGateways),
    standby: unique(set.standby),
    nodes,
  };
  return input.keyRotation ? { ...topology, keyRotation: input.keyRotation } : topology;
}

/**
 * Nym's `is_minimally_routable`: each mix layer has at least one node with details, and the
 * rewarded set lists at least one entry or exit gateway.
 *
 * @example
 * ```ts
 * import { buildTopology, isMinimallyRoutable } from "./mod.ts";
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 0, absoluteEpochId: 0, refreshedAt: new Date(0) },
 *   rewardedSet: { epochId: 0, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [], standby: [] },
 *   nodes: [],
 * });
 * console.log(isMinimallyRoutable(topology)); // false
 * ```
 */
export function isMinimallyRoutable(topology: Topology): boolean {
  const hasDetails = (ids: readonly number[]) => ids.some((id) => topology.nodes.has(id));
  return topology.layers.every(hasDetails) &&
    (topology.entryGateways.length > 0 || topology.exitGateways.length > 0);
}

/**
 * The node with the given ed25519 identity, among all nodes of the topology.
 *
 * @example
 * ```ts
 * import { buildTopology, findNodeByIdentity } from "./mod.ts";
 * const identityKey = new Uint8Array(32).fill(7);
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 0, absoluteEpochId: 0, refreshedAt: new Date(0) },
 *   rewardedSet: { epochId: 0, entryGateways: [9], exitGateways: [], layer1: [], layer2: [], layer3: [], standby: [] },
 *   nodes: [{
 *     nodeId: 9, identityKey, sphinxKey: new Uint8Array(32), mixHost: "127.0.0.1:1789",
 *     supportedRoles: { mixnode: false, mixnetEntry: true, mixnetExit: true }, performance: 100,
 *   }],
 * });
 * console.log(findNodeByIdentity(topology, identityKey)?.nodeId); // 9
 * ```
 */
export function findNodeByIdentity(
  topology: Topology,
  identityKey: Uint8Array,
): RoutingNode | undefined {
  for (const node of topology.nodes.values()) {
    if (constantTimeEqual(node.identityKey, identityKey)) return node;
  }
  return undefined;
}
