// Scaffolding for tests of the native nym-client WebSocket API server: a fake client behind the
// server, an application connection that queues what the server sends, and a log of the
// server's events.
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import type { NativeApiClient, NativeApiEvent } from "../cli/native_api_server.ts";

/** A client behind the API: records sends and replies, pushes messages on demand. */
export class FakeNativeClient implements NativeApiClient {
  readonly messages: ReadableStream<ReceivedMessage>;
  readonly queueLength = 0;
  /** How many `send` and `reply` calls reached the client. */
  calls = 0;
  #controller!: ReadableStreamDefaultController<ReceivedMessage>;

  constructor(readonly address: string) {
    this.messages = new ReadableStream({ start: (c) => void (this.#controller = c) });
  }
  send(): void {
    this.calls++;
  }
  reply(): void {
    this.calls++;
  }
  laneQueueLength(): number {
    return 0;
  }
  push(message: ReceivedMessage): void {
    this.#controller.enqueue(message);
  }
  /** Ends the message stream (call after the server closed). */
  end(): void {
    this.#controller.close();
  }
}

/** A frame the server sent: text or binary. */
export type ApiFrame = string | Uint8Array;

/** An application connected to the API with a real WebSocket. */
export class ApiApp {
  readonly ws: WebSocket;
  #frames: ApiFrame[] = [];
  #waiting: ((frame: ApiFrame) => void)[] = [];
  #closed: Promise<void>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onmessage = (event) => {
      const frame = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      const waiter = this.#waiting.shift();
      if (waiter) waiter(frame);
      else this.#frames.push(frame);
    };
    this.#closed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
  }

  /** Connects; rejects if the server refuses. */
  static async open(url: string): Promise<ApiApp> {
    const app = new ApiApp(new WebSocket(url));
    try {
      await new Promise<void>((resolve, reject) => {
        app.ws.onopen = () => resolve();
        app.ws.onerror = () => reject(new Error("cannot connect"));
      });
    } catch (error) {
      await app.#closed;
      throw error;
    }
    return app;
  }

  /** The next frame, waiting for it. */
  next(): Promise<ApiFrame> {
    const frame = this.#frames.shift();
    return frame !== undefined ? Promise.resolve(frame) : new Promise((r) => this.#waiting.push(r));
  }

  /** Closes and waits for the close to complete. */
  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.#closed;
  }
}

/** Records server events; `waitFor` resolves once enough events of a type have happened. */
export class NativeApiEventLog {
  readonly events: NativeApiEvent[] = [];
  #waiters: { type: NativeApiEvent["type"]; n: number; resolve: () => void }[] = [];
  readonly onEvent = (event: NativeApiEvent): void => {
    this.events.push(event);
    const ready = this.#waiters.filter((w) => this.count(w.type) >= w.n);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  /** Events of `type` so far. */
  count(type: NativeApiEvent["type"]): number {
    return this.events.filter((e) => e.type === type).length;
  }
  /** Requests that failed to decode (or to be handled). */
  get invalid(): number {
    return this.events.filter((e) => e.type === "request" && e.request === "invalid").length;
  }
  /** Resolves once `n` events of `type` happened. */
  waitFor(type: NativeApiEvent["type"], n = 1): Promise<void> {
    if (this.count(type) >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ type, n, resolve }));
  }
}
