/**
 * WebSocket adapters. In Deno, {@linkcode defaultWebSocket} is {@linkcode DenoWebSocket}: RFC
 * 6455 over a TCP socket with Nagle's algorithm off, so that a packet sent on an idle gateway
 * connection leaves at once instead of waiting ~40 ms for a delayed ACK, as it does with Deno's
 * built-in `WebSocket`. Everywhere else (browsers, Bun, Node, edge runtimes, whose WebSockets
 * already disable Nagle) it is `globalThis.WebSocket`. `connect()` uses it unless a `WebSocket`
 * is passed.
 *
 * @example
 * ```ts
 * import { defaultWebSocket, DenoWebSocket } from "@nym/mixnet/websocket";
 * console.log(defaultWebSocket() === DenoWebSocket); // true in Deno
 * ```
 *
 * @module
 */
import { denoNet, DenoWebSocket } from "./deno_websocket.ts";

export {
  DEFAULT_MAX_MESSAGE_BYTES,
  type DenoConnLike,
  denoNet,
  type DenoNetApi,
  type DenoTcpConnLike,
  DenoWebSocket,
  denoWebSocket,
  type DenoWebSocketOptions,
  type WebSocketHandler,
} from "./deno_websocket.ts";
export { WebSocketFrameError, type WebSocketFrameErrorKind } from "./websocket_frame_error.ts";

/**
 * The WebSocket constructor `connect()` uses by default: {@linkcode DenoWebSocket} in Deno,
 * `globalThis.WebSocket` elsewhere (undefined where there is none).
 *
 * @example
 * ```ts
 * import { defaultWebSocket } from "@nym/mixnet/websocket";
 * const WebSocket = defaultWebSocket();
 * console.log(WebSocket?.name); // "DenoWebSocket" in Deno, "WebSocket" in browsers
 * ```
 */
export function defaultWebSocket(): (new (url: string) => WebSocket | DenoWebSocket) | undefined {
  if (denoNet()) return DenoWebSocket;
  return (globalThis as { WebSocket?: new (url: string) => WebSocket }).WebSocket;
}
