/**
 * Private TCP and HTTP through the mixnet: Nym's exit protocol (the network requester's wire
 * format), a network requester service, TCP connections as Web streams, and `mixFetch`.
 *
 * @example The wire format
 * ```ts
 * import { decodeRequest, encodeRequest } from "@nym/mixnet/exit";
 * const bytes = encodeRequest({
 *   kind: "connect", interfaceVersion: 3, socks5Version: 3,
 *   connectionId: 1n, remoteAddress: "example.com:80",
 * });
 * console.log(decodeRequest(bytes).kind); // "connect"
 * ```
 *
 * @example fetch through a local network
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * import { createMixFetch, denoTransport, serveNetworkRequester } from "@nym/mixnet/exit";
 * await using net = await startLocalnet();
 * const exitClient = await connect({ nymApiUrl: net.nymApiUrl });
 * serveNetworkRequester(exitClient, { transport: denoTransport(), allowLocalIps: true });
 * const client = await connect({ nymApiUrl: net.nymApiUrl });
 * const mixFetch = createMixFetch({ client, requester: exitClient.address });
 * console.log((await mixFetch("http://127.0.0.1:8000/")).status);
 * ```
 *
 * @module
 */
export {
  ExitConnectionError,
  type ExitConnectionErrorKind,
  ExitProtocolError,
  type ExitProtocolErrorKind,
  MixFetchError,
  type MixFetchErrorKind,
} from "./exit_error.ts";
export {
  type ControlRequest,
  type ControlResponse,
  CURRENT_VERSION,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ExitRequest,
  type ExitResponse,
  type ProtocolVersion,
  type QueryRequest,
  type QueryResponse,
  SOCKET_HEADER_LENGTH,
} from "./protocol.ts";
export {
  ExitPolicy,
  type ExitPolicyAction,
  ExitPolicyError,
  type ExitPolicyRule,
} from "./exit_policy.ts";
export { formatIp, type IpAddress, isGlobalIp, parseIp } from "./ip_address.ts";
export {
  MAX_REASONABLE_OFFSET,
  OrderedBuffer,
  type OrderedBufferRejection,
  type OrderedRead,
} from "./ordered_buffer.ts";
export type { ExitTransport, TcpConnection } from "./transport.ts";
export { denoTransport } from "./deno_transport.ts";
export {
  type NetworkRequester,
  type NetworkRequesterEvent,
  type NetworkRequesterOptions,
  type RequesterClient,
  type RequesterMessage,
  serveNetworkRequester,
} from "./network_requester.ts";
export {
  type ExitClient,
  type ExitConnection,
  type ExitReceivedMessage,
  openConnection,
  type OpenConnectionOptions,
} from "./connection.ts";
export { createMixFetch, type MixFetch, type MixFetchOptions } from "./mix_fetch.ts";
export { type ByteStreams, nodeTls, type TlsOptions, type TlsUpgrade } from "./tls.ts";
export {
  parseSocks5Greeting,
  parseSocks5Request,
  SOCKS5_REPLY,
  Socks5Error,
  type Socks5Greeting,
  socks5Reply,
  type Socks5Request,
} from "./socks5_handshake.ts";

// Types that the exports above mention in their signatures.
export type { Recipient } from "../message/recipient.ts";
export type { Clock, TimerHandle } from "../internal/clock.ts";
