/**
 * Typed errors of the exit module: malformed protocol bytes, refused or failed connections,
 * and `mixFetch` failures.
 *
 * @module
 */

/** Why exit protocol bytes could not be decoded (names follow Nym's error variants). */
export type ExitProtocolErrorKind =
  | "noData"
  | "unsupportedVersion"
  | "unknownRequestTag"
  | "unknownResponseTag"
  | "unknownControlTag"
  | "unknownRequestFlag"
  | "unknownResponseFlag"
  | "connectionIdTooShort"
  | "addressLengthTooShort"
  | "addressTooShort"
  | "returnAddressTooShort"
  | "malformedReturnAddress"
  | "insufficientSocketData"
  | "malformedErrorMessage"
  | "malformedQuery"
  | "malformedJson";

/**
 * Bytes that are not a valid exit protocol message. Decoders throw only this.
 *
 * @example
 * ```ts
 * import { decodeRequest, ExitProtocolError } from "@nym/mixnet/exit";
 * try {
 *   decodeRequest(new Uint8Array());
 * } catch (error) {
 *   console.log(error instanceof ExitProtocolError && error.kind); // "noData"
 * }
 * ```
 */
export class ExitProtocolError extends Error {
  /** What was wrong. */
  readonly kind: ExitProtocolErrorKind;

  /** Creates the error. */
  constructor(kind: ExitProtocolErrorKind, message: string) {
    super(message);
    this.name = "ExitProtocolError";
    this.kind = kind;
  }
}

/** How a connection through an exit failed. */
export type ExitConnectionErrorKind =
  | "refused" // the requester answered ConnectionError (exit policy, resolution)
  | "unreachable" // the requester could not open the TCP connection
  | "timeout" // nothing from the requester for too long
  | "tooMuchData" // the peer overran the reorder buffer
  | "delivery" // our messages could not be delivered through the mixnet
  | "aborted" // the application aborted the stream
  | "closed"; // the client disconnected

/**
 * A connection through the mixnet exit failed.
 *
 * @example
 * ```ts
 * import { ExitConnectionError } from "@nym/mixnet/exit";
 * const error = new ExitConnectionError("refused", 'Domain "10.0.0.1:80" failed filter check');
 * console.log(error.kind); // "refused"
 * ```
 */
export class ExitConnectionError extends Error {
  /** What happened. */
  readonly kind: ExitConnectionErrorKind;

  /** Creates the error. */
  constructor(kind: ExitConnectionErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ExitConnectionError";
    this.kind = kind;
  }
}

/** Why `mixFetch` failed before or while reading the response head. */
export type MixFetchErrorKind =
  | "unsupportedScheme"
  | "tlsUnavailable"
  | "malformedResponse"
  | "tooManyRedirects"
  | "aborted";

/**
 * A `mixFetch` failure (a `TypeError`, like `fetch`'s network errors).
 *
 * @example
 * ```ts
 * import { MixFetchError } from "@nym/mixnet/exit";
 * const error = new MixFetchError("unsupportedScheme", "ftp: is not supported");
 * console.log(error instanceof TypeError, error.kind); // true "unsupportedScheme"
 * ```
 */
export class MixFetchError extends TypeError {
  /** What happened. */
  readonly kind: MixFetchErrorKind;

  /** Creates the error. */
  constructor(kind: MixFetchErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MixFetchError";
    this.kind = kind;
  }
}
