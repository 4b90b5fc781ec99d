/**
 * A WebSocket client for Deno with Nagle's algorithm off: RFC 6455 over `Deno.connect` with
 * `setNoDelay(true)`, and `wss://` through `Deno.startTls` on that same socket.
 *
 * Deno's built-in `WebSocket` leaves Nagle's algorithm on and writes a frame's header and payload
 * separately when the payload is over 1 KiB, so a message sent on an idle connection waits for
 * the peer's delayed ACK (about 40 ms on Linux). This client writes each frame in one call on a
 * socket with TCP_NODELAY. It implements what the gateway client needs from a WebSocket
 * (`binaryType`, `readyState`, `bufferedAmount`, the four `on…` handlers and their events,
 * `send`, `close`), with masking, fragmented messages, Ping → Pong, close codes and size limits.
 *
 * The Deno namespace is never named here: its socket functions are looked up at run time
 * ({@linkcode denoNet}) or injected, so browser bundles that include this module still load.
 *
 * @module
 */
import {
  closePayload,
  encodeClientFrame,
  OPCODE,
  ServerFrameReader,
  type ServerMessage,
} from "./_frames.ts";
import { WebSocketFrameError } from "./websocket_frame_error.ts";

/** The part of a Deno connection this client uses. */
export interface DenoConnLike {
  /** Reads into `buffer`; null at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; returns how much. */
  write(data: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/** A TCP connection (`Deno.TcpConn`). */
export interface DenoTcpConnLike extends DenoConnLike {
  /** Turns Nagle's algorithm off (true) or on. */
  setNoDelay(noDelay?: boolean): void;
}

/** The socket functions of the Deno namespace this client uses. */
export interface DenoNetApi {
  /** `Deno.connect`. */
  connect(options: { hostname: string; port: number }): Promise<DenoTcpConnLike>;
  /** `Deno.startTls`. */
  startTls(
    conn: DenoTcpConnLike,
    options: { hostname: string; caCerts?: string[] },
  ): Promise<DenoConnLike>;
}

/**
 * Deno's socket functions when running in Deno, otherwise undefined.
 *
 * @example
 * ```ts
 * import { denoNet } from "@nym/mixnet/websocket";
 * console.log(denoNet() !== undefined); // true in Deno
 * ```
 */
export function denoNet(): DenoNetApi | undefined {
  const deno = (globalThis as { Deno?: Partial<DenoNetApi> }).Deno;
  return typeof deno?.connect === "function" && typeof deno.startTls === "function"
    ? deno as DenoNetApi
    : undefined;
}

/** Options of {@linkcode DenoWebSocket}. */
export interface DenoWebSocketOptions {
  /** Extra trusted CA certificates (PEM) for `wss://`, e.g. a localnet's self-signed one. */
  readonly caCerts?: readonly string[];
  /** Largest message accepted from the server, bytes (default 16 MiB; over it: close 1009). */
  readonly maxMessageBytes?: number;
  /** Time allowed to connect and complete the HTTP upgrade, ms (default 10 000). */
  readonly handshakeTimeoutMs?: number;
  /** Time to wait for the server's Close after ours before dropping the socket, ms (1 000). */
  readonly closeTimeoutMs?: number;
  /** The socket functions (default: {@linkcode denoNet}). */
  readonly net?: DenoNetApi;
}

/**
 * Default largest message accepted from the server: 16 MiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_MESSAGE_BYTES } from "@nym/mixnet/websocket";
 * console.log(DEFAULT_MAX_MESSAGE_BYTES); // 16777216
 * ```
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

async function writeAll(conn: DenoConnLike, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

interface Target {
  readonly tls: boolean;
  readonly hostname: string;
  readonly port: number;
  readonly host: string;
  readonly path: string;
}

function parseUrl(url: string | URL): Target {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new DOMException(`invalid WebSocket URL ${url}`, "SyntaxError");
  }
  // As browsers: http(s) URLs are taken as ws(s).
  const scheme = u.protocol === "http:" ? "ws:" : u.protocol === "https:" ? "wss:" : u.protocol;
  if (scheme !== "ws:" && scheme !== "wss:") {
    throw new DOMException(`WebSocket URL scheme must be ws or wss: ${url}`, "SyntaxError");
  }
  if (u.hash) throw new DOMException(`WebSocket URL has a fragment: ${url}`, "SyntaxError");
  const tls = scheme === "wss:";
  return {
    tls,
    hostname: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || (tls ? 443 : 80)),
    host: u.host,
    path: `${u.pathname || "/"}${u.search}`,
  };
}

/** An `on…` event handler property of {@linkcode DenoWebSocket}. */
export type WebSocketHandler<E extends Event> =
  | ((this: DenoWebSocket, event: E) => unknown)
  | null;

/**
 * A `WebSocket` for Deno with TCP_NODELAY. Same events and methods as the Web `WebSocket` (no
 * subprotocols, no extensions, no `Blob` sends).
 *
 * @example Talk to a WebSocket echo server
 * ```ts
 * import { DenoWebSocket } from "@nym/mixnet/websocket";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * const ws = new DenoWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
 * ws.binaryType = "arraybuffer";
 * const echoed = new Promise<MessageEvent>((resolve) => ws.onmessage = resolve);
 * ws.onopen = () => ws.send("hello");
 * console.log((await echoed).data); // "hello"
 * const closed = new Promise((resolve) => ws.onclose = resolve);
 * ws.close();
 * await closed;
 * await server.shutdown();
 * ```
 */
export class DenoWebSocket extends EventTarget {
  /** readyState: connecting. */
  static readonly CONNECTING = 0;
  /** readyState: open. */
  static readonly OPEN = 1;
  /** readyState: closing. */
  static readonly CLOSING = 2;
  /** readyState: closed. */
  static readonly CLOSED = 3;
  /** readyState: connecting. */
  readonly CONNECTING = 0;
  /** readyState: open. */
  readonly OPEN = 1;
  /** readyState: closing. */
  readonly CLOSING = 2;
  /** readyState: closed. */
  readonly CLOSED = 3;

  /** The URL given to the constructor. */
  readonly url: string;
  /** Always "" (no subprotocols). */
  readonly protocol = "";
  /** Always "" (no extensions). */
  readonly extensions = "";
  /** How binary messages are delivered: `"blob"` (default) or `"arraybuffer"`. */
  binaryType: "blob" | "arraybuffer" = "blob";
  /** Fired once the connection is open. */
  onopen: WebSocketHandler<Event> = null;
  /** Fired for every message. */
  onmessage: WebSocketHandler<MessageEvent> = null;
  /** Fired once the connection is closed. */
  onclose: WebSocketHandler<CloseEvent> = null;
  /** Fired when the connection fails (a close follows). */
  onerror: WebSocketHandler<Event> = null;

  #state = 0;
  #buffered = 0;
  #target: Target;
  #options: DenoWebSocketOptions;
  #conn: DenoConnLike | undefined;
  #writes: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  #listened = false;
  #closeSent = false;
  #aborted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #masks = new Uint8Array(0);
  #maskAt = 0;

  /** Opens a connection to a `ws://` or `wss://` URL. */
  constructor(url: string | URL, options: DenoWebSocketOptions = {}) {
    super();
    this.#target = parseUrl(url);
    this.url = String(url);
    this.#options = options;
    const net = options.net ?? denoNet();
    if (!net) throw new DOMException("Deno's socket API is not available", "NotSupportedError");
    this.#run(net);
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    return this.#state;
  }

  /** Bytes passed to `send` and not yet written to the socket. */
  get bufferedAmount(): number {
    return this.#buffered;
  }

  /** Sends a text (string) or binary message. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.#state === 0) {
      throw new DOMException("the WebSocket is connecting", "InvalidStateError");
    }
    if (this.#state !== 1) return; // as browsers: dropped once closing
    if (typeof data === "string") return this.#frame(OPCODE.text, encoder.encode(data));
    if (ArrayBuffer.isView(data)) {
      return this.#frame(
        OPCODE.binary,
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
    }
    if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) {
      return this.#frame(OPCODE.binary, new Uint8Array(data));
    }
    throw new TypeError("DenoWebSocket sends strings, ArrayBuffers and typed arrays");
  }

  /** Starts the closing handshake (code 1000 or 3000–4999, reason up to 123 UTF-8 bytes). */
  close(code?: number, reason = ""): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) {
      throw new DOMException(`close code ${code} is not allowed`, "InvalidAccessError");
    }
    const payload = code === undefined ? new Uint8Array(0) : closePayload(code, reason);
    if (payload.length > 125) throw new DOMException("close reason over 123 bytes", "SyntaxError");
    if (this.#state >= 2) return;
    if (this.#state === 0) {
      this.#abort();
      return;
    }
    this.#state = 2;
    this.#sendClose(payload);
  }

  #sendClose(payload: Uint8Array): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#frame(OPCODE.close, payload, true);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#abort(), this.#options.closeTimeoutMs ?? 1000);
  }

  /** Drops the TCP connection; the read loop then ends with 1006. */
  #abort(): void {
    this.#aborted = true;
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
  }

  #mask(): Uint8Array {
    if (this.#maskAt + 4 > this.#masks.length) {
      this.#masks = crypto.getRandomValues(new Uint8Array(1024));
      this.#maskAt = 0;
    }
    const mask = this.#masks.subarray(this.#maskAt, this.#maskAt + 4);
    this.#maskAt += 4;
    return mask;
  }

  #frame(opcode: number, payload: Uint8Array, control = false): void {
    const conn = this.#conn!;
    const bytes = encodeClientFrame(opcode, payload, this.#mask());
    const counted = control ? 0 : payload.length;
    this.#buffered += counted;
    // On an idle socket the write starts now; otherwise after the frames before it.
    const written = this.#pendingWrites++ === 0
      ? writeAll(conn, bytes)
      : this.#writes.then(() => writeAll(conn, bytes));
    this.#writes = written.then(
      () => {
        this.#pendingWrites--;
        this.#buffered -= counted;
      },
      () => this.#abort(),
    );
  }

  /** Registers a listener (as `EventTarget`); events are dispatched once one was added. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    this.#listened = true;
    super.addEventListener(type, listener, options);
  }

  #fire(type: "open" | "message" | "close" | "error", event: Event): void {
    const handler = this[`on${type}`] as ((event: Event) => unknown) | null;
    if (typeof handler === "function") {
      try {
        handler.call(this, event);
      } catch (error) {
        reportError(error);
      }
    }
    // Dispatching costs even with no listener; most users set only the on… handlers.
    if (this.#listened) this.dispatchEvent(event);
  }

  async #handshake(net: DenoNetApi, reader: ServerFrameReader): Promise<void> {
    const t = this.#target;
    const tcp = await net.connect({ hostname: t.hostname, port: t.port });
    this.#conn = tcp;
    if (this.#aborted) throw new Error("closed while connecting");
    tcp.setNoDelay(true);
    if (t.tls) {
      const caCerts = this.#options.caCerts ? [...this.#options.caCerts] : undefined;
      this.#conn = await net.startTls(tcp, { hostname: t.hostname, caCerts });
    }
    const conn = this.#conn;
    const key = base64(crypto.getRandomValues(new Uint8Array(16)));
    const expected = crypto.subtle.digest("SHA-1", encoder.encode(key + ACCEPT_GUID));
    await writeAll(
      conn,
      encoder.encode(
        `GET ${t.path} HTTP/1.1\r\nHost: ${t.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = new Uint8Array(0);
    let end = -1;
    while (end < 0) {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      if (n === null) throw new WebSocketFrameError("handshake", "closed during the upgrade");
      const grown = new Uint8Array(head.length + n);
      grown.set(head);
      grown.set(chunk.subarray(0, n), head.length);
      head = grown;
      end = latin1.decode(head).indexOf("\r\n\r\n");
      if (end < 0 && head.length > MAX_RESPONSE_HEAD_BYTES) {
        throw new WebSocketFrameError("handshake", "upgrade response head over 16 KiB");
      }
    }
    const lines = latin1.decode(head.subarray(0, end)).split("\r\n");
    if (!/^HTTP\/1\.1 101\b/.test(lines[0])) {
      throw new WebSocketFrameError("handshake", `upgrade refused: ${lines[0].slice(0, 200)}`);
    }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) {
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
    }
    const tokens = (name: string) =>
      (headers.get(name) ?? "").toLowerCase().split(",").map((s) => s.trim());
    if (!tokens("upgrade").includes("websocket") || !tokens("connection").includes("upgrade")) {
      throw new WebSocketFrameError("handshake", "the response does not upgrade to websocket");
    }
    if (headers.get("sec-websocket-accept") !== base64(new Uint8Array(await expected))) {
      throw new WebSocketFrameError("handshake", "wrong Sec-WebSocket-Accept");
    }
    if (headers.has("sec-websocket-extensions") || headers.has("sec-websocket-protocol")) {
      throw new WebSocketFrameError("handshake", "the server chose an extension or subprotocol");
    }
    reader.push(head.subarray(end + 4));
  }

  async #run(net: DenoNetApi): Promise<void> {
    const reader = new ServerFrameReader(
      this.#options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    );
    this.#timer = setTimeout(() => this.#abort(), this.#options.handshakeTimeoutMs ?? 10_000);
    try {
      await this.#handshake(net, reader);
    } catch {
      return this.#finish(1006, "", false);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#aborted) return this.#finish(1006, "", false);
    this.#state = 1;
    this.#fire("open", new Event("open"));
    const conn = this.#conn!;
    try {
      for (;;) {
        let message: ServerMessage | undefined;
        while ((message = reader.next()) !== undefined) {
          if (message.type === "close") {
            if (!this.#closeSent) {
              // Echo the code (RFC 6455 §5.5.1); an empty Close answers an empty one.
              this.#state = 2;
              this.#sendClose(
                message.code === 1005 ? new Uint8Array(0) : closePayload(message.code, ""),
              );
            }
            return this.#finish(message.code, message.reason, true);
          }
          if (message.type === "ping") {
            if (!this.#closeSent) this.#frame(OPCODE.pong, message.data, true);
          } else if (message.type === "text") {
            this.#fire("message", new MessageEvent("message", { data: message.data }));
          } else if (message.type === "binary") {
            const data = this.binaryType === "arraybuffer"
              ? message.data.buffer
              : new Blob([message.data]);
            this.#fire("message", new MessageEvent("message", { data }));
          }
          if (this.#state === 3) return;
        }
        const n = await conn.read(reader.space());
        if (n === null) return this.#finish(1006, "", false);
        reader.commit(n);
      }
    } catch (error) {
      if (error instanceof WebSocketFrameError && !this.#aborted) {
        this.#state = 2;
        this.#sendClose(closePayload(error.closeCode, ""));
        return this.#finish(error.closeCode, "", false);
      }
      return this.#finish(1006, "", false);
    }
  }

  async #finish(code: number, reason: string, wasClean: boolean): Promise<void> {
    if (this.#state === 3) return;
    this.#state = 3;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Let the last frames (our Close) leave, but not forever: a peer that stopped reading
    // would hold a write, and the close event with it.
    let flushed: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#writes,
      new Promise<void>((resolve) => {
        flushed = setTimeout(resolve, this.#options.closeTimeoutMs ?? 1000);
      }),
    ]);
    clearTimeout(flushed);
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#buffered = 0;
    if (!wasClean) this.#fire("error", new Event("error"));
    this.#fire("close", new CloseEvent("close", { code, reason, wasClean }));
  }
}

/**
 * A `WebSocket` constructor with fixed {@linkcode DenoWebSocketOptions}, to inject where a
 * one-argument constructor is expected (e.g. `connect({ WebSocket })`).
 *
 * @example
 * ```ts
 * import { denoWebSocket } from "@nym/mixnet/websocket";
 * const WebSocket = denoWebSocket({ maxMessageBytes: 1 << 20 });
 * console.log(typeof WebSocket); // "function"
 * ```
 */
export function denoWebSocket(
  options: DenoWebSocketOptions = {},
): new (url: string | URL) => DenoWebSocket {
  return class extends DenoWebSocket {
    constructor(url: string | URL) {
      super(url, options);
    }
  };
}
