/**
 * What the packet builder needs from the topology: a fresh route per packet.
 *
 * @module
 */
import type { RouteHop } from "../sphinx/mod.ts";

/** Produces routes over the current topology. */
export interface RouteSource {
  /**
   * A new route `[layer 1, layer 2, layer 3, egress]` whose last hop is the gateway with the
   * given ed25519 identity. Throws if the topology cannot route there.
   */
  routeTo(gatewayIdentity: Uint8Array): RouteHop[];
  /** The key-rotation byte to put on the gateway's MixPacket: 0 unknown, 1 odd, 2 even. */
  keyRotation(): number;
  /**
   * The topology's key rotation id and epoch, so that reply SURBs of a purged rotation are
   * dropped; without it received SURBs never expire.
   */
  rotation?(): { readonly keyRotationId: number; readonly absoluteEpochId: number };
  /**
   * A value that changes whenever the routes may change (a new topology): route prefixes
   * prepared under another one are dropped. Without it the builder prepares none.
   */
  generation?(): unknown;
}
