/**
 * From routing nodes to Sphinx route hops: each node's `NymNodeRoutingAddress` (its mix socket
 * address, zero-padded to 32 bytes) and its Sphinx key.
 *
 * @module
 */
import type { RouteHop } from "../sphinx/header.ts";
import { encodeNodeAddress, padNodeAddress } from "../sphinx/node_address.ts";
import { SphinxError } from "../sphinx/sphinx_error.ts";
import type { RoutingNode } from "./routing_node.ts";
import { TopologyError } from "./topology_error.ts";

/** Byte length of a node address inside a Sphinx header. */
const HEADER_ADDRESS_LENGTH = 32;

/**
 * A node's Sphinx address: `encodeNodeAddress(mixHost)` zero-padded to 32 bytes. Throws
 * {@linkcode TopologyError} of kind `address` if `mixHost` is not an `ip:port` address.
 *
 * @example
 * ```ts
 * import { nodeSphinxAddress } from "./mod.ts";
 * const address = nodeSphinxAddress({ mixHost: "127.0.0.1:1789" });
 * console.log(address.length, address.subarray(0, 7)); // 32 Uint8Array(7) [ 4, 6, 253, 127, 0, 0, 1 ]
 * ```
 */
export function nodeSphinxAddress(node: Pick<RoutingNode, "mixHost">): Uint8Array {
  try {
    return padNodeAddress(encodeNodeAddress(node.mixHost), HEADER_ADDRESS_LENGTH);
  } catch (cause) {
    if (!(cause instanceof SphinxError)) throw cause;
    throw new TopologyError("address", `mixHost "${node.mixHost}" is not an ip:port address`, {
      cause,
    });
  }
}

/**
 * The Sphinx hops (`address`, `publicKey`) of a route, for `buildPacket` / `createSurb`.
 *
 * @example
 * ```ts
 * import { routeHops } from "./mod.ts";
 * const hops = routeHops([{ mixHost: "10.0.0.1:1789", sphinxKey: new Uint8Array(32).fill(1) }]);
 * console.log(hops[0].address.length, hops[0].publicKey[0]); // 32 1
 * ```
 */
export function routeHops(
  route: readonly Pick<RoutingNode, "mixHost" | "sphinxKey">[],
): RouteHop[] {
  return route.map((node) => ({ address: nodeSphinxAddress(node), publicKey: node.sphinxKey }));
}
