/**
 * `RoutingNode`: what a client keeps of a node to build Sphinx routes and reach gateways
 * (`common/topology/src/node.rs`).
 *
 * @module
 */
import { socketAddress } from "./_ip.ts";
import type { SkimmedNode } from "./skimmed_node.ts";

/** Roles a node supports, as Nym's topology keeps them. */
export interface SupportedRoles {
  /** Declared `mixnode`. */
  readonly mixnode: boolean;
  /** Declared `entry`. */
  readonly mixnetEntry: boolean;
  /** Declared `exit_nr` **and** `exit_ipr`. */
  readonly mixnetExit: boolean;
}

/** Client-facing WebSocket details of an entry-capable node. */
export interface EntryDetails {
  /** The node's IP addresses (fallback hosts for the WebSocket URL). */
  readonly ipAddresses: readonly string[];
  /** A DNS name, if the node has one. */
  readonly hostname: string | null;
  /** Plain WebSocket port. */
  readonly wsPort: number;
  /** TLS WebSocket port, if offered. */
  readonly wssPort: number | null;
}

/** A node as the client routes through it. */
export interface RoutingNode {
  /** Node id (u32). */
  readonly nodeId: number;
  /** Ed25519 identity public key, 32 bytes. */
  readonly identityKey: Uint8Array;
  /** X25519 Sphinx public key of the current key rotation, 32 bytes. */
  readonly sphinxKey: Uint8Array;
  /** Mix socket address: `ip:port`, or `[ipv6]:port`; the first listed IP is used. */
  readonly mixHost: string;
  /** WebSocket details; absent for nodes that do not serve clients. */
  readonly entry?: EntryDetails;
  /** Declared roles. */
  readonly supportedRoles: SupportedRoles;
  /** Performance as a whole percentage, 0..100 (truncated, as Nym's `round_to_integer`). */
  readonly performance: number;
}

/**
 * Converts a decoded `SkimmedNodeV1` into a {@linkcode RoutingNode}, or `undefined` when the node
 * lists no IP address (Nym skips such nodes).
 *
 * @example
 * ```ts
 * import { toRoutingNode } from "./mod.ts";
 * const node = toRoutingNode({
 *   nodeId: 4, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32),
 *   ipAddresses: ["127.0.0.1"], mixPort: 1790, role: { kind: "entry-gateway" },
 *   supportedRoles: { mixnode: false, entry: true, exitNr: true, exitIpr: true },
 *   entry: { hostname: null, wsPort: 9000, wssPort: null },
 *   performance: "1", performancePercent: 100,
 * });
 * console.log(node?.mixHost, node?.entry?.wsPort); // 127.0.0.1:1790 9000
 * ```
 */
export function toRoutingNode(node: SkimmedNode): RoutingNode | undefined {
  const first = node.ipAddresses[0];
  if (first === undefined) return undefined;
  const routing: RoutingNode = {
    nodeId: node.nodeId,
    identityKey: node.identityKey,
    sphinxKey: node.sphinxKey,
    mixHost: socketAddress(first, node.mixPort),
    supportedRoles: {
      mixnode: node.supportedRoles.mixnode,
      mixnetEntry: node.supportedRoles.entry,
      mixnetExit: node.supportedRoles.exitNr && node.supportedRoles.exitIpr,
    },
    performance: node.performancePercent,
  };
  if (node.entry === null) return routing;
  return {
    ...routing,
    entry: {
      ipAddresses: [...node.ipAddresses],
      hostname: node.entry.hostname,
      wsPort: node.entry.wsPort,
      wssPort: node.entry.wssPort,
    },
  };
}
