/**
 * Route choice (`common/topology/src/lib.rs` `random_route_to_egress`): one node drawn uniformly
 * from each mix layer, then the egress gateway. No performance weighting.
 *
 * @module
 */
import { type RandomBytes, randomIndex } from "../internal/random.ts";
import { toBase58 } from "../internal/encoding.ts";
import type { RoutingNode } from "./routing_node.ts";
import { findNodeByIdentity, type Topology } from "./topology.ts";
import { TopologyError } from "./topology_error.ts";

/** Options of {@linkcode randomRoute}. */
export interface RandomRouteOptions {
  /**
   * Accept an egress that is a mixnode this epoch (Nym's `ignore_egress_epoch_role`, default
   * `true`). When `false`, such an egress throws `invalid-egress`.
   */
  ignoreEgressEpochRole?: boolean;
}

/**
 * The egress node for `identityKey`, checked as Nym's `egress_by_identity` does.
 *
 * @example
 * ```ts
 * import { buildTopology, egressByIdentity, TopologyError } from "./mod.ts";
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 0, absoluteEpochId: 0, refreshedAt: new Date(0) },
 *   rewardedSet: { epochId: 0, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [], standby: [] },
 *   nodes: [],
 * });
 * try {
 *   egressByIdentity(topology, new Uint8Array(32));
 * } catch (error) {
 *   console.log((error as TopologyError).kind); // "unknown-node"
 * }
 * ```
 */
export function egressByIdentity(
  topology: Topology,
  identityKey: Uint8Array,
  options: RandomRouteOptions = {},
): RoutingNode {
  const node = findNodeByIdentity(topology, identityKey);
  if (!node) {
    throw new TopologyError(
      "unknown-node",
      `node ${toBase58(identityKey)} is not in the topology`,
    );
  }
  if (
    options.ignoreEgressEpochRole === false &&
    topology.layers.some((layer) => layer.includes(node.nodeId))
  ) {
    throw new TopologyError(
      "invalid-egress",
      `node ${node.nodeId} is a mixnode this epoch and cannot be the egress`,
    );
  }
  return node;
}

/**
 * A fresh route `[layer 1, layer 2, layer 3, egress]`. Each mix hop is uniform over the layer's
 * rewarded ids that have node details; the egress is looked up by identity among all nodes.
 * Throws {@linkcode TopologyError} of kind `unknown-node`, `invalid-egress`, `empty-topology` or
 * `no-mixnodes`.
 *
 * @example
 * ```ts
 * import { buildTopology, randomRoute } from "./mod.ts";
 * const node = (nodeId: number) => ({
 *   nodeId, identityKey: new Uint8Array(32).fill(nodeId), sphinxKey: new Uint8Array(32),
 *   mixHost: `127.0.0.1:${1788 + nodeId}`, performance: 100,
 *   supportedRoles: { mixnode: nodeId < 4, mixnetEntry: nodeId === 4, mixnetExit: nodeId === 4 },
 * });
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 0, absoluteEpochId: 0, refreshedAt: new Date(0) },
 *   rewardedSet: { epochId: 0, entryGateways: [4], exitGateways: [4], layer1: [1], layer2: [2], layer3: [3], standby: [] },
 *   nodes: [1, 2, 3, 4].map(node),
 * });
 * const route = randomRoute(topology, new Uint8Array(32).fill(4), (n) => crypto.getRandomValues(new Uint8Array(n)));
 * console.log(route.map((n) => n.nodeId)); // [ 1, 2, 3, 4 ]
 * ```
 */
export function randomRoute(
  topology: Topology,
  egressIdentity: Uint8Array,
  random: RandomBytes,
  options: RandomRouteOptions = {},
): RoutingNode[] {
  const egress = egressByIdentity(topology, egressIdentity, options);
  const rewardedEmpty = topology.layers.every((l) => l.length === 0) &&
    topology.entryGateways.length === 0 && topology.exitGateways.length === 0 &&
    topology.standby.length === 0;
  if (rewardedEmpty || topology.nodes.size === 0) {
    throw new TopologyError("empty-topology", "the topology has no rewarded set or no nodes");
  }
  const route: RoutingNode[] = topology.layers.map((ids, i) => {
    const candidates = ids.filter((id) => topology.nodes.has(id));
    if (candidates.length === 0) {
      throw new TopologyError("no-mixnodes", `mix layer ${i + 1} has no node with details`);
    }
    return topology.nodes.get(candidates[randomIndex(candidates.length, random)])!;
  });
  route.push(egress);
  return route;
}
