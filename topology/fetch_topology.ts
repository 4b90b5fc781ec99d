/**
 * One topology refresh as Nym's `NymApiTopologyProvider` does it: the rewarded set and the node
 * listings in parallel, a metadata consistency check, the performance filter and the
 * "minimally routable" check (`client-core/src/client/topology_control/nym_api_provider.rs`).
 *
 * @module
 */
import type { KeyRotationInfo } from "./key_rotation_info.ts";
import type { NodesWithMetadata, NymApiClient } from "./nym_api_client.ts";
import { sameNodesMetadata } from "./nodes_page.ts";
import type { RewardedSet } from "./rewarded_set.ts";
import { type RoutingNode, toRoutingNode } from "./routing_node.ts";
import type { SkimmedNode } from "./skimmed_node.ts";
import { buildTopology, isMinimallyRoutable, type Topology } from "./topology.ts";
import { TopologyError } from "./topology_error.ts";

/** Options of {@linkcode fetchTopology}. */
export interface FetchTopologyOptions {
  /** Minimum whole-percent performance of mixnodes (default 50). */
  minMixnodePerformance?: number;
  /** Minimum whole-percent performance of gateways (default 50). */
  minGatewayPerformance?: number;
  /**
   * Read every bonded node from `/v2/unstable/nym-nodes/skimmed` instead of the active
   * mixnodes and the entry gateways (Nym's `use_extended_topology`; default `false`). The
   * filter then uses the lower of the two minimums.
   */
  extended?: boolean;
  /** Also fetch `/v1/epoch/key-rotation-info` and keep it on the topology (default `true`). */
  includeKeyRotation?: boolean;
  /** Aborts every request of this refresh. */
  signal?: AbortSignal;
}

/**
 * Fetches a topology in parallel requests: rewarded set, active mixnodes and entry gateways
 * (or all nodes when `extended`), plus key-rotation info. Mixnode and gateway listings must
 * carry the same metadata (`metadata-mismatch`). Nodes below the performance minimum or without
 * an IP address are dropped; a result that is not minimally routable throws `not-routable`.
 * Any request failure rejects with that {@linkcode TopologyError} (the others are aborted).
 *
 * @example
 * ```ts
 * import { fetchTopology, NymApiClient, TopologyError } from "./mod.ts";
 * const client = new NymApiClient({
 *   urls: "http://127.0.0.1:1/",
 *   fetch: () => Promise.resolve(new Response("not found", { status: 404 })),
 * });
 * try {
 *   await fetchTopology(client);
 * } catch (error) {
 *   console.log((error as TopologyError).kind); // "http"
 * }
 * ```
 */
export async function fetchTopology(
  client: NymApiClient,
  options: FetchTopologyOptions = {},
): Promise<Topology> {
  const minMix = options.minMixnodePerformance ?? 50;
  const minGateway = options.minGatewayPerformance ?? 50;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const request = { signal: controller.signal };
  let firstError: unknown;
  const track = <T>(promise: Promise<T>): Promise<T> =>
    promise.catch((error) => {
      if (firstError === undefined) firstError = error;
      controller.abort();
      throw error;
    });

  const rewardedSetTask = track(client.getRewardedSet(request));
  const keyRotationTask = options.includeKeyRotation === false
    ? Promise.resolve(undefined)
    : track(client.getKeyRotationInfo(request));
  const listingTasks = options.extended
    ? [track(client.getAllNodes(request))]
    : [track(client.getActiveMixnodes(request)), track(client.getEntryGateways(request))];

  let rewardedSet: RewardedSet;
  let keyRotation: KeyRotationInfo | undefined;
  let listings: NodesWithMetadata[];
  try {
    const settled = await Promise.allSettled([rewardedSetTask, keyRotationTask, ...listingTasks]);
    if (settled.some((s) => s.status === "rejected")) throw firstError;
    const values = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
    rewardedSet = values[0] as RewardedSet;
    keyRotation = values[1] as KeyRotationInfo | undefined;
    listings = values.slice(2) as NodesWithMetadata[];
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }

  const metadata = listings[0].metadata;
  let candidates: { node: SkimmedNode; min: number }[];
  if (options.extended) {
    const min = Math.min(minMix, minGateway);
    candidates = listings[0].nodes.map((node) => ({ node, min }));
  } else {
    if (!sameNodesMetadata(metadata, listings[1].metadata)) {
      throw new TopologyError(
        "metadata-mismatch",
        "the mixnode and gateway listings have different metadata",
      );
    }
    candidates = [
      ...listings[0].nodes.map((node) => ({ node, min: minMix })),
      ...listings[1].nodes.map((node) => ({ node, min: minGateway })),
    ];
  }
  const nodes: RoutingNode[] = [];
  for (const { node, min } of candidates) {
    if (node.performancePercent < min) continue;
    const routing = toRoutingNode(node);
    if (routing) nodes.push(routing);
  }

  const topology = buildTopology({
    metadata: {
      keyRotationId: metadata.rotationId,
      absoluteEpochId: metadata.absoluteEpochId,
      refreshedAt: metadata.refreshedAt,
    },
    rewardedSet,
    nodes,
    keyRotation,
  });
  if (!isMinimallyRoutable(topology)) {
    throw new TopologyError(
      "not-routable",
      "the filtered topology lacks a node in some mix layer or has no gateway",
    );
  }
  return topology;
}
