/**
 * The typed error of the client-side WebSocket frame parser and handshake.
 *
 * @module
 */

/** What went wrong, with the RFC 6455 close code the client answers it with. */
export type WebSocketFrameErrorKind =
  /** A frame breaks RFC 6455 (masked server frame, RSV bits, bad opcode, bad control frame). */
  | "protocol"
  /** A text message or close reason that is not UTF-8. */
  | "invalid-utf8"
  /** A frame or message over the client's size limit. */
  | "too-big"
  /** The HTTP upgrade was refused or malformed. */
  | "handshake";

const CLOSE_CODES: Record<WebSocketFrameErrorKind, number> = {
  protocol: 1002,
  "invalid-utf8": 1007,
  "too-big": 1009,
  handshake: 1002,
};

/**
 * Raised (and turned into a Close frame) when bytes from a WebSocket server are malformed.
 *
 * @example
 * ```ts
 * import { WebSocketFrameError } from "@nym/mixnet/websocket";
 * const error = new WebSocketFrameError("too-big", "message over 16 MiB");
 * console.log(error.kind, error.closeCode); // "too-big" 1009
 * ```
 */
export class WebSocketFrameError extends Error {
  /** The kind of failure. */
  readonly kind: WebSocketFrameErrorKind;
  /** The close code sent to the server for it (1002, 1007 or 1009). */
  readonly closeCode: number;

  /** Builds an error of `kind` with a human-readable message. */
  constructor(kind: WebSocketFrameErrorKind, message: string) {
    super(message);
    this.name = "WebSocketFrameError";
    this.kind = kind;
    this.closeCode = CLOSE_CODES[kind];
  }
}
