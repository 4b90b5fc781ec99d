// RFC 6455 framing for the client side: masked client frames out (one buffer per frame, so the
// header and the payload leave in one write), server frames in (never masked), reassembly of
// fragmented messages, and every check a client owes the server's bytes (§5.2, §5.4, §5.5, §7.4).
import { WebSocketFrameError } from "./websocket_frame_error.ts";

/** Frame opcodes (RFC 6455 §5.2). */
export const OPCODE = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/** A complete message or control frame from the server. */
export type ServerMessage =
  | { readonly type: "text"; readonly data: string }
  | { readonly type: "binary"; readonly data: Uint8Array<ArrayBuffer> }
  | { readonly type: "ping" | "pong"; readonly data: Uint8Array<ArrayBuffer> }
  | { readonly type: "close"; readonly code: number; readonly reason: string };

/** A masked client frame: header, 4-byte mask and masked payload in one array. */
export function encodeClientFrame(
  opcode: number,
  payload: Uint8Array,
  mask: Uint8Array,
  fin = true,
): Uint8Array<ArrayBuffer> {
  const n = payload.length;
  const head = (n < 126 ? 2 : n < 65536 ? 4 : 10) + 4;
  const out = new Uint8Array(head + n);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    const view = new DataView(out.buffer);
    view.setUint32(2, Math.floor(n / 2 ** 32));
    view.setUint32(6, n >>> 0);
  }
  out.set(mask.subarray(0, 4), head - 4);
  out.set(payload, head);
  const m0 = mask[0], m1 = mask[1], m2 = mask[2], m3 = mask[3];
  let i = head;
  // Four bytes per step; the mask repeats every four payload bytes.
  for (const end = head + (n & ~3); i < end; i += 4) {
    out[i] ^= m0;
    out[i + 1] ^= m1;
    out[i + 2] ^= m2;
    out[i + 3] ^= m3;
  }
  for (let j = 0; i < head + n; i++, j++) out[i] ^= mask[j];
  return out;
}

/** A Close frame payload: the code big-endian, then the UTF-8 reason. */
export function closePayload(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** Whether a Close frame may carry `code` (RFC 6455 §7.4.1, §7.4.2; IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new WebSocketFrameError("invalid-utf8", `${what} is not valid UTF-8`);
  }
}

/**
 * Reads server frames from a growing byte buffer. Read straight into {@linkcode space}, then
 * {@linkcode commit} the count and take messages with {@linkcode next} until it returns
 * undefined. Throws {@linkcode WebSocketFrameError} on malformed input.
 */
export class ServerFrameReader {
  #buffer: Uint8Array<ArrayBuffer>;
  #start = 0;
  #end = 0;
  #maxMessageBytes: number;
  #fragments: Uint8Array<ArrayBuffer>[] = [];
  #fragmentBytes = 0;
  #fragmentOpcode = 0;

  constructor(maxMessageBytes: number, initialBytes = 64 * 1024) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#buffer = new Uint8Array(initialBytes);
  }

  /** Free space at the end of the buffer, at least `min` bytes (compacts or grows it). */
  space(min = 16 * 1024): Uint8Array<ArrayBuffer> {
    if (this.#buffer.length - this.#end < min) {
      const used = this.#end - this.#start;
      if (this.#buffer.length - used >= min && this.#start > 0) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(this.#buffer.length * 2, used + min));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = used;
    }
    return this.#buffer.subarray(this.#end);
  }

  /** Records that `n` bytes were written into the last {@linkcode space}. */
  commit(n: number): void {
    this.#end += n;
  }

  /** Copies bytes in (for tests and for data read before the upgrade completed). */
  push(bytes: Uint8Array): void {
    this.space(bytes.length).set(bytes);
    this.commit(bytes.length);
  }

  /** The next complete message or control frame, or undefined if more bytes are needed. */
  next(): ServerMessage | undefined {
    for (;;) {
      const b = this.#buffer;
      const available = this.#end - this.#start;
      if (available < 2) return undefined;
      const at = this.#start;
      const b0 = b[at];
      const b1 = b[at + 1];
      if (b0 & 0x70) throw new WebSocketFrameError("protocol", "reserved bits set (no extension)");
      if (b1 & 0x80) throw new WebSocketFrameError("protocol", "a server frame is masked");
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      let length = b1 & 0x7f;
      let head = 2;
      if (length === 126) {
        if (available < 4) return undefined;
        length = (b[at + 2] << 8) | b[at + 3];
        head = 4;
      } else if (length === 127) {
        if (available < 10) return undefined;
        const high = (b[at + 2] << 24 | b[at + 3] << 16 | b[at + 4] << 8 | b[at + 5]) >>> 0;
        const low = (b[at + 6] << 24 | b[at + 7] << 16 | b[at + 8] << 8 | b[at + 9]) >>> 0;
        if (high >= 0x80000000) throw new WebSocketFrameError("protocol", "frame length ≥ 2^63");
        length = high * 2 ** 32 + low;
        head = 10;
      }
      const control = opcode >= 0x8;
      if (control) {
        if (opcode > OPCODE.pong) throw new WebSocketFrameError("protocol", `opcode ${opcode}`);
        if (!fin) throw new WebSocketFrameError("protocol", "fragmented control frame");
        if (length > 125) throw new WebSocketFrameError("protocol", "control frame over 125 B");
      } else {
        if (opcode > OPCODE.binary) throw new WebSocketFrameError("protocol", `opcode ${opcode}`);
        if (opcode === OPCODE.continuation && this.#fragmentOpcode === 0) {
          throw new WebSocketFrameError("protocol", "continuation frame without a message");
        }
        if (opcode !== OPCODE.continuation && this.#fragmentOpcode !== 0) {
          throw new WebSocketFrameError("protocol", "new message inside a fragmented one");
        }
        if (this.#fragmentBytes + length > this.#maxMessageBytes) {
          throw new WebSocketFrameError(
            "too-big",
            `message over the ${this.#maxMessageBytes}-byte limit`,
          );
        }
      }
      if (available < head + length) {
        // Make room for the whole frame now, so reads land in one buffer.
        if (this.#buffer.length - this.#start < head + length) this.space(head + length);
        return undefined;
      }
      const payload = b.slice(at + head, at + head + length);
      this.#start += head + length;
      if (this.#start === this.#end) this.#start = this.#end = 0;
      if (control) {
        if (opcode === OPCODE.ping) return { type: "ping", data: payload };
        if (opcode === OPCODE.pong) return { type: "pong", data: payload };
        if (length === 0) return { type: "close", code: 1005, reason: "" };
        if (length === 1) throw new WebSocketFrameError("protocol", "close payload of 1 byte");
        const code = (payload[0] << 8) | payload[1];
        if (!isValidCloseCode(code)) {
          throw new WebSocketFrameError("protocol", `invalid close code ${code}`);
        }
        return { type: "close", code, reason: decodeUtf8(payload.subarray(2), "close reason") };
      }
      if (opcode !== OPCODE.continuation) this.#fragmentOpcode = opcode;
      if (!fin) {
        this.#fragments.push(payload);
        this.#fragmentBytes += length;
        continue;
      }
      let whole = payload;
      if (this.#fragments.length > 0) {
        this.#fragments.push(payload);
        whole = new Uint8Array(this.#fragmentBytes + length);
        let offset = 0;
        for (const part of this.#fragments) {
          whole.set(part, offset);
          offset += part.length;
        }
      }
      const type = this.#fragmentOpcode;
      this.#fragments = [];
      this.#fragmentBytes = 0;
      this.#fragmentOpcode = 0;
      return type === OPCODE.text
        ? { type: "text", data: decodeUtf8(whole, "a text message") }
        : { type: "binary", data: whole };
    }
  }
}
