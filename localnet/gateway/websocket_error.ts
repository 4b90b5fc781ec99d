/**
 * The error type of the localnet gateway's RFC 6455 server.
 *
 * @module
 */

/**
 * What went wrong:
 * - `handshake`: the HTTP upgrade request is not a valid WebSocket handshake
 * - `protocol`: a frame breaks RFC 6455 (close code 1002)
 * - `too-large`: a frame or message exceeds the configured limit (close code 1009)
 * - `invalid-utf8`: a text message or close reason is not UTF-8 (close code 1007)
 * - `timeout`: the peer did not complete a step in time
 * - `closed`: the connection is closed
 */
export type WebSocketErrorKind =
  | "handshake"
  | "protocol"
  | "too-large"
  | "invalid-utf8"
  | "timeout"
  | "closed";

const CLOSE_CODES: Record<WebSocketErrorKind, number> = {
  handshake: 1002,
  protocol: 1002,
  "too-large": 1009,
  "invalid-utf8": 1007,
  timeout: 1008,
  closed: 1006,
};

/**
 * Thrown (or recorded as the close reason) by `ServerWebSocket`.
 *
 * @example
 * ```ts
 * import { WebSocketError } from "./mod.ts";
 * const error = new WebSocketError("too-large", "frame of 2 MiB");
 * console.log(error.kind, error.closeCode); // "too-large" 1009
 * ```
 */
export class WebSocketError extends Error {
  /** The category of the failure. */
  readonly kind: WebSocketErrorKind;
  /** The close code RFC 6455 prescribes for this failure. */
  readonly closeCode: number;

  /** Builds an error of `kind` with a human-readable reason. */
  constructor(kind: WebSocketErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WebSocketError";
    this.kind = kind;
    this.closeCode = CLOSE_CODES[kind];
  }
}
