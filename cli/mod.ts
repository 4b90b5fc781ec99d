/**
 * The library surface of the TypeScript `nym-client`: the native WebSocket API (codecs of both
 * request and response forms, and the loopback server), `config.toml`, the PEM key files and the
 * filesystem {@linkcode ClientStorage}. The commands (`init`, `run`, `send`, `localnet`) live
 * apart in `cli/commands.ts`; the executable is `cli/main.ts`.
 *
 * @example Talk to a running `nym-client` (ours or Nym's) from Deno
 * ```ts ignore
 * import { decodeBinaryResponse, encodeBinaryRequest } from "@nym/mixnet/cli";
 * const ws = new WebSocket("ws://127.0.0.1:1977");
 * ws.binaryType = "arraybuffer";
 * ws.onopen = () => ws.send(encodeBinaryRequest({ type: "selfAddress" }));
 * ws.onmessage = (event) => {
 *   const response = decodeBinaryResponse(new Uint8Array(event.data));
 *   if (response.type === "selfAddress") console.log(response.address.toString());
 *   ws.close();
 * };
 * ```
 *
 * @module
 */
export {
  NATIVE_API_ERROR_CODES,
  NATIVE_API_ERROR_TEXT,
  NativeApiError,
  type NativeApiErrorKind,
  nativeApiErrorKind,
} from "./native_api_error.ts";
export {
  decodeBinaryRequest,
  decodeTextRequest,
  encodeBinaryRequest,
  encodeTextRequest,
  type NativeApiRequest,
  REQUEST_TAGS,
} from "./native_api_requests.ts";
export {
  decodeBinaryResponse,
  decodeTextResponse,
  encodeBinaryResponse,
  encodeTextResponse,
  errorResponse,
  type NativeApiResponse,
  RESPONSE_TAGS,
} from "./native_api_responses.ts";
export {
  connectionLane,
  MAX_MIX_SESSIONS,
  type NativeApiClient,
  type NativeApiEvent,
  type NativeApiServer,
  type NativeApiServerOptions,
  serveNativeApi,
} from "./native_api_server.ts";
export {
  checkClientId,
  type ClientDirectories,
  clientDirectories,
  type ClientKeyPaths,
  ConfigError,
  type ConfigErrorKind,
  configToToml,
  type DebugSettings,
  DEFAULT_LISTENING_PORT,
  KEY_FILE_NAMES,
  MAINNET_NYXD_URLS,
  type NativeClientConfig,
  newConfig,
  type NewConfigOptions,
  NYM_CLIENT_VERSION,
  parseConfig,
  trafficFromConfig,
  withOverrides,
} from "./config.ts";
export { decodePem, encodePem, PEM_TYPES, PemError, type PemErrorKind } from "./pem.ts";
export {
  FileClientStorage,
  type FileClientStorageOptions,
  type FileStoragePaths,
  StorageFileError,
  type StorageFileErrorKind,
} from "./file_storage.ts";
// The seed's socket API (protobuf over TCP, /mix) and Nym's SQLite reply store.
export {
  decodeSeedClientConfig,
  decodeSeedRequest,
  decodeSeedResponse,
  encodeSeedClientConfig,
  encodeSeedRequest,
  encodeSeedResponse,
  type SeedClientConfig,
  type SeedMixConfig,
  SeedProtobufError,
  type SeedProtobufErrorKind,
  type SeedRequest,
  type SeedResponse,
} from "./seed_protobuf.ts";
export {
  encodeSeedFrame,
  SEED_MAX_FRAME,
  SeedFrameDecoder,
  type SeedFraming,
  SeedFramingError,
  type SeedFramingErrorKind,
} from "./seed_framing.ts";
export {
  decodeSeedText,
  encodeSeedJsonpb,
  encodeSeedLegacy,
  SeedJsonError,
  type SeedTextForm,
  type SeedTextRequest,
} from "./seed_json.ts";
export {
  INVALID_SERVER_REQUEST,
  SeedApi,
  type SeedApiClient,
  type SeedApiEvent,
  type SeedApiOptions,
  seedClientConfig,
  type SeedTransport,
} from "./seed_api.ts";
export {
  MAX_SEED_TCP_SESSIONS,
  SEED_TCP_WRITE_BUFFER,
  type SeedTcpEvent,
  type SeedTcpServer,
  type SeedTcpServerOptions,
  serveSeedTcp,
} from "./seed_tcp_server.ts";
export { listPublicClients, PUBLIC_CLIENTS_PATH, publishClient } from "./seed_directory.ts";
export {
  REPLY_STATE_MAX_AGE_MS,
  REPLY_SURB_THRESHOLDS,
  SqliteReplyStore,
  type SqliteReplyStoreOptions,
} from "./sqlite_reply_store.ts";

// Types that the exports above mention in their signatures.
export type { ClientStorage } from "../client/storage.ts";
export type {
  ReplyPersistence,
  ReplySnapshot,
  StoredReplyKey,
  StoredSenderSurbs,
} from "../client/reply_persistence.ts";
export type { ReplySurbBytes } from "../message/mod.ts";
export type {
  GatewayLink,
  MixnetClient,
  MixnetClientEvents,
  MixnetClientStats,
  ReceivedMessage,
  SendOptions,
} from "../client/mixnet_client.ts";
export type { TrafficConfig } from "../client/traffic.ts";
export {
  DeliveryError,
  type DeliveryErrorKind,
  type DeliveryHandle,
  type DeliveryStatus,
} from "../queue/mod.ts";
export type { BuildableVersion } from "../sphinx/version.ts";
export type { OutgoingPacket } from "../client/packet_builder.ts";
export type { CryptoProvider } from "../crypto/crypto_provider.ts";
export type { Clock, TimerHandle } from "../internal/clock.ts";
export type { TomlTable } from "./_toml.ts";
export { AnonymousSenderTag, Recipient } from "../message/mod.ts";
