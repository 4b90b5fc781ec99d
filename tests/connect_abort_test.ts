// connect({ signal }) aborts every step (storage, latency probe, gateway handshake) and leaves no
// socket or timer behind (Deno's leak checks and the manual clock's pending timers prove it).
import { connect } from "../client/connect.ts";
import type { ClientStorage } from "../client/storage.ts";
import type { WebSocketLike } from "../gateway/mod.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { assertEquals, assertRejects } from "./_assert.ts";
import { ManualClock } from "./_manual_clock.ts";

/** A WebSocket that opens (or not) and then never answers; it records its fate. */
class SilentSocket implements WebSocketLike {
  static all: SilentSocket[] = [];
  static opens = false;
  static onSend: (() => void) | undefined;
  static onCreate: (() => void) | undefined;
  binaryType = "blob";
  readyState = 0;
  bufferedAmount = 0;
  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onclose: ((event: CloseEvent) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;
  sent = 0;
  closed = false;
  constructor(readonly url: string) {
    SilentSocket.all.push(this);
    SilentSocket.onCreate?.();
    if (SilentSocket.opens) {
      queueMicrotask(() => {
        if (this.closed) return;
        this.readyState = 1;
        this.onopen?.(new Event("open"));
      });
    }
  }
  send(): void {
    this.sent++;
    SilentSocket.onSend?.();
  }
  close(code = 1000): void {
    if (this.closed) return;
    this.closed = true;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.(new CloseEvent("close", { code })));
  }
}

function reset(opens: boolean): void {
  SilentSocket.all = [];
  SilentSocket.opens = opens;
  SilentSocket.onSend = undefined;
  SilentSocket.onCreate = undefined;
}

Deno.test("an abort while storage is busy rejects with the signal's reason", async () => {
  const never = new Promise<never>(() => {});
  const storage: ClientStorage = { get: () => never, set: () => never, delete: () => never };
  const abort = new AbortController();
  const clock = new ManualClock();
  const connecting = connect({ storage, clock, signal: abort.signal, nymApiUrl: "http://x/" });
  abort.abort(new Error("user cancelled"));
  const error = await assertRejects(() => connecting, Error);
  assertEquals(error.message, "user cancelled");
  assertEquals(clock.pending, 0);
});

Deno.test("an abort during the latency probe closes every probe socket and clears its timers", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  reset(false);
  const abort = new AbortController();
  const probing = new Promise<void>((resolve) =>
    SilentSocket.onCreate = () => SilentSocket.all.length === 2 && resolve()
  );
  const clock = new ManualClock();
  const connecting = connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gatewaySelection: "latency",
    WebSocket: SilentSocket,
    clock,
    signal: abort.signal,
  });
  await probing;
  abort.abort(new DOMException("stop", "AbortError"));
  await assertRejects(() => connecting, DOMException);
  assertEquals(SilentSocket.all.map((s) => s.closed), [true, true]);
  assertEquals(clock.pending, 0);
});

Deno.test("an abort during the gateway handshake closes the socket and clears its timers", async () => {
  await using net = await startLocalnet({ gateways: 1, logger: "silent" });
  reset(true);
  const abort = new AbortController();
  SilentSocket.onSend = () => abort.abort(new DOMException("stop", "AbortError"));
  const clock = new ManualClock();
  await assertRejects(
    () =>
      connect({
        nymApiUrl: net.nymApiUrl,
        traffic: "noCover",
        WebSocket: SilentSocket,
        clock,
        signal: abort.signal,
      }),
    DOMException,
  );
  assertEquals(SilentSocket.all.length, 1);
  assertEquals([SilentSocket.all[0].sent > 0, SilentSocket.all[0].closed], [true, true]);
  assertEquals(clock.pending, 0);
});

Deno.test("a reply store that fails to load leaves no gateway connection behind", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  // Every socket connect() opens, and whether connect() closed it itself.
  const sockets: { closed: boolean }[] = [];
  class TrackedSocket extends WebSocket {
    #entry = { closed: false };
    constructor(url: string) {
      super(url);
      sockets.push(this.#entry);
    }
    override close(code?: number, reason?: string): void {
      this.#entry.closed = true;
      super.close(code, reason);
    }
  }
  let saved = 0;
  const error = await assertRejects(
    () =>
      connect({
        nymApiUrl: net.nymApiUrl,
        traffic: "noCover",
        WebSocket: TrackedSocket,
        replyPersistence: {
          load: () => Promise.reject(new Error("the reply store is locked")),
          save: () => {
            saved++;
            return Promise.resolve();
          },
        },
      }),
    Error,
  );
  assertEquals([error.message, saved], ["the reply store is locked", 0]);
  assertEquals(sockets.map((s) => s.closed), [true], "the authenticated socket was closed");
});
