/**
 * The seed's TCP framing (`nymtech/nym-mixnet` `client/rpc/utils/utils.go`): every protobuf
 * message is preceded by its length, either as Go's signed zig-zag varint (`binary.PutVarint`,
 * up to v0.2.x: a length L is the LEB128 of 2L) or, from v0.3.0 (`d60fae57`), as an 8-byte
 * big-endian u64. Lengths above 1 MiB (`maxRequestSize`) are refused.
 *
 * @module
 */

/** The length prefix in use. */
export type SeedFraming = "varint" | "u64";

/** Largest frame body accepted (Go's `maxRequestSize`). */
export const SEED_MAX_FRAME = 1_048_576;

/** Why a byte stream is not a sequence of frames. */
export type SeedFramingErrorKind = "negative-length" | "too-large" | "varint-too-long";

/**
 * A length prefix that cannot be accepted; the stream cannot be resynchronised after it.
 *
 * @example
 * ```ts
 * import { SeedFrameDecoder, SeedFramingError } from "./seed_framing.ts";
 * try {
 *   new SeedFrameDecoder("varint").push(new Uint8Array([0x01]));
 * } catch (error) {
 *   console.log(error instanceof SeedFramingError && error.kind); // "negative-length"
 * }
 * ```
 */
export class SeedFramingError extends Error {
  /** What is wrong. */
  readonly kind: SeedFramingErrorKind;

  /** Builds an error of `kind`. */
  constructor(kind: SeedFramingErrorKind, message: string) {
    super(message);
    this.name = "SeedFramingError";
    this.kind = kind;
  }
}

/**
 * Prefixes `body` with its length.
 *
 * @example
 * ```ts
 * import { encodeSeedFrame } from "./seed_framing.ts";
 * console.log(encodeSeedFrame(new Uint8Array([0x32, 0x00]), "varint")); // Uint8Array(3) [ 4, 50, 0 ]
 * ```
 */
export function encodeSeedFrame(body: Uint8Array, framing: SeedFraming): Uint8Array {
  let prefix: Uint8Array;
  if (framing === "u64") {
    prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(0, BigInt(body.length));
  } else {
    const bytes: number[] = [];
    let v = body.length * 2; // zig-zag of a non-negative length
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(v);
    prefix = Uint8Array.from(bytes);
  }
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/**
 * Splits a byte stream into frame bodies, chunk by chunk.
 *
 * @example
 * ```ts
 * import { SeedFrameDecoder } from "./seed_framing.ts";
 * const decoder = new SeedFrameDecoder("varint");
 * console.log(decoder.push(new Uint8Array([0x04, 0x1a])).length); // 0
 * console.log(decoder.push(new Uint8Array([0x00]))); // [ Uint8Array(2) [ 26, 0 ] ]
 * ```
 */
export class SeedFrameDecoder {
  readonly #framing: SeedFraming;
  readonly #max: number;
  #buffer = new Uint8Array(0);
  #error: SeedFramingError | undefined;

  /** A decoder for `framing`, refusing bodies over `maxFrame` bytes. */
  constructor(framing: SeedFraming, maxFrame: number = SEED_MAX_FRAME) {
    this.#framing = framing;
    this.#max = maxFrame;
  }

  /** Bytes held that do not yet form a frame. */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * A bad prefix found after frames that {@linkcode push} returned; the next `push` throws it.
   */
  get error(): SeedFramingError | undefined {
    return this.#error;
  }

  /**
   * Adds `chunk`; returns the frames completed. Throws {@linkcode SeedFramingError} at a bad
   * prefix, unless frames precede it in this chunk: those are returned, and the error is kept in
   * {@linkcode error} and thrown by the next call.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#error) throw this.#error;
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const frames: Uint8Array[] = [];
    let offset = 0;
    for (;;) {
      let header;
      try {
        header = this.#header(joined, offset);
      } catch (error) {
        if (frames.length === 0 || !(error instanceof SeedFramingError)) throw error;
        this.#error = error;
        break;
      }
      if (!header) break;
      const start = offset + header.size;
      if (joined.length - start < header.length) break;
      frames.push(joined.slice(start, start + header.length));
      offset = start + header.length;
    }
    this.#buffer = joined.slice(offset);
    return frames;
  }

  #header(bytes: Uint8Array, offset: number): { size: number; length: number } | undefined {
    let length: number;
    let size: number;
    if (this.#framing === "u64") {
      if (bytes.length - offset < 8) return undefined;
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
      const value = view.getBigUint64(0);
      if (value > BigInt(this.#max)) {
        throw new SeedFramingError("too-large", `frame of ${value} bytes (max ${this.#max})`);
      }
      length = Number(value);
      size = 8;
    } else {
      let value = 0n;
      size = 0;
      for (;;) {
        if (offset + size >= bytes.length) return undefined;
        const b = bytes[offset + size];
        value |= BigInt(b & 0x7f) << BigInt(7 * size);
        size++;
        if ((b & 0x80) === 0) break;
        if (size >= 10) {
          throw new SeedFramingError("varint-too-long", "length varint longer than 10 bytes");
        }
      }
      if (value & 1n) {
        throw new SeedFramingError("negative-length", "negative frame length");
      }
      const half = value >> 1n;
      if (half > BigInt(this.#max)) {
        throw new SeedFramingError("too-large", `frame of ${half} bytes (max ${this.#max})`);
      }
      length = Number(half);
    }
    return { size, length };
  }
}
