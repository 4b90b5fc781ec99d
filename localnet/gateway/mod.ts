/**
 * The localnet gateway's client-facing side: an RFC 6455 WebSocket server on `Deno.listen`
 * speaking Nym's client ↔ gateway protocol (version 6; older clients negotiate down to 4), with
 * persistent registrations, free bandwidth, forwarding and message delivery.
 *
 * @example
 * ```ts
 * import { startGatewayServer } from "./mod.ts";
 * const server = await startGatewayServer({
 *   identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   forward: () => {},
 * });
 * console.log(server.deliver(new Uint8Array(32), new Uint8Array(21))); // "refused" (never registered)
 * await server.close();
 * ```
 *
 * @module
 */
export {
  type DeliveryOutcome,
  FREE_TESTNET_BANDWIDTH_BYTES,
  type GatewayGeneration,
  type GatewayServer,
  type GatewayServerOptions,
  startGatewayServer,
} from "./gateway_server.ts";
export {
  consoleGatewayLogger,
  type GatewayLogger,
  type GatewayServerEvent,
} from "./gateway_events.ts";
export {
  type ClientStore,
  MemoryClientStore,
  type StoredClient,
  type StoredClientPatch,
} from "./client_store.ts";
export {
  CLIENT_LOG_COMPACT_LINES,
  CLIENT_STORE_FILE_NAME,
  ClientStoreError,
  JsonFileClientStore,
} from "./json_file_client_store.ts";
export { type InboxRefusal, MessageInbox, type MessageInboxOptions } from "./message_inbox.ts";
export {
  type ReceivedMessage,
  ServerWebSocket,
  type ServerWebSocketOptions,
  type WebSocketCloseInfo,
} from "./server_websocket.ts";
export {
  encodeCloseFrame,
  encodeFrame,
  OPCODE,
  type WebSocketMessage,
  WebSocketMessageParser,
  type WebSocketParserLimits,
} from "./websocket_frame.ts";
export { WebSocketError, type WebSocketErrorKind } from "./websocket_error.ts";
