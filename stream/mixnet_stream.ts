/**
 * The public shape of a stream: an ordered, reliable byte channel to one peer over the mixnet,
 * as a pair of Web Streams.
 *
 * @module
 */

/**
 * One multiplexed byte stream to a peer. Obtain one with `openStream()` (outbound) or from
 * `listen()` (inbound).
 *
 * - `readable` yields the peer's bytes in order and ends (done) after the peer's last byte once
 *   the peer closes its writing side. It errors with a `StreamError` if the stream fails.
 * - `writable` takes bytes; small writes are coalesced into frames of up to one packet each, and
 *   its queue (in bytes) applies backpressure. `writable.close()` sends the end-of-stream after
 *   the last byte and resolves once every frame was acknowledged by the peer's gateway.
 * - `closed` resolves when both directions ended cleanly and the stream was deregistered;
 *   it rejects with the `StreamError` that ended it otherwise.
 *
 * @example Echo a stream back to its opener
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { listen } from "@nym/mixnet/stream";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * for await (const stream of listen(client)) {
 *   stream.readable.pipeTo(stream.writable).catch(() => {});
 * }
 * ```
 */
export interface MixnetStream {
  /** The stream id (u64), chosen at random by the opener. */
  readonly id: bigint;
  /** `outbound`: we opened it (we know the peer's address); `inbound`: we accepted it. */
  readonly direction: "outbound" | "inbound";
  /** The peer's bytes, in order. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /**
   * Resolves when the peer is known to have the stream: its `OpenAck` or any other frame from it
   * arrived (inbound streams: at once). A peer on an SDK from before `OpenAck` only resolves it
   * when it sends something. Rejects if the stream fails first.
   */
  readonly established: Promise<void>;
  /** Resolves when the stream ended cleanly; rejects with the `StreamError` that ended it. */
  readonly closed: Promise<void>;
  /** When the last frame from the peer arrived (clock milliseconds), or undefined. */
  readonly lastPeerActivity: number | undefined;
  /**
   * Ends the stream gracefully: sends the end-of-stream after the bytes already written, stops
   * reading, and resolves when our end-of-stream was acknowledged. If the application holds a
   * writer, close that first (`writer.close()`), or chunks still queued in it are dropped.
   */
  close(): Promise<void>;
  /**
   * Ends the stream at once: queued bytes are dropped, the peer is told (its stream errors with
   * kind `reset`), and both sides here error with kind `aborted`.
   */
  abort(reason?: unknown): void;
}

/** Options of `openStream()`. */
export interface OpenStreamOptions {
  /**
   * Reply SURBs attached to the `Open` (default 10, as Nym's SDK): the acceptor answers through
   * them and asks for more when they run low.
   */
  readonly replySurbs?: number;
  /**
   * Reply SURBs attached to every data frame we send (default 0). Nym's SDK attaches
   * `reply_surbs` to every write; that costs about 460 bytes per SURB, so a frame with SURBs
   * spans several packets. With 0, frames fit one packet each and the peer's client requests
   * SURBs when it needs them.
   */
  readonly dataReplySurbs?: number;
}
