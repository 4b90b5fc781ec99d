/**
 * A server-side RFC 6455 WebSocket over a raw `Deno.Conn`: the HTTP upgrade (with
 * `Sec-WebSocket-Accept`, no extensions, no subprotocol), masked client frames, fragmentation,
 * automatic Pong replies, Pings with a chosen payload, the closing handshake and size limits.
 *
 * Written by hand (rather than `Deno.upgradeWebSocket`) so that the gateway can send a Ping with
 * a random payload and see the matching Pong, as Nym's duplicate-session check requires.
 *
 * @module
 */
import { encodeCloseFrame, encodeFrame, OPCODE, type WebSocketMessage } from "./websocket_frame.ts";
import { WebSocketMessageParser } from "./websocket_frame.ts";
import { WebSocketError } from "./websocket_error.ts";

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_HEADER_BYTES = 16 * 1024;

/** Limits and timeouts of a {@linkcode ServerWebSocket}. */
export interface ServerWebSocketOptions {
  /** Time allowed for the HTTP upgrade request; 1 500 ms by default (Nym's value). */
  readonly handshakeTimeoutMs?: number;
  /** Time to wait for the peer's Close after sending ours; 1 000 ms by default. */
  readonly closeTimeoutMs?: number;
  /** Largest frame payload accepted; 1 MiB by default. */
  readonly maxFrameSize?: number;
  /** Largest reassembled message accepted; 1 MiB by default. */
  readonly maxMessageSize?: number;
  /**
   * Received messages not yet taken by `receive` that may wait, in bytes; 2 MiB by default.
   * Beyond it the connection is not read (TCP backpressure on the peer) until `receive` drains
   * the queue.
   */
  readonly maxQueuedBytes?: number;
  /**
   * Bytes waiting to be written (responses, pushes, pongs) beyond which the peer is deemed not
   * to read and the connection is closed; 4 MiB by default.
   */
  readonly maxPendingWriteBytes?: number;
  /** A write that makes no progress for this long closes the connection; 10 000 ms by default. */
  readonly writeTimeoutMs?: number;
  /**
   * Time a started frame (or fragmented message) may take to arrive completely; 10 000 ms by
   * default. Beyond it the connection is closed (slow senders keep no buffer forever).
   */
  readonly frameTimeoutMs?: number;
}

/** A message as {@linkcode ServerWebSocket.receive} yields it (Close is handled internally). */
export type ReceivedMessage = Exclude<WebSocketMessage, { type: "close" }>;

/** How the connection ended. */
export interface WebSocketCloseInfo {
  /** The close code sent or received (1006 when the TCP connection just ended). */
  readonly code: number;
  /** The close reason. */
  readonly reason: string;
  /** The protocol error that ended the connection, if one did. */
  readonly error?: WebSocketError;
}

async function sha1Base64(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)),
  );
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary);
}

function headerTokens(value: string | undefined): string[] {
  return (value ?? "").split(",").map((t) => t.trim().toLowerCase());
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/**
 * One accepted WebSocket connection.
 *
 * @example Accept one connection and echo its first text message
 * ```ts
 * import { ServerWebSocket } from "./mod.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = new WebSocket(`ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
 * const echoed = new Promise((resolve) => client.onmessage = (e) => resolve(e.data));
 * const closed = new Promise((resolve) => client.onclose = resolve);
 * client.onopen = () => client.send("ping?");
 * const ws = await ServerWebSocket.accept(await listener.accept());
 * const message = await ws.receive();
 * if (message?.type === "text") await ws.sendText(message.data);
 * console.log(await echoed); // "ping?"
 * await ws.close();
 * await closed;
 * listener.close();
 * ```
 */
export class ServerWebSocket {
  readonly #conn: Deno.Conn;
  readonly #parser: WebSocketMessageParser;
  readonly #closeTimeoutMs: number;
  readonly #maxQueuedBytes: number;
  readonly #maxPendingWriteBytes: number;
  readonly #writeTimeoutMs: number;
  readonly #frameTimeoutMs: number;
  readonly #queue: ReceivedMessage[] = [];
  #queuedBytes = 0;
  #pendingWriteBytes = 0;
  #resume: (() => void) | undefined;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  #waiter: ((message: ReceivedMessage | undefined) => void) | undefined;
  #writeChain: Promise<void> = Promise.resolve();
  #closeSent = false;
  #connClosed = false;
  #closeInfo: WebSocketCloseInfo | undefined;
  #peerClosed: (() => void) | undefined;
  readonly #readLoop: Promise<void>;

  private constructor(conn: Deno.Conn, leftover: Uint8Array, options: ServerWebSocketOptions) {
    this.#conn = conn;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 1000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 2 * 1024 * 1024;
    this.#maxPendingWriteBytes = options.maxPendingWriteBytes ?? 4 * 1024 * 1024;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
    this.#frameTimeoutMs = options.frameTimeoutMs ?? 10_000;
    this.#parser = new WebSocketMessageParser({
      maxFrameSize: options.maxFrameSize ?? 1 << 20,
      maxMessageSize: options.maxMessageSize ?? 1 << 20,
    });
    this.#readLoop = this.#read(leftover);
  }

  /**
   * Reads the HTTP upgrade request from `conn`, answers `101 Switching Protocols` and returns the
   * connection. On a bad request it answers 400 (or 426 for a wrong version), closes `conn` and
   * throws {@linkcode WebSocketError} of kind `handshake`; `timeout` if the request is too slow.
   */
  static async accept(
    conn: Deno.Conn,
    options: ServerWebSocketOptions = {},
  ): Promise<ServerWebSocket> {
    const timeoutMs = options.handshakeTimeoutMs ?? 1500;
    // small frames (responses, then Close) must not wait for Nagle's algorithm
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        conn.close();
      } catch { /* already closed */ }
    }, timeoutMs);
    try {
      const { head, leftover } = await readRequestHead(conn);
      const key = await checkUpgrade(conn, head);
      const accept = await sha1Base64(key + ACCEPT_GUID);
      await writeAll(
        conn,
        new TextEncoder().encode(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        ),
      );
      clearTimeout(timer);
      return new ServerWebSocket(conn, leftover, options);
    } catch (error) {
      clearTimeout(timer);
      try {
        conn.close();
      } catch { /* already closed */ }
      if (timedOut) throw new WebSocketError("timeout", "the WebSocket handshake timed out");
      if (error instanceof WebSocketError) throw error;
      throw new WebSocketError("handshake", "the connection failed during the handshake", {
        cause: error,
      });
    }
  }

  /** How the connection ended, once it has. */
  get closeInfo(): WebSocketCloseInfo | undefined {
    return this.#closeInfo;
  }

  /** Bytes of received messages waiting for `receive`, plus an incomplete one being read. */
  get bufferedBytes(): number {
    return this.#queuedBytes + this.#parser.buffered;
  }

  /** Bytes handed to `send*`/`ping` (or automatic pongs) and not written yet. */
  get bufferedAmount(): number {
    return this.#pendingWriteBytes;
  }

  /** Whether `bytes` more can be queued for writing without reaching the pending-write cap. */
  canSend(bytes: number): boolean {
    return !this.closing && this.#pendingWriteBytes + bytes <= this.#maxPendingWriteBytes;
  }

  /** True once a Close was sent or the connection ended; nothing more can be sent. */
  get closing(): boolean {
    return this.#closeSent || this.#connClosed;
  }

  /**
   * The next text, binary, ping or pong message, or `undefined` once the connection is closed.
   * With `timeoutMs`, rejects with {@linkcode WebSocketError} of kind `timeout` if nothing arrives
   * in time (the connection stays open).
   */
  receive(timeoutMs?: number): Promise<ReceivedMessage | undefined> {
    const queued = this.#queue.shift();
    if (queued) {
      this.#queuedBytes -= messageBytes(queued);
      if (this.#queuedBytes <= this.#maxQueuedBytes / 2) this.#resumeReading();
      return Promise.resolve(queued);
    }
    this.#resumeReading();
    if (this.#connClosed || this.#closeInfo) return Promise.resolve(undefined);
    if (this.#waiter) {
      return Promise.reject(new WebSocketError("protocol", "receive() is already pending"));
    }
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#waiter = undefined;
          reject(new WebSocketError("timeout", `nothing received within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.#waiter = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  /** Sends a text message. */
  sendText(text: string): Promise<void> {
    return this.#sendFrame(encodeFrame(OPCODE.text, new TextEncoder().encode(text)));
  }

  /** Sends a binary message. */
  sendBinary(data: Uint8Array): Promise<void> {
    return this.#sendFrame(encodeFrame(OPCODE.binary, data));
  }

  /** Sends a Ping with `payload` (at most 125 bytes); the Pong arrives through `receive`. */
  ping(payload: Uint8Array): Promise<void> {
    if (payload.length > 125) {
      return Promise.reject(new WebSocketError("protocol", "ping payload longer than 125 bytes"));
    }
    return this.#sendFrame(encodeFrame(OPCODE.ping, payload));
  }

  /**
   * Sends a Close frame, waits (up to the close timeout) for the peer's Close, then closes the
   * TCP connection. Resolves once everything is released; safe to call more than once.
   */
  async close(code = 1000, reason = ""): Promise<void> {
    if (!this.#closeSent && !this.#connClosed) {
      this.#closeSent = true;
      this.#closeInfo ??= { code, reason };
      const peerClosed = new Promise<void>((resolve) => this.#peerClosed = resolve);
      try {
        await this.#write(encodeCloseFrame(code, reason));
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          peerClosed,
          new Promise<void>((resolve) => timer = setTimeout(resolve, this.#closeTimeoutMs)),
        ]);
        clearTimeout(timer);
      } catch { /* the connection is gone already */ }
      this.#closeConn();
    }
    await this.#readLoop;
    await this.#writeChain.catch(() => {});
  }

  #sendFrame(frame: Uint8Array): Promise<void> {
    if (this.#closeSent || this.#connClosed) {
      return Promise.reject(new WebSocketError("closed", "the WebSocket is closing or closed"));
    }
    return this.#write(frame);
  }

  #write(bytes: Uint8Array): Promise<void> {
    if (this.#pendingWriteBytes + bytes.length > this.#maxPendingWriteBytes) {
      // The peer does not read what we send (or not fast enough): drop it rather than buffer.
      this.#fatal(
        new WebSocketError(
          "timeout",
          `the peer is not reading: ${this.#pendingWriteBytes} bytes wait to be written`,
        ),
      );
      return Promise.reject(new WebSocketError("closed", "the peer is not reading"));
    }
    this.#pendingWriteBytes += bytes.length;
    const result = this.#writeChain.then(() => {
      if (this.#connClosed) throw new WebSocketError("closed", "the connection is closed");
      return this.#timedWrite(bytes);
    }).finally(() => {
      this.#pendingWriteBytes -= bytes.length;
    });
    this.#writeChain = result.catch(() => {});
    return result.catch((cause) => {
      throw cause instanceof WebSocketError
        ? cause
        : new WebSocketError("closed", "writing to the connection failed", { cause });
    });
  }

  /** Writes `bytes`; a write without progress for the write timeout closes the connection. */
  async #timedWrite(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new WebSocketError(
            "timeout",
            `a write made no progress for ${this.#writeTimeoutMs} ms`,
          );
          this.#fatal(error);
          reject(error);
        }, this.#writeTimeoutMs);
      });
      try {
        offset += await Promise.race([this.#conn.write(bytes.subarray(offset)), stalled]);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Ends the connection at once for `error` (no closing handshake: the peer is not reading). */
  #fatal(error: WebSocketError): void {
    this.#closeInfo ??= { code: error.closeCode, reason: error.message, error };
    this.#closeSent = true;
    this.#closeConn();
  }

  #closeConn(): void {
    this.#clearFrameTimer();
    if (this.#connClosed) return;
    this.#connClosed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    this.#resumeReading();
  }

  #resumeReading(): void {
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.();
  }

  #clearFrameTimer(): void {
    clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
  }

  /** Runs the frame deadline while a frame is incomplete, and only then. */
  #watchFrame(): void {
    if (this.#parser.buffered === 0) {
      this.#clearFrameTimer();
      return;
    }
    this.#frameTimer ??= setTimeout(() => {
      this.#frameTimer = undefined;
      this.#fatal(
        new WebSocketError(
          "timeout",
          `a frame stayed incomplete for ${this.#frameTimeoutMs} ms`,
        ),
      );
    }, this.#frameTimeoutMs);
  }

  #deliver(message: ReceivedMessage | undefined): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(message);
    } else if (message) {
      this.#queue.push(message);
      this.#queuedBytes += messageBytes(message);
    }
  }

  async #read(leftover: Uint8Array): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      let chunk: Uint8Array | null = leftover;
      for (;;) {
        if (chunk && chunk.length > 0) {
          this.#parser.push(chunk);
          if (this.#drain()) break;
        }
        if (this.#queuedBytes > this.#maxQueuedBytes && !this.#connClosed) {
          // backpressure: stop reading (the peer's writes stall) until receive() drains
          this.#clearFrameTimer();
          await new Promise<void>((resolve) => this.#resume = resolve);
          if (this.#connClosed) break;
        }
        this.#watchFrame();
        let n: number | null;
        try {
          n = await this.#conn.read(buffer);
        } catch {
          n = null;
        }
        if (n === null) {
          this.#closeInfo ??= { code: 1006, reason: "connection ended" };
          break;
        }
        chunk = buffer.subarray(0, n);
      }
    } catch (error) {
      const e = error instanceof WebSocketError
        ? error
        : new WebSocketError("protocol", "malformed frame", { cause: error });
      this.#closeInfo ??= { code: e.closeCode, reason: e.message, error: e };
      if (!this.#closeSent) {
        this.#closeSent = true;
        await this.#write(encodeCloseFrame(e.closeCode, e.message)).catch(() => {});
      }
    }
    this.#clearFrameTimer();
    await this.#writeChain.catch(() => {}); // let a Close echo reach the peer first
    this.#closeConn();
    this.#peerClosed?.();
    this.#deliver(undefined);
  }

  // Handles every complete message; true once the peer's Close has been processed.
  #drain(): boolean {
    for (;;) {
      const message = this.#parser.next();
      if (!message) return false;
      if (message.type === "close") {
        this.#closeInfo ??= { code: message.code, reason: message.reason };
        if (!this.#closeSent) {
          this.#closeSent = true;
          const echo = message.code === 1005
            ? encodeFrame(OPCODE.close, new Uint8Array(0))
            : encodeCloseFrame(message.code, "");
          this.#write(echo).catch(() => {});
        }
        return true;
      }
      if (message.type === "ping" && !this.#closeSent) {
        this.#write(encodeFrame(OPCODE.pong, message.data)).catch(() => {});
      }
      this.#deliver(message);
    }
  }
}

function messageBytes(message: ReceivedMessage): number {
  return message.data.length; // UTF-16 units of a text message: close enough to its bytes
}

async function readRequestHead(conn: Deno.Conn): Promise<{ head: string; leftover: Uint8Array }> {
  let data = new Uint8Array(0);
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) throw new WebSocketError("handshake", "the connection ended before a request");
    const next = new Uint8Array(data.length + n);
    next.set(data);
    next.set(buffer.subarray(0, n), data.length);
    data = next;
    for (let i = 3; i < data.length; i++) {
      if (data[i - 3] === 13 && data[i - 2] === 10 && data[i - 1] === 13 && data[i] === 10) {
        return {
          head: new TextDecoder().decode(data.subarray(0, i - 3)),
          leftover: data.slice(i + 1),
        };
      }
    }
    if (data.length > MAX_HEADER_BYTES) {
      throw new WebSocketError("handshake", "the request head is too large");
    }
  }
}

// Validates the upgrade request and returns its Sec-WebSocket-Key; answers 400/426 otherwise.
async function checkUpgrade(conn: Deno.Conn, head: string): Promise<string> {
  const lines = head.split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const refuse = async (status: string, reason: string, extra = ""): Promise<never> => {
    await writeAll(
      conn,
      new TextEncoder().encode(
        `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n${extra}\r\n`,
      ),
    ).catch(() => {});
    throw new WebSocketError("handshake", reason);
  };
  if (!/^GET \S+ HTTP\/1\.1$/.test(lines[0])) {
    return await refuse("400 Bad Request", `not a GET HTTP/1.1 request: ${lines[0].slice(0, 80)}`);
  }
  if (!headerTokens(headers.get("upgrade")).includes("websocket")) {
    return await refuse("400 Bad Request", "missing Upgrade: websocket");
  }
  if (!headerTokens(headers.get("connection")).includes("upgrade")) {
    return await refuse("400 Bad Request", "missing Connection: Upgrade");
  }
  if (headers.get("sec-websocket-version") !== "13") {
    return await refuse(
      "426 Upgrade Required",
      "unsupported Sec-WebSocket-Version",
      "Sec-WebSocket-Version: 13\r\n",
    );
  }
  const key = headers.get("sec-websocket-key") ?? "";
  let keyBytes = 0;
  try {
    keyBytes = atob(key).length;
  } catch { /* reported below */ }
  if (keyBytes !== 16) {
    return await refuse("400 Bad Request", "Sec-WebSocket-Key is not 16 bytes of base64");
  }
  return key;
}
