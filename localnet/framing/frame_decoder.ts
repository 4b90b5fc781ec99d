/**
 * Incremental decoding of the node-to-node stream: TCP chunks in, frames out.
 *
 * @module
 */
import {
  CURRENT_FRAME_VERSION,
  type Frame,
  type FramePacketType,
  type FrameVersion,
  type KeyRotation,
  LEGACY_FRAME_VERSION,
  PACKET_TYPE_MIX,
  PACKET_TYPE_OUTFOX,
} from "./frame.ts";
import { frameSizeFromTag } from "./frame_size.ts";
import { FramingError } from "./framing_error.ts";

const MIN_HEADER = 3;
const INITIAL_CAPACITY = 4096;

/**
 * Reassembles frames from arbitrarily split chunks, the way Nym's `NymCodec` decoder does
 * (`common/nymsphinx/framing/src/{codec,packet}.rs`): it waits for 3 header bytes (4 for
 * version 8), then checks the version (below 7 invalid, above 8 unsupported), the key
 * rotation byte, the size tag and the packet type, in that order, then waits for the whole
 * packet. The size tag alone fixes the packet's length.
 *
 * A malformed header throws {@linkcode FramingError}; the decoder then stays failed (every
 * later call throws the same error), because the stream cannot be resynchronised. Frames
 * completed before the bad header are still returned first.
 *
 * Memory: the buffer holds at most one incomplete frame (≤ 33 137 bytes) plus what was pushed
 * and not yet taken out with {@linkcode FrameDecoder.next}.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./mod.ts";
 * const bytes = encodeFrame({ version: 7, packet: new Uint8Array(386) });
 * const decoder = new FrameDecoder();
 * const frames = [];
 * for (const byte of bytes) frames.push(...decoder.feed(Uint8Array.of(byte)));
 * console.log(frames.length, frames[0].packetSize.name); // 1 "ack"
 * ```
 */
export class FrameDecoder {
  #buffer = new Uint8Array(INITIAL_CAPACITY);
  #start = 0;
  #end = 0;
  #error: FramingError | undefined;

  /** How many bytes are buffered and not yet returned as frames. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** The error that stopped this decoder, if one did. */
  get error(): FramingError | undefined {
    return this.#error;
  }

  /**
   * Appends a chunk (copied; the caller may reuse its buffer).
   *
   * @example
   * ```ts
   * import { FrameDecoder } from "./mod.ts";
   * const decoder = new FrameDecoder();
   * decoder.push(Uint8Array.of(8, 1));
   * console.log(decoder.buffered, decoder.next()); // 2 undefined
   * ```
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const used = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buffer.length) {
      if (used + chunk.length > this.#buffer.length) {
        const grown = new Uint8Array(Math.max(this.#buffer.length * 2, used + chunk.length));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = used;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Takes the next complete frame out of the buffer, or returns `undefined` when more bytes
   * are needed. Throws {@linkcode FramingError} on a malformed header.
   *
   * @example
   * ```ts
   * import { encodeFrame, FrameDecoder } from "./mod.ts";
   * const decoder = new FrameDecoder();
   * decoder.push(encodeFrame({ packet: new Uint8Array(2413), keyRotation: 1 }));
   * const frame = decoder.next();
   * console.log(frame?.version, frame?.keyRotation, decoder.next()); // 8 1 undefined
   * ```
   */
  next(): Frame | undefined {
    if (this.#error) throw this.#error;
    const available = this.#end - this.#start;
    if (available < MIN_HEADER) return undefined;
    const b = this.#buffer;
    const at = this.#start;
    const version = b[at];
    if (version < LEGACY_FRAME_VERSION) {
      return this.#fail("version", `invalid packet version ${version} (versions start at 7)`);
    }
    if (version > CURRENT_FRAME_VERSION) {
      return this.#fail("version", `unsupported packet version ${version} (at most 8)`);
    }
    const headerSize = version === LEGACY_FRAME_VERSION ? 3 : 4;
    if (available < headerSize) return undefined;
    let keyRotation = 0;
    if (headerSize === 4) {
      keyRotation = b[at + 3];
      if (keyRotation > 2) {
        return this.#fail("key-rotation", `${keyRotation} is not a valid key rotation`);
      }
    }
    const packetSize = frameSizeFromTag(b[at + 1]);
    if (packetSize === undefined) {
      return this.#fail("size-tag", `${b[at + 1]} is not a valid packet size tag`);
    }
    const packetType = b[at + 2];
    if (packetType !== PACKET_TYPE_MIX && packetType !== PACKET_TYPE_OUTFOX) {
      return this.#fail("packet-type", `${packetType} is not a valid packet type`);
    }
    const frameLength = headerSize + packetSize.totalSize;
    if (available < frameLength) return undefined;
    const packet = b.slice(at + headerSize, at + frameLength);
    this.#start += frameLength;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return {
      version: version as FrameVersion,
      packetSize,
      packetType: packetType as FramePacketType,
      keyRotation: keyRotation as KeyRotation,
      packet,
    };
  }

  /**
   * Pushes `chunk` and yields every frame it completes; throws {@linkcode FramingError} at
   * the first malformed header, after yielding the frames before it.
   *
   * @example
   * ```ts
   * import { encodeFrame, FrameDecoder } from "./mod.ts";
   * const one = encodeFrame({ version: 7, packet: new Uint8Array(386) });
   * const decoder = new FrameDecoder();
   * console.log([...decoder.feed(new Uint8Array([...one, ...one]))].length); // 2
   * ```
   */
  *feed(chunk: Uint8Array): Generator<Frame, void, undefined> {
    this.push(chunk);
    for (let frame = this.next(); frame !== undefined; frame = this.next()) yield frame;
  }

  /**
   * Call at the end of the stream: throws {@linkcode FramingError} of kind `length` if a
   * partial frame is left over (or the stored error if the decoder had failed).
   *
   * @example
   * ```ts
   * import { FrameDecoder, FramingError } from "./mod.ts";
   * const decoder = new FrameDecoder();
   * decoder.push(Uint8Array.of(7, 1, 0, 42));
   * try {
   *   decoder.finish();
   * } catch (error) {
   *   console.log((error as FramingError).kind); // "length"
   * }
   * ```
   */
  finish(): void {
    if (this.#error) throw this.#error;
    const left = this.#end - this.#start;
    if (left > 0) {
      this.#fail("length", `stream ended inside a frame (${left} bytes left over)`);
    }
  }

  #fail(kind: FramingError["kind"], message: string): never {
    this.#error = new FramingError(kind, message);
    throw this.#error;
  }
}

/**
 * Decodes a byte stream (a `ReadableStream<Uint8Array>` or any async iterable of chunks)
 * into frames. Throws {@linkcode FramingError} on a malformed header or when the stream ends
 * mid-frame.
 *
 * @example
 * ```ts
 * import { encodeFrame, readFrames } from "./mod.ts";
 * const bytes = encodeFrame({ packet: new Uint8Array(386) });
 * const stream = ReadableStream.from([bytes.subarray(0, 100), bytes.subarray(100)]);
 * for await (const frame of readFrames(stream)) console.log(frame.packet.length); // 386
 * ```
 */
export async function* readFrames(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Frame, void, undefined> {
  const decoder = new FrameDecoder();
  for await (const chunk of chunks) yield* decoder.feed(chunk);
  decoder.finish();
}
