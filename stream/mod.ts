/**
 * Streams: multiplexed, ordered, reliable byte channels over the mixnet, as Web Streams, on the
 * wire format of Nym's Rust SDK streams (`nym-sdk` `mixnet::stream`).
 *
 * - {@linkcode openStream} sends an `Open` with reply SURBs; the acceptor answers through them
 *   and never learns the opener's address.
 * - {@linkcode listen} yields the streams peers open to this client.
 * - Frames carry sequence numbers; a reorder buffer per stream restores their order.
 * - Writes are coalesced into frames of one packet each; the writable applies backpressure.
 * - `writable.close()` sends an end-of-stream frame, sequenced after the last data frame, so the
 *   reader sees EOF exactly after the last byte. Nym peers ignore that frame (they drop message
 *   types they do not know).
 * - Streams and ordinary messages coexist on one client: see {@linkcode multiplexer}.
 *
 * @example Frames on the wire
 * ```ts
 * import { decodeStreamFrame, encodeStreamFrame } from "@nym/mixnet/stream";
 * const bytes = encodeStreamFrame({ streamId: 1n, type: "data", sequence: 0, payload: Uint8Array.of(104, 105) });
 * console.log(bytes.length, decodeStreamFrame(bytes).type); // 18 "data"
 * ```
 *
 * @example An echo over a local network
 * ```ts
 * import { connect } from "@nym/mixnet";
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * import { listen, openStream } from "@nym/mixnet/stream";
 * await using net = await startLocalnet({ logger: "silent" });
 * const server = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
 * const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
 * const listener = listen(server);
 * const echoed = (async () => {
 *   const s = await listener.accept();
 *   await s?.readable.pipeTo(s.writable); // resolves once the echo's end is acknowledged
 * })();
 * const stream = openStream(client, server.address);
 * const writer = stream.writable.getWriter();
 * await writer.write(new TextEncoder().encode("ping"));
 * await writer.close();
 * console.log(await new Response(stream.readable).text()); // "ping"
 * await echoed; // disconnect only after the acceptor's close went through
 * listener.close();
 * await client.disconnect();
 * await server.disconnect();
 * ```
 *
 * @module
 */
export {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  peekStreamId,
  STREAM_FRAME_HEADER_LENGTH,
  STREAM_FRAME_KIND,
  STREAM_MESSAGE_TYPES,
  type StreamFrame,
  type StreamMessageType,
} from "./frame.ts";
export { type FrameRoute, maxFramePayload } from "./frame_capacity.ts";
export {
  ReorderBuffer,
  type ReorderBufferOptions,
  type ReorderEvent,
  type ReorderPushResult,
} from "./reorder_buffer.ts";
export {
  StreamError,
  type StreamErrorKind,
  StreamFrameError,
  type StreamFrameErrorKind,
} from "./stream_error.ts";
export type { MixnetStream, OpenStreamOptions } from "./mixnet_stream.ts";
export type { StreamListener } from "./listener.ts";
export {
  listen,
  multiplexer,
  openStream,
  type StreamClient,
  type StreamMultiplexer,
  type StreamMultiplexerEvents,
  type StreamMultiplexerOptions,
} from "./multiplexer.ts";

// Types that the exports above mention in their signatures.
export type { ReceivedMessage } from "../client/mixnet_client.ts";
export type { Clock, TimerHandle } from "../internal/clock.ts";
export type { RandomBytes } from "../internal/random.ts";
export type { Recipient } from "../message/mod.ts";
export type { DeliveryHandle, DeliveryStatus } from "../queue/mod.ts";
export type { PacketSize } from "../sphinx/mod.ts";
