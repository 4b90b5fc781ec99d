/**
 * The network topology as a Nym client sees it: decoding nym-api (directory) responses, a
 * nym-api client with paging and failover, periodic refresh, route choice and gateway choice.
 * Web-standard APIs only (`fetch`, `AbortSignal`, timers), all injectable.
 *
 * @example Fetch a topology and pick a route to a gateway
 * ```ts ignore
 * import { NymApiClient, randomRoute, routeHops } from "@nym/mixnet/topology";
 * const client = new NymApiClient({ urls: ["https://validator.nymtech.net/api/"] });
 * const topology = await client.fetchTopology();
 * const gatewayIdentity = [...topology.nodes.values()].find((n) => n.entry)!.identityKey;
 * const route = randomRoute(topology, gatewayIdentity, (n) => crypto.getRandomValues(new Uint8Array(n)));
 * const hops = routeHops(route); // for buildPacket({ route: hops, ... })
 * ```
 *
 * @module
 */
export { TopologyError, type TopologyErrorKind } from "./topology_error.ts";
export {
  type BasicEntryInformation,
  type DeclaredRoles,
  decodeSkimmedNode,
  type NodeRole,
  type SkimmedNode,
} from "./skimmed_node.ts";
export {
  decodeNodesMetadata,
  decodeNodesPage,
  type EpochInterval,
  type NodesPage,
  type NodesResponseMetadata,
  type Pagination,
  sameNodesMetadata,
  type SerdeDuration,
  type TopologyRequestStatus,
} from "./nodes_page.ts";
export { decodeRewardedSet, type RewardedSet } from "./rewarded_set.ts";
export { decodeKeyRotationInfo, type KeyRotationInfo } from "./key_rotation_info.ts";
export {
  type EntryDetails,
  type RoutingNode,
  type SupportedRoles,
  toRoutingNode,
} from "./routing_node.ts";
export {
  buildTopology,
  type BuildTopologyInput,
  findNodeByIdentity,
  isMinimallyRoutable,
  type Topology,
  type TopologyMetadata,
} from "./topology.ts";
export { egressByIdentity, randomRoute, type RandomRouteOptions } from "./random_route.ts";
export { nodeSphinxAddress, routeHops } from "./route_hops.ts";
export { type WsEntryUrlOptions, type WsEntryUrls, wsEntryUrls } from "./ws_entry_url.ts";
export {
  chooseGatewayByLatency,
  chooseGatewayUniform,
  type GatewayCandidateOptions,
  gatewayCandidates,
  type GatewayWithLatency,
  type LatencySelectionOptions,
} from "./gateway_selection.ts";
export {
  type FetchLike,
  type NodesWithMetadata,
  NYM_API_PATHS,
  NymApiClient,
  type NymApiClientOptions,
  type RequestOptions,
} from "./nym_api_client.ts";
export { fetchTopology, type FetchTopologyOptions } from "./fetch_topology.ts";
export {
  TopologyRefresher,
  type TopologyRefresherOptions,
  type TopologyRefreshEvent,
  type TopologySource,
} from "./topology_refresher.ts";
export type { Clock, TimerHandle } from "../internal/clock.ts";
export type { RandomBytes } from "../internal/random.ts";
export type { RouteHop } from "../sphinx/header.ts";
