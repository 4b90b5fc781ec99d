/**
 * The stream frame codec, wire-compatible with Nym's Rust SDK streams (`nym-sdk`
 * `mixnet/stream/protocol.rs`, `nym-lp-data` `packet/frame.rs` `SphinxStreamFrameAttributes`).
 *
 * Every frame is one whole mixnet message:
 *
 * ```text
 * offset  size  field
 *      0     2  LP frame kind, u16 little-endian: 3 (SphinxStream)
 *      2     8  stream id, u64 big-endian
 *     10     1  message type
 *     11     4  sequence number, u32 big-endian
 *     15     1  reserved: 0 when sent, ignored when received (as Nym)
 *     16     …  payload
 * ```
 *
 * Message types: `open` 0, `data` 1 (Nym since the first stream release), `openAck` 2 (nymtech/nym
 * #7098), `ping` 3 and `pong` 4 (nymtech/nym #7120; the ping nonce rides in the sequence field),
 * and two of ours, `close` 0xF0 and `reset` 0xF1. Nym's router fails to parse an unknown type and
 * drops the frame as a non-stream message, so a Nym peer ignores our two safely.
 *
 * @module
 */
import { StreamFrameError } from "./stream_error.ts";

/** The `LpFrameKind` of stream frames (`SphinxStream`). */
export const STREAM_FRAME_KIND = 3;

/** Length of the frame header: 2 bytes of kind and 14 of attributes. */
export const STREAM_FRAME_HEADER_LENGTH = 16;

/** The message type of a stream frame. */
export type StreamMessageType =
  | "open"
  | "data"
  | "openAck"
  | "ping"
  | "pong"
  | "close"
  | "reset";

/**
 * The wire value of each message type. `close` and `reset` are this implementation's
 * extensions, chosen far from Nym's sequential values so a future Nym type cannot collide.
 *
 * @example
 * ```ts
 * import { STREAM_MESSAGE_TYPES } from "@nym/mixnet/stream";
 * console.log(STREAM_MESSAGE_TYPES.openAck); // 2
 * ```
 */
export const STREAM_MESSAGE_TYPES: Readonly<Record<StreamMessageType, number>> = Object.freeze({
  open: 0,
  data: 1,
  openAck: 2,
  ping: 3,
  pong: 4,
  close: 0xf0,
  reset: 0xf1,
});

const TYPE_BY_VALUE = new Map<number, StreamMessageType>(
  Object.entries(STREAM_MESSAGE_TYPES).map(([name, value]) => [value, name as StreamMessageType]),
);

const MAX_U64 = (1n << 64n) - 1n;

/** A decoded (or to be encoded) stream frame. */
export interface StreamFrame {
  /** The stream id (u64). */
  readonly streamId: bigint;
  /** What the frame does. */
  readonly type: StreamMessageType;
  /**
   * `data` and `close`: the position in the sender's sequence (u32, from 0, wrapping). `ping`
   * and `pong`: the nonce. `open`, `openAck` and `reset`: 0.
   */
  readonly sequence: number;
  /** The payload (empty for everything but `data` and, optionally, `open`). */
  readonly payload: Uint8Array;
}

/**
 * True when `bytes` starts with the stream frame kind (`03 00`): the cheap test the stream layer
 * uses to pick frames out of the message flow. It says nothing about the rest of the header.
 *
 * @example
 * ```ts
 * import { isStreamFrame } from "@nym/mixnet/stream";
 * console.log(isStreamFrame(Uint8Array.of(3, 0, 9)), isStreamFrame(Uint8Array.of(0, 0))); // true false
 * ```
 */
export function isStreamFrame(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === STREAM_FRAME_KIND && bytes[1] === 0;
}

/**
 * Serializes a frame. Throws `RangeError` for a stream id outside u64 or a sequence outside u32.
 *
 * @example
 * ```ts
 * import { encodeStreamFrame } from "@nym/mixnet/stream";
 * const bytes = encodeStreamFrame({
 *   streamId: 0x0011223344556677n, type: "open", sequence: 1, payload: Uint8Array.of(0xaa),
 * });
 * console.log(bytes.length, bytes[0], bytes[10], bytes[14], bytes[16]); // 17 3 0 1 170
 * ```
 */
export function encodeStreamFrame(frame: StreamFrame): Uint8Array {
  const { streamId, type, sequence, payload } = frame;
  if (typeof streamId !== "bigint" || streamId < 0n || streamId > MAX_U64) {
    throw new RangeError(`stream id ${streamId} is not a u64`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffffffff) {
    throw new RangeError(`sequence ${sequence} is not a u32`);
  }
  const value = STREAM_MESSAGE_TYPES[type];
  if (value === undefined) throw new RangeError(`unknown stream message type ${type}`);
  const out = new Uint8Array(STREAM_FRAME_HEADER_LENGTH + payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, STREAM_FRAME_KIND, true);
  view.setBigUint64(2, streamId);
  out[10] = value;
  view.setUint32(11, sequence);
  out.set(payload, STREAM_FRAME_HEADER_LENGTH);
  return out;
}

/**
 * Reads the stream id of something that starts like a frame (at least 10 bytes), or undefined.
 *
 * @example
 * ```ts
 * import { encodeStreamFrame, peekStreamId } from "@nym/mixnet/stream";
 * const frame = encodeStreamFrame({ streamId: 42n, type: "data", sequence: 0, payload: new Uint8Array() });
 * console.log(peekStreamId(frame)); // 42n
 * ```
 */
export function peekStreamId(bytes: Uint8Array): bigint | undefined {
  if (bytes.length < 10) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(2);
}

/**
 * Parses a frame. The payload is a view into `bytes`, not a copy. Throws
 * {@linkcode StreamFrameError} of kind `truncated` (under 16 bytes), `kind` (not a stream frame)
 * or `type` (an unknown message type; the error carries the stream id).
 *
 * @example
 * ```ts
 * import { decodeStreamFrame, encodeStreamFrame } from "@nym/mixnet/stream";
 * const bytes = encodeStreamFrame({ streamId: 7n, type: "data", sequence: 42, payload: Uint8Array.of(1, 2) });
 * const frame = decodeStreamFrame(bytes);
 * console.log(frame.streamId, frame.type, frame.sequence, frame.payload.length); // 7n "data" 42 2
 * ```
 */
export function decodeStreamFrame(bytes: Uint8Array): StreamFrame {
  if (!(bytes instanceof Uint8Array) || bytes.length < STREAM_FRAME_HEADER_LENGTH) {
    throw new StreamFrameError(
      "truncated",
      `a stream frame needs ${STREAM_FRAME_HEADER_LENGTH} header bytes, got ${bytes?.length}`,
      bytes instanceof Uint8Array ? peekStreamId(bytes) : undefined,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = view.getUint16(0, true);
  if (kind !== STREAM_FRAME_KIND) {
    throw new StreamFrameError("kind", `LP frame kind ${kind} is not a stream frame`);
  }
  const streamId = view.getBigUint64(2);
  const type = TYPE_BY_VALUE.get(bytes[10]);
  if (type === undefined) {
    throw new StreamFrameError("type", `unknown stream message type ${bytes[10]}`, streamId);
  }
  return {
    streamId,
    type,
    sequence: view.getUint32(11),
    payload: bytes.subarray(STREAM_FRAME_HEADER_LENGTH),
  };
}
