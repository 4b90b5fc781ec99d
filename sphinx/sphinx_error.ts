/**
 * The one error type of the Sphinx layer.
 *
 * @module
 */

/**
 * What went wrong with a packet:
 * - `length`: wrong total, header, payload or key-material length; a route of 0 or more than 5 hops
 * - `mac`: the header integrity tag γ does not verify
 * - `flag`: the routing flag is neither forward (1) nor final (2)
 * - `version`: a malformed version field, or a version that cannot be built
 * - `padding`: the recovered payload has no zero prefix or no end marker
 * - `key`: a key or α is not a usable curve point
 * - `replay`: the caller's replay check reported this packet as seen before
 * - `address`: a node routing address cannot be parsed
 */
export type SphinxErrorKind =
  | "length"
  | "mac"
  | "flag"
  | "version"
  | "padding"
  | "key"
  | "replay"
  | "address";

/**
 * Thrown by every Sphinx function on bad input. Nothing else is thrown for bytes that come
 * from the network.
 *
 * @example
 * ```ts
 * import { processPacket, SphinxError } from "@nym/mixnet/sphinx";
 * try {
 *   processPacket(new Uint8Array(10), new Uint8Array(32));
 * } catch (error) {
 *   if (error instanceof SphinxError) console.log(error.kind); // "length"
 * }
 * ```
 */
export class SphinxError extends Error {
  /** The category of the failure. */
  readonly kind: SphinxErrorKind;

  /** Builds an error of `kind` with a human-readable reason. */
  constructor(kind: SphinxErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SphinxError";
    this.kind = kind;
  }
}
