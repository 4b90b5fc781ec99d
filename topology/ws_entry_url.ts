/**
 * A gateway's client WebSocket URLs (`common/client-core/src/init/types.rs`
 * `SelectedGateway::from_topology_node`, `topology/src/node.rs`).
 *
 * @module
 */
import { urlHost } from "./_ip.ts";
import type { RoutingNode } from "./routing_node.ts";
import { TopologyError } from "./topology_error.ts";

/** Options of {@linkcode wsEntryUrls}. */
export interface WsEntryUrlOptions {
  /** Require `wss://hostname:wss_port` and offer no fallback (default `false`). */
  forceTls?: boolean;
  /** Try IPv6 addresses before IPv4 ones (default `false`, as Nym). */
  preferIpv6?: boolean;
  /** Skip the hostname and use IP addresses only (default `false`). */
  noHostname?: boolean;
}

/** A primary WebSocket URL and an optional fallback. */
export interface WsEntryUrls {
  /** The URL to try first. */
  readonly primary: string;
  /** The URL to try if the primary fails. */
  readonly fallback?: string;
}

/**
 * The URLs a client connects to. With `forceTls`: `wss://{hostname}:{wss_port}` (both must exist,
 * else `no-tls`). Otherwise plain `ws://` even when `wss` is offered: hostname first, then the
 * node's IPs, the first two becoming primary and fallback, all on `ws_port`. IPv6 addresses are
 * bracketed (Nym formats them bare, which no URL parser accepts). Throws
 * {@linkcode TopologyError} of kind `no-entry` for a node without entry details.
 *
 * @example
 * ```ts
 * import { wsEntryUrls } from "./mod.ts";
 * const urls = wsEntryUrls({
 *   nodeId: 4,
 *   entry: { ipAddresses: ["127.0.0.1"], hostname: "gw.local", wsPort: 9000, wssPort: 9443 },
 * });
 * console.log(urls.primary, urls.fallback); // ws://gw.local:9000 ws://127.0.0.1:9000
 * ```
 */
export function wsEntryUrls(
  node: Pick<RoutingNode, "nodeId" | "entry">,
  options: WsEntryUrlOptions = {},
): WsEntryUrls {
  const entry = node.entry;
  if (!entry) {
    throw new TopologyError("no-entry", `node ${node.nodeId} does not accept client connections`);
  }
  if (options.forceTls) {
    if (entry.hostname === null || entry.wssPort === null) {
      throw new TopologyError("no-tls", `node ${node.nodeId} offers no wss:// listener`);
    }
    return { primary: `wss://${urlHost(entry.hostname)}:${entry.wssPort}` };
  }
  const ips = options.preferIpv6
    ? [
      ...entry.ipAddresses.filter((ip) => ip.includes(":")),
      ...entry.ipAddresses.filter((ip) => !ip.includes(":")),
    ]
    : entry.ipAddresses;
  const hosts = [
    ...(options.noHostname || entry.hostname === null ? [] : [entry.hostname]),
    ...ips,
  ].slice(0, 2).map((host) => `ws://${urlHost(host)}:${entry.wsPort}`);
  if (hosts.length === 0) {
    throw new TopologyError("no-entry", `node ${node.nodeId} has no hostname and no IP address`);
  }
  return hosts.length === 1 ? { primary: hosts[0] } : { primary: hosts[0], fallback: hosts[1] };
}
