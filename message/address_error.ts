/**
 * The error type of Nym addresses and sender tags.
 *
 * @module
 */

/**
 * What went wrong:
 * - `format`: the text is not `identity.encryptionKey@gateway` (exactly one `@`, one `.`)
 * - `encoding`: a part is not valid Bitcoin-alphabet base58
 * - `length`: a part or the whole byte form has the wrong length
 * - `point`: an ed25519 key (identity or gateway) is not a valid curve point
 */
export type AddressErrorKind = "format" | "encoding" | "length" | "point";

/** Which part of an address the error is about. */
export type AddressPart = "address" | "identity" | "encryptionKey" | "gateway" | "senderTag";

/**
 * Thrown when parsing or building a {@linkcode Recipient} or an
 * {@linkcode AnonymousSenderTag}.
 *
 * @example
 * ```ts
 * import { AddressError, Recipient } from "@nym/mixnet/message";
 * try {
 *   Recipient.parse("no-at-sign");
 * } catch (error) {
 *   if (error instanceof AddressError) console.log(error.kind, error.part); // "format" "address"
 * }
 * ```
 */
export class AddressError extends Error {
  /** The category of the failure. */
  readonly kind: AddressErrorKind;
  /** The part of the address that failed. */
  readonly part: AddressPart;

  /** Builds an error about `part` of `kind`. */
  constructor(kind: AddressErrorKind, part: AddressPart, message: string, options?: {
    cause?: unknown;
  }) {
    super(message, options);
    this.name = "AddressError";
    this.kind = kind;
    this.part = part;
  }
}
