/**
 * RFC 6455 framing for a server: encode unmasked frames, and parse masked client frames into
 * messages (fragmented data messages reassembled, control frames passed through). No extension
 * is ever negotiated, so every reserved bit must be zero.
 *
 * ```text
 * FIN RSV1-3 opcode(4) | MASK len(7) [len16 | len64] | mask key (4) | payload
 * ```
 *
 * @module
 */
import { WebSocketError } from "./websocket_error.ts";

/** Frame opcodes. */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** One message (or control frame) from a client. */
export type WebSocketMessage =
  | { readonly type: "text"; readonly data: string }
  | { readonly type: "binary"; readonly data: Uint8Array }
  | { readonly type: "ping"; readonly data: Uint8Array }
  | { readonly type: "pong"; readonly data: Uint8Array }
  | { readonly type: "close"; readonly code: number; readonly reason: string };

/**
 * Encodes one unmasked, final frame (server → client).
 *
 * @example
 * ```ts
 * import { encodeFrame, OPCODE } from "./mod.ts";
 * console.log(encodeFrame(OPCODE.ping, Uint8Array.of(1, 2))); // Uint8Array(4) [ 137, 2, 1, 2 ]
 * ```
 */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(headerLength + n);
  out[0] = 0x80 | opcode;
  if (n < 126) {
    out[1] = n;
  } else if (n < 65536) {
    out[1] = 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  out.set(payload, headerLength);
  return out;
}

/**
 * Encodes a Close frame with a status code and a UTF-8 reason (truncated to fit 125 bytes).
 *
 * @example
 * ```ts
 * import { encodeCloseFrame } from "./mod.ts";
 * console.log(encodeCloseFrame(1000, "")); // Uint8Array(4) [ 136, 2, 3, 232 ]
 * ```
 */
export function encodeCloseFrame(code: number, reason: string): Uint8Array {
  let text = new TextEncoder().encode(reason);
  if (text.length > 123) {
    text = new TextEncoder().encode(new TextDecoder().decode(text.subarray(0, 120)) + "…");
    if (text.length > 123) text = text.subarray(0, 0);
  }
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return encodeFrame(OPCODE.close, payload);
}

function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new WebSocketError("invalid-utf8", `${what} is not valid UTF-8`, { cause });
  }
}

/** Limits of a {@linkcode WebSocketMessageParser}. */
export interface WebSocketParserLimits {
  /** Largest accepted frame payload in bytes. */
  readonly maxFrameSize: number;
  /** Largest accepted (reassembled) message in bytes. */
  readonly maxMessageSize: number;
}

/**
 * Incremental parser of client frames into messages. Feed bytes with `push`, then call `next`
 * until it returns `undefined`. Throws {@linkcode WebSocketError} of kind `protocol`,
 * `too-large` or `invalid-utf8`; after that the stream is unusable.
 *
 * @example
 * ```ts
 * import { WebSocketMessageParser } from "./mod.ts";
 * const parser = new WebSocketMessageParser({ maxFrameSize: 1024, maxMessageSize: 1024 });
 * // a masked text frame "hi" with the all-zero mask key
 * parser.push(Uint8Array.of(0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69));
 * console.log(parser.next()); // { type: "text", data: "hi" }
 * ```
 */
export class WebSocketMessageParser {
  readonly #limits: WebSocketParserLimits;
  #buffer: Uint8Array = new Uint8Array(0);
  #fragments: Uint8Array[] | undefined;
  #fragmentOpcode = 0;
  #fragmentSize = 0;

  /** Creates a parser with the given limits. */
  constructor(limits: WebSocketParserLimits) {
    this.#limits = limits;
  }

  /**
   * Bytes held that do not form a complete message yet (a partial frame, or the frames of a
   * fragmented message so far): 0 when the peer is between messages.
   */
  get buffered(): number {
    return this.#buffer.length + this.#fragmentSize;
  }

  /** Appends received bytes. */
  push(chunk: Uint8Array): void {
    if (this.#buffer.length === 0) {
      this.#buffer = chunk.slice();
      return;
    }
    const next = new Uint8Array(this.#buffer.length + chunk.length);
    next.set(this.#buffer);
    next.set(chunk, this.#buffer.length);
    this.#buffer = next;
  }

  /** The next complete message, or `undefined` if more bytes are needed. */
  next(): WebSocketMessage | undefined {
    for (;;) {
      const frame = this.#nextFrame();
      if (!frame) return undefined;
      const message = this.#assemble(frame.fin, frame.opcode, frame.payload);
      if (message) return message;
    }
  }

  #nextFrame(): { fin: boolean; opcode: number; payload: Uint8Array } | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    const fin = (b[0] & 0x80) !== 0;
    if ((b[0] & 0x70) !== 0) {
      throw new WebSocketError("protocol", "reserved bits set but no extension was negotiated");
    }
    const opcode = b[0] & 0x0f;
    if (opcode > 0xa || (opcode > 0x2 && opcode < 0x8)) {
      throw new WebSocketError("protocol", `reserved opcode ${opcode}`);
    }
    if ((b[1] & 0x80) === 0) {
      throw new WebSocketError("protocol", "client frames must be masked");
    }
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = (b[2] << 8) | b[3];
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const big = view.getBigUint64(2);
      if (big >> 63n) throw new WebSocketError("protocol", "64-bit length with the top bit set");
      if (big > BigInt(this.#limits.maxFrameSize)) {
        throw new WebSocketError("too-large", `frame of ${big} bytes exceeds the limit`);
      }
      length = Number(big);
      offset = 10;
    }
    if (opcode >= 0x8) {
      if (!fin) throw new WebSocketError("protocol", "fragmented control frame");
      if (length > 125) throw new WebSocketError("protocol", "control frame longer than 125 bytes");
    }
    if (length > this.#limits.maxFrameSize) {
      throw new WebSocketError("too-large", `frame of ${length} bytes exceeds the limit`);
    }
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = b.slice(offset + 4, offset + 4 + length);
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    this.#buffer = b.subarray(offset + 4 + length);
    return { fin, opcode, payload };
  }

  #assemble(fin: boolean, opcode: number, payload: Uint8Array): WebSocketMessage | undefined {
    switch (opcode) {
      case OPCODE.ping:
        return { type: "ping", data: payload };
      case OPCODE.pong:
        return { type: "pong", data: payload };
      case OPCODE.close: {
        if (payload.length === 0) return { type: "close", code: 1005, reason: "" };
        if (payload.length === 1) throw new WebSocketError("protocol", "close payload of 1 byte");
        const code = (payload[0] << 8) | payload[1];
        if (!validCloseCode(code)) {
          throw new WebSocketError("protocol", `invalid close code ${code}`);
        }
        return { type: "close", code, reason: decodeUtf8(payload.subarray(2), "close reason") };
      }
      case OPCODE.continuation: {
        if (!this.#fragments) {
          throw new WebSocketError("protocol", "continuation frame without a message to continue");
        }
        this.#addFragment(payload);
        if (!fin) return undefined;
        const parts = this.#fragments;
        this.#fragments = undefined;
        const data = new Uint8Array(this.#fragmentSize);
        let at = 0;
        for (const part of parts) {
          data.set(part, at);
          at += part.length;
        }
        return this.#dataMessage(this.#fragmentOpcode, data);
      }
      default: {
        if (this.#fragments) {
          throw new WebSocketError("protocol", "new data frame inside a fragmented message");
        }
        if (fin) {
          if (payload.length > this.#limits.maxMessageSize) {
            throw new WebSocketError("too-large", "message exceeds the limit");
          }
          return this.#dataMessage(opcode, payload);
        }
        this.#fragments = [];
        this.#fragmentOpcode = opcode;
        this.#fragmentSize = 0;
        this.#addFragment(payload);
        return undefined;
      }
    }
  }

  #addFragment(payload: Uint8Array): void {
    this.#fragmentSize += payload.length;
    if (this.#fragmentSize > this.#limits.maxMessageSize) {
      throw new WebSocketError("too-large", "fragmented message exceeds the limit");
    }
    this.#fragments!.push(payload);
  }

  #dataMessage(opcode: number, data: Uint8Array): WebSocketMessage {
    return opcode === OPCODE.text
      ? { type: "text", data: decodeUtf8(data, "text message") }
      : { type: "binary", data };
  }
}
