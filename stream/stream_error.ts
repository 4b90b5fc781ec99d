/**
 * The two error types of the stream layer: {@linkcode StreamFrameError} for bytes that are not a
 * valid stream frame, and {@linkcode StreamError} for a stream (or the stream layer) that failed.
 *
 * @module
 */

/**
 * What is wrong with a frame:
 * - `truncated`: shorter than the 16-byte frame header
 * - `kind`: the LP frame kind (u16 LE at bytes 0..2) is not 3 (`SphinxStream`)
 * - `type`: a message type this implementation does not know
 * - `sequence`: a sequence number that contradicts the stream (data after the end of stream)
 * - `not-repliable`: an `Open` that came without a sender tag, so it cannot be answered
 * - `sender`: a frame for a known stream that did not come from that stream's peer
 * - `backlog`: an `Open` dropped because too many streams wait to be accepted
 * - `too-large`: a frame whose payload exceeds what one packet carries on its route
 * - `limit`: an `Open` refused because the client (or that sender) has too many streams
 */
export type StreamFrameErrorKind =
  | "truncated"
  | "kind"
  | "type"
  | "sequence"
  | "not-repliable"
  | "sender"
  | "backlog"
  | "too-large"
  | "limit";

/**
 * A received frame was malformed or not acceptable; it was dropped and nothing else changed.
 *
 * @example
 * ```ts
 * import { decodeStreamFrame, StreamFrameError } from "@nym/mixnet/stream";
 * try {
 *   decodeStreamFrame(Uint8Array.of(3, 0, 1));
 * } catch (error) {
 *   console.log(error instanceof StreamFrameError && error.kind); // "truncated"
 * }
 * ```
 */
export class StreamFrameError extends Error {
  /** The category of the problem. */
  readonly kind: StreamFrameErrorKind;
  /** The stream id the frame named, when its header was long enough to carry one. */
  readonly streamId: bigint | undefined;

  /** Builds an error of `kind`, optionally about stream `streamId`. */
  constructor(kind: StreamFrameErrorKind, message: string, streamId?: bigint) {
    super(message);
    this.name = "StreamFrameError";
    this.kind = kind;
    this.streamId = streamId;
  }
}

/**
 * Why a stream failed:
 * - `aborted`: this side called `abort()` (or aborted the writable)
 * - `reset`: the peer aborted the stream
 * - `idle-timeout`: nothing was sent or received for the idle timeout
 * - `data-loss`: the reorder buffer overflowed and skipped frames that never arrived
 * - `peer-unresponsive`: the peer stopped answering keepalive pings
 * - `delivery-failed`: a frame could not be delivered (retransmissions exhausted, unroutable)
 * - `client-closed`: the mixnet client disconnected
 * - `closed`: the stream (or its writable side) is already closed
 * - `listener-taken`: another listener is active on this client
 */
export type StreamErrorKind =
  | "aborted"
  | "reset"
  | "idle-timeout"
  | "data-loss"
  | "peer-unresponsive"
  | "delivery-failed"
  | "client-closed"
  | "closed"
  | "listener-taken";

/**
 * A stream failed, or a stream operation was refused. Streams error their `readable` and
 * `writable` with it, and reject `closed` with it.
 *
 * @example
 * ```ts
 * import { StreamError } from "@nym/mixnet/stream";
 * const error = new StreamError("reset", "the peer aborted the stream");
 * console.log(error.kind); // "reset"
 * ```
 */
export class StreamError extends Error {
  /** The category of the failure. */
  readonly kind: StreamErrorKind;

  /** Builds an error of `kind`; `cause` is kept as the standard `Error.cause`. */
  constructor(kind: StreamErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StreamError";
    this.kind = kind;
  }
}
