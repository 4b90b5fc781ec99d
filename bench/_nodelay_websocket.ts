// A minimal `ws://` WebSocket client over `Deno.connect` with TCP_NODELAY, for measuring latency
// without a Deno runtime artefact: Deno's own WebSocket client leaves Nagle's algorithm on and
// writes a frame's header and payload separately when the payload is over 1 KiB, so every such
// message sent on an idle connection waits for the peer's delayed ACK (about 40 ms on Linux).
// Bench-only: the library takes any WebSocket constructor through `connect({ WebSocket })`.
//
// Implements what the gateway client and the official wasm client use: binaryType, readyState,
// onopen/onmessage/onclose/onerror (and addEventListener for them), send(string | bytes), close,
// bufferedAmount; masked client frames, unmasked server frames, fragmentation, Ping → Pong.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const head = 2 + lengthBytes + 4;
  const out = new Uint8Array(head + n);
  out[0] = 0x80 | opcode;
  if (lengthBytes === 0) out[1] = 0x80 | n;
  else if (lengthBytes === 2) {
    out[1] = 0x80 | 126;
    out[2] = n >> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, head - 4);
  for (let i = 0; i < n; i++) out[head + i] = payload[i] ^ mask[i & 3];
  return out;
}

type Handler = ((event: Event) => unknown) | null;

/** A WebSocket-compatible client with TCP_NODELAY (ws:// only). */
export class NoDelayWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly url: string;
  binaryType = "blob";
  readyState = 0;
  bufferedAmount = 0;
  readonly protocol = "";
  readonly extensions = "";
  onopen: Handler = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onclose: ((event: CloseEvent) => unknown) | null = null;
  onerror: Handler = null;
  #conn: Deno.TcpConn | undefined;
  #writes: Promise<unknown> = Promise.resolve();
  #closeSent = false;
  #closed = false;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    this.#run().catch(() => this.#finish(1006, ""));
  }

  #fire(type: string, event: Event): void {
    const handler = (this as unknown as Record<string, unknown>)[`on${type}`];
    if (typeof handler === "function") handler.call(this, event);
    this.dispatchEvent(event);
  }

  async #run(): Promise<void> {
    const u = new URL(this.url);
    if (u.protocol !== "ws:") throw new Error("only ws:// is supported");
    const hostname = u.hostname.replace(/^\[|\]$/g, "");
    const conn = await Deno.connect({ hostname, port: Number(u.port || 80) });
    conn.setNoDelay(true);
    this.#conn = conn;
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await this.#write(encoder.encode(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ));
    let buffer: Uint8Array = new Uint8Array(0);
    const chunk = new Uint8Array(65536);
    const more = async () => {
      const n = await conn.read(chunk);
      if (n === null) return false;
      buffer = concat(buffer, chunk.subarray(0, n));
      return true;
    };
    let end = -1;
    while ((end = decoder.decode(buffer).indexOf("\r\n\r\n")) < 0) {
      if (!await more()) throw new Error("closed during the handshake");
    }
    const head = decoder.decode(buffer).slice(0, end);
    if (!/^HTTP\/1\.1 101/.test(head)) throw new Error(`upgrade refused: ${head.split("\r\n")[0]}`);
    buffer = buffer.slice(end + 4);
    this.readyState = 1;
    this.#fire("open", new Event("open"));

    let fragments: Uint8Array[] = [];
    let fragmentOpcode = 0;
    while (true) {
      // one frame
      while (buffer.length < 2) if (!await more()) return this.#finish(1006, "");
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        while (buffer.length < 4) if (!await more()) return this.#finish(1006, "");
        length = (buffer[2] << 8) | buffer[3];
        offset = 4;
      } else if (length === 127) {
        while (buffer.length < 10) if (!await more()) return this.#finish(1006, "");
        length = Number(new DataView(buffer.buffer, buffer.byteOffset).getBigUint64(2));
        offset = 10;
      }
      while (buffer.length < offset + length) if (!await more()) return this.#finish(1006, "");
      const fin = (buffer[0] & 0x80) !== 0;
      const opcode = buffer[0] & 0x0f;
      const payload = buffer.slice(offset, offset + length);
      buffer = buffer.slice(offset + length);
      if (opcode === 9) {
        this.#send(10, payload);
        continue;
      }
      if (opcode === 10) continue;
      if (opcode === 8) {
        const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
        const reason = decoder.decode(payload.subarray(2));
        if (!this.#closeSent) this.#send(8, payload.subarray(0, 2));
        return this.#finish(code, reason);
      }
      if (opcode !== 0) {
        fragmentOpcode = opcode;
        fragments = [];
      }
      fragments.push(payload);
      if (!fin) continue;
      const whole = fragments.length === 1 ? fragments[0] : fragments.reduce(concat);
      fragments = [];
      const data = fragmentOpcode === 1
        ? decoder.decode(whole)
        : this.binaryType === "arraybuffer"
        ? whole.buffer
        : new Blob([whole as Uint8Array<ArrayBuffer>]);
      this.#fire("message", new MessageEvent("message", { data }));
    }
  }

  #write(bytes: Uint8Array): Promise<unknown> {
    const conn = this.#conn!;
    this.bufferedAmount += bytes.length;
    this.#writes = this.#writes.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
      this.bufferedAmount -= bytes.length;
    }).catch(() => this.#finish(1006, ""));
    return this.#writes;
  }

  #send(opcode: number, payload: Uint8Array): void {
    if (this.#closed) return;
    this.#write(clientFrame(opcode, payload));
  }

  /** Sends a text or binary message. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new DOMException("not open", "InvalidStateError");
    if (typeof data === "string") return this.#send(1, encoder.encode(data));
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    this.#send(2, bytes);
  }

  /** Starts the closing handshake. */
  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    if (this.readyState === 0) {
      this.#finish(1006, "");
      return;
    }
    this.readyState = 2;
    this.#closeSent = true;
    const payload = concat(Uint8Array.of(code >> 8, code & 0xff), encoder.encode(reason));
    this.#send(8, payload);
    this.#closeTimer = setTimeout(() => this.#finish(code, reason), 1000);
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    this.readyState = 3;
    this.#writes.finally(() => {
      try {
        this.#conn?.close();
      } catch {
        // already closed
      }
    });
    if (code === 1006) this.#fire("error", new Event("error"));
    this.#fire("close", new CloseEvent("close", { code, reason, wasClean: code !== 1006 }));
  }
}
