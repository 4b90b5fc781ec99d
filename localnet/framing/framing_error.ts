/**
 * The one error type of the node-to-node framing codec.
 *
 * @module
 */

/**
 * What was wrong with a frame:
 * - `version`: the packet version byte is below 7 (invalid) or above 8 (unsupported);
 * - `size-tag`: the packet size byte is not one of Nym's tags 1 to 7;
 * - `packet-type`: the packet type byte is neither 0 (Mix) nor 2 (Outfox);
 * - `key-rotation`: the key rotation byte of a version 8 header is not 0, 1 or 2;
 * - `length`: a packet does not have the length its size implies, or a stream ended mid-frame.
 */
export type FramingErrorKind =
  | "version"
  | "size-tag"
  | "packet-type"
  | "key-rotation"
  | "length";

/**
 * Thrown by {@linkcode encodeFrame} on bad arguments and by `FrameDecoder` on a malformed
 * stream. After a decoder throws, the stream is corrupt and the connection should be closed.
 *
 * @example
 * ```ts
 * import { FrameDecoder, FramingError } from "./mod.ts";
 * const decoder = new FrameDecoder();
 * decoder.push(Uint8Array.of(3, 1, 0));
 * try {
 *   decoder.next();
 * } catch (error) {
 *   if (error instanceof FramingError) console.log(error.kind); // "version"
 * }
 * ```
 */
export class FramingError extends Error {
  /** The category of the failure. */
  readonly kind: FramingErrorKind;

  /** Builds an error of `kind` with a human-readable reason. */
  constructor(kind: FramingErrorKind, message: string) {
    super(message);
    this.name = "FramingError";
    this.kind = kind;
  }
}
