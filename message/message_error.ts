/**
 * The error type of the message layer (everything but addresses).
 *
 * @module
 */

/**
 * What went wrong:
 * - `empty`: no bytes where a message was expected (or an empty reply, which Nym rejects)
 * - `type`: an unknown `NymMessage` type byte
 * - `tag`: an unknown repliable or reply content tag
 * - `truncated`: fewer bytes than a field or a declared count needs
 * - `length`: a field or a whole payload has a length Nym does not accept
 * - `padding`: no `0x01` padding marker in a reassembled message
 * - `key-rotation`: a SURB block's key-rotation byte is not 0, 1 or 2
 * - `surb`: a reply SURB is malformed (bad length, layout or first-hop address)
 * - `recipient`: the recipient inside a SURB request is not a valid address
 * - `header`: a fragment header is malformed or contradicts itself
 * - `payload`: a fragment payload does not have the length its position requires
 * - `key`: a key is unusable (wrong length or a low-order x25519 point)
 * - `inconsistent`: a fragment contradicts what is already buffered for its set
 * - `limit`: the reassembler's memory cap would be exceeded
 */
export type MessageErrorKind =
  | "empty"
  | "type"
  | "tag"
  | "truncated"
  | "length"
  | "padding"
  | "key-rotation"
  | "surb"
  | "recipient"
  | "header"
  | "payload"
  | "key"
  | "inconsistent"
  | "limit";

/**
 * Thrown by every function of the message layer on bad input; parsers of network bytes throw
 * nothing else.
 *
 * @example
 * ```ts
 * import { decodeNymMessage, MessageError } from "@nym/mixnet/message";
 * try {
 *   decodeNymMessage(Uint8Array.of(7));
 * } catch (error) {
 *   if (error instanceof MessageError) console.log(error.kind); // "type"
 * }
 * ```
 */
export class MessageError extends Error {
  /** The category of the failure. */
  readonly kind: MessageErrorKind;

  /** Builds an error of `kind` with a human-readable reason and an optional cause. */
  constructor(kind: MessageErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MessageError";
    this.kind = kind;
  }
}
