// The state of one stream: reorder buffer and readable on the way in; coalescing, sequence
// numbers, an in-flight window and the writable on the way out; idle timeout and keepalive.
import type { Clock, TimerHandle } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import { encodeStreamFrame, type StreamFrame, type StreamMessageType } from "./frame.ts";
import type { MixnetStream } from "./mixnet_stream.ts";
import { ReorderBuffer } from "./reorder_buffer.ts";
import { StreamError } from "./stream_error.ts";

/** Settings shared by every stream of a multiplexer (see `StreamMultiplexerOptions`). */
export interface StreamSettings {
  readonly idleTimeoutMs: number;
  readonly reorderCapacity: number;
  readonly reorderBufferBytes: number;
  readonly maxFramesInFlight: number;
  readonly writeBufferBytes: number;
  readonly pingIntervalMs: number;
  readonly missedPongsThreshold: number;
  readonly tolerateDataLoss: boolean;
}

/** What a stream needs from its multiplexer. */
export interface StreamContext {
  readonly id: bigint;
  readonly direction: "outbound" | "inbound";
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly settings: StreamSettings;
  /** Largest data payload that keeps a frame in one packet on this stream's route. */
  readonly maxPayload: number;
  /** Sends frame bytes to the peer (with `surbs` reply SURBs where the route allows them). */
  transmit(bytes: Uint8Array, surbs: number): DeliveryHandle;
  /** Reply SURBs to attach to data frames (outbound streams). */
  readonly dataSurbs: number;
  /** Called once when the stream is over (cleanly or not). */
  onEnd(stream: Stream): void;
  /** Called when the reorder buffer skipped missing frames. */
  onDataLoss(stream: Stream, from: number, count: number): void;
}

/** Reply SURBs on a keepalive ping (Nym's `PING_SURBS`): more than its pong consumes. */
const PING_SURBS = 2;
/** Transmissions of one frame by the stream itself: the original and up to three copies. */
const MAX_COPIES = 4;
/** A frame overtaken by a later one is copied after max(this, 2 × the shortest round trip). */
const MIN_HEDGE_MS = 100;
/** Round-trip samples the shortest round trip is taken over. */
const RTT_SAMPLES = 32;
/**
 * Before the peer shows that it registered the stream (its `OpenAck` or any frame), send at
 * most this many frames (Nym's `MAX_ORPHAN_MESSAGES`: a Nym acceptor keeps only 32 frames that
 * overtook their stream's registration), then wait for it, or for this long after the `Open`
 * reached the peer's gateway (Nym's `ORPHAN_TTL`), since SDKs older than nymtech/nym#7098 never
 * send an `OpenAck`.
 */
const EARLY_FRAMES = 32;
const EARLY_WAIT_MS = 5_000;

/** A data or close frame sent and not yet acknowledged. */
interface Flight {
  readonly sequence: number;
  readonly bytes: Uint8Array;
  readonly surbs: number;
  /** Transmission counter value of the last copy, to tell which frames overtook which. */
  lastSendOrder: number;
  copies: number;
  pending: number;
  done: boolean;
  /** When a frame sent after this one's last copy was acknowledged first. */
  overtakenAt: number | undefined;
  readonly settled: Promise<void>;
  readonly resolve: () => void;
}
const END = Symbol("end of stream");
type Inbound = Uint8Array | typeof END;

function deferred(): {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
} {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // observed through the public getters; never unhandled
  return { promise, resolve, reject };
}

/** One stream. The multiplexer feeds it frames and sweeps it on a timer. */
export class Stream implements MixnetStream {
  readonly id: bigint;
  readonly direction: "outbound" | "inbound";
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;

  #c: StreamContext;
  #established = deferred();
  #closed = deferred();
  #isEstablished = false;
  #failure: StreamError | undefined;
  #ended = false;
  #carriedData = false;

  // inbound
  #reorder: ReorderBuffer<Inbound>;
  #rc!: ReadableStreamDefaultController<Uint8Array>;
  #readDone = false;
  #lastPeerActivity: number | undefined;

  // outbound
  #wc!: WritableStreamDefaultController;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #nextSeq = 0;
  #inFlight = new Map<number, Flight>();
  #rtts: number[] = [];
  #acked: (() => void)[] = [];
  #copiesSent = 0;
  #sendCounter = 0;
  #openSent: Promise<void> | undefined;
  #openDeliveredAt: number | undefined;
  #earlyWaitOver = false;
  #chain: Promise<void> = Promise.resolve();
  #flushTimer: TimerHandle | undefined;
  #writeState: "open" | "closing" | "done" = "open";
  #finishing: Promise<void> | undefined;
  #lastActivity: number;

  // keepalive (outbound streams, once the peer showed it speaks the liveness frames)
  #armed = false;
  #pingNonce: number | undefined;
  #pingSentAt: number | undefined;
  #missedPongs = 0;
  #pingStopped = false;

  constructor(context: StreamContext) {
    this.#c = context;
    this.id = context.id;
    this.direction = context.direction;
    this.#lastActivity = context.clock.now();
    this.#reorder = new ReorderBuffer<Inbound>({
      capacity: context.settings.reorderCapacity,
      maxBytes: context.settings.reorderBufferBytes,
      sizeOf: (item) => item === END ? 0 : item.length,
    });
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#rc = controller;
      },
      cancel: () => {
        this.#readDone = true;
        this.#reorder.clear();
        this.#maybeEnd();
      },
    }, { highWaterMark: 0 });
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#wc = controller;
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#finishWriting(),
      abort: (reason) => this.abort(reason),
    }, {
      highWaterMark: context.settings.writeBufferBytes,
      size: (chunk) => chunk?.byteLength ?? 1,
    });
    if (context.direction === "inbound") this.#establish();
  }

  get established(): Promise<void> {
    return this.#established.promise;
  }

  /** While our side is closing: settles once its close frame is acknowledged (or it failed). */
  get closing(): Promise<void> | undefined {
    return this.#writeState === "closing" && this.#failure === undefined
      ? this.#finishing
      : undefined;
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  get lastPeerActivity(): number | undefined {
    return this.#lastPeerActivity;
  }

  /** True once the stream ended (deregistered). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True once data went either way (initial data, a data frame, or a write). */
  get carriedData(): boolean {
    return this.#carriedData;
  }

  /** Sends the `Open` (outbound streams); its delivery gates frames beyond the first window. */
  sendOpen(surbs: number): void {
    const handle = this.#c.transmit(this.#frame("open", 0, new Uint8Array(0)), surbs);
    this.#openSent = this.#track(handle, "open");
  }

  /** Delivers `payload` carried by the `Open` (initial data) before data frame 0. */
  deliverInitial(payload: Uint8Array): void {
    if (payload.length > 0) this.#carriedData = true;
    if (payload.length > 0 && !this.#readDone) this.#rc.enqueue(payload.slice());
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** Handles one frame from the peer. */
  receive(frame: StreamFrame): void {
    if (this.#ended) return;
    // A pong answers only the ping outstanding: a stale or replayed one proves nothing.
    if (
      frame.type === "pong" && this.#pingNonce !== undefined && frame.sequence !== this.#pingNonce
    ) {
      return;
    }
    const now = this.#c.clock.now();
    this.#lastPeerActivity = now;
    this.#lastActivity = now;
    // Any frame from the peer is proof of life: a ping outstanding is answered in effect.
    this.#pingNonce = undefined;
    this.#pingSentAt = undefined;
    this.#missedPongs = 0;
    if (this.#armed) this.#pingStopped = false;
    this.#establish();
    switch (frame.type) {
      case "data":
        this.#carriedData = true;
        this.#sequenced(frame.sequence, frame.payload);
        return;
      case "close":
        this.#sequenced(frame.sequence, END);
        return;
      case "openAck":
      case "pong":
        this.#armed = true;
        return;
      case "ping":
        this.#armed = true;
        this.#send("pong", frame.sequence, 0);
        return;
      case "reset":
        this.#fail(new StreamError("reset", `stream ${this.id} was reset by the peer`), false);
        return;
      case "open":
        return; // a duplicate Open for a stream we have: ignored, as Nym
    }
  }

  #sequenced(sequence: number, item: Inbound): void {
    if (this.#readDone) return;
    const { events } = this.#reorder.push(sequence, item);
    for (const event of events) {
      if (this.#readDone || this.#ended) return;
      if (event.kind === "gap") {
        this.#c.onDataLoss(this, event.from, event.count);
        if (!this.#c.settings.tolerateDataLoss) {
          this.#fail(
            new StreamError(
              "data-loss",
              `stream ${this.id} lost ${event.count} frame(s) from sequence ${event.from}`,
            ),
            true,
          );
          return;
        }
        continue;
      }
      if (event.item === END) {
        this.#readDone = true;
        this.#reorder.clear();
        try {
          this.#rc.close();
        } catch {
          // cancelled meanwhile
        }
        this.#maybeEnd();
        return;
      }
      if (event.item.length > 0) this.#rc.enqueue(event.item.slice());
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  #frame(type: StreamMessageType, sequence: number, payload: Uint8Array): Uint8Array {
    return encodeStreamFrame({ streamId: this.id, type, sequence, payload });
  }

  /** A best-effort control frame (pong, reset): failures are ignored. */
  #send(type: StreamMessageType, sequence: number, surbs: number): void {
    try {
      this.#c.transmit(this.#frame(type, sequence, new Uint8Array(0)), surbs);
    } catch {
      // the client is closing; the peer will time out
    }
  }

  /** Watches a frame's delivery; a failed delivery fails the stream. */
  #track(handle: DeliveryHandle, what: string): Promise<void> {
    return handle.delivered.then(
      () => {},
      (error) => {
        this.#fail(
          new StreamError(
            error?.kind === "closed" ? "client-closed" : "delivery-failed",
            `stream ${this.id}: the ${what} frame was not delivered: ${error?.message ?? error}`,
            { cause: error },
          ),
          false,
        );
      },
    );
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError("a stream's writable takes Uint8Array chunks");
    }
    this.#assertWritable();
    if (chunk.length === 0) return;
    this.#carriedData = true;
    this.#lastActivity = this.#c.clock.now();
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#pendingBytes >= this.#c.maxPayload) await this.#serialize(() => this.#emit(false));
    if (this.#pendingBytes > 0) {
      // Keep only a copy of the remainder: the writer may reuse its buffer once write resolves.
      this.#pending = [this.#take(this.#pendingBytes)];
      this.#pendingBytes = this.#pending[0].length;
      this.#scheduleFlush();
    }
  }

  #assertWritable(): void {
    if (this.#failure) throw this.#failure;
    if (this.#writeState !== "open") {
      throw new StreamError("closed", `stream ${this.id} is closed for writing`);
    }
  }

  /** Runs frame emissions one after another, so sequence numbers follow the byte order. */
  #serialize(task: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => {});
    return run;
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = this.#c.clock.setTimeout(() => {
      this.#flushTimer = undefined;
      this.#serialize(() => this.#emit(true)).catch(() => {});
    }, 0);
  }

  /** Sends full frames from the pending bytes, and with `all` the partial last one too. */
  async #emit(all: boolean): Promise<void> {
    const max = this.#c.maxPayload;
    while (this.#pendingBytes >= max || (all && this.#pendingBytes > 0)) {
      await this.#room();
      const payload = this.#take(Math.min(max, this.#pendingBytes));
      this.#sendSequenced("data", payload);
    }
  }

  #take(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let offset = 0;
    while (offset < length) {
      const head = this.#pending[0];
      const n = Math.min(head.length, length - offset);
      out.set(head.subarray(0, n), offset);
      offset += n;
      if (n === head.length) this.#pending.shift();
      else this.#pending[0] = head.subarray(n);
    }
    this.#pendingBytes -= length;
    return out;
  }

  /**
   * Waits until frame `#nextSeq` may leave: at most `maxFramesInFlight` sequence numbers between
   * the oldest unacknowledged frame and it, so the receiver never holds more than that behind a
   * gap; and beyond the first window, only once the `Open` itself was delivered.
   */
  async #room(): Promise<void> {
    const window = this.#c.settings.maxFramesInFlight;
    for (;;) {
      if (this.#failure) throw this.#failure;
      if (this.#openSent && this.#nextSeq >= Math.min(window, EARLY_FRAMES) - 1) {
        await this.#openSent;
        this.#openSent = undefined;
        this.#openDeliveredAt = this.#c.clock.now();
        continue;
      }
      if (!this.#isEstablished && !this.#earlyWaitOver && this.#nextSeq >= EARLY_FRAMES) {
        const wait = (this.#openDeliveredAt ?? this.#c.clock.now()) + EARLY_WAIT_MS -
          this.#c.clock.now();
        if (wait > 0) {
          let timer: TimerHandle | undefined;
          const elapsed = new Promise<void>((r) => timer = this.#c.clock.setTimeout(r, wait));
          await Promise.race([this.#established.promise.catch(() => {}), elapsed]);
          this.#c.clock.clearTimeout(timer);
        }
        this.#earlyWaitOver = true;
        continue;
      }
      const oldest = this.#inFlight.keys().next();
      if (oldest.done || ((this.#nextSeq - oldest.value) >>> 0) < window) return;
      await this.#awaitFlight(this.#inFlight.get(oldest.value)!);
    }
  }

  #sendSequenced(type: "data" | "close", payload: Uint8Array): void {
    const sequence = this.#nextSeq;
    let resolve!: () => void;
    const settled = new Promise<void>((r) => resolve = r);
    const flight: Flight = {
      sequence,
      bytes: this.#frame(type, sequence, payload),
      surbs: type === "data" ? this.#c.dataSurbs : 0,
      lastSendOrder: 0,
      copies: 0,
      pending: 0,
      done: false,
      overtakenAt: undefined,
      settled,
      resolve,
    };
    this.#transmitFlight(flight);
    this.#nextSeq = (sequence + 1) >>> 0;
    this.#inFlight.set(sequence, flight);
  }

  /** Sends (a copy of) a frame; the first copy acknowledged settles it. */
  #transmitFlight(flight: Flight): void {
    let handle: DeliveryHandle;
    try {
      handle = this.#c.transmit(flight.bytes, flight.surbs);
    } catch (error) {
      const failure = new StreamError(
        "client-closed",
        `stream ${this.id}: cannot send: ${(error as Error)?.message ?? error}`,
        { cause: error },
      );
      this.#fail(failure, false);
      throw failure;
    }
    flight.copies++;
    flight.pending++;
    const sentAt = this.#c.clock.now();
    const order = flight.lastSendOrder = ++this.#sendCounter;
    flight.overtakenAt = undefined;
    const copy = flight.copies;
    handle.delivered.then(
      () => {
        flight.pending--;
        if (flight.done) return;
        const now = this.#c.clock.now();
        // Karn: only an original that was never copied gives a clean round-trip sample.
        if (copy === 1 && flight.copies === 1) {
          this.#rtts.push(now - sentAt);
          if (this.#rtts.length > RTT_SAMPLES) this.#rtts.shift();
        }
        this.#settle(flight);
        for (const other of this.#inFlight.values()) {
          if (other.overtakenAt === undefined && other.lastSendOrder < order) {
            other.overtakenAt = now;
          }
        }
        for (const wake of this.#acked.splice(0)) wake();
      },
      (error) => {
        flight.pending--;
        if (flight.done || flight.pending > 0) return;
        this.#fail(
          new StreamError(
            error?.kind === "closed" ? "client-closed" : "delivery-failed",
            `stream ${this.id}: frame ${flight.sequence} was not delivered: ${
              error?.message ?? error
            }`,
            { cause: error },
          ),
          false,
        );
        this.#settle(flight);
      },
    );
  }

  #settle(flight: Flight): void {
    flight.done = true;
    this.#inFlight.delete(flight.sequence);
    flight.resolve();
  }

  /** Copies of held-up frames sent so far (see `#awaitFlight`). */
  get copiesSent(): number {
    return this.#copiesSent;
  }

  /**
   * Waits for a frame that holds up the stream (the oldest one in flight). The client resends a
   * lost packet with exponential backoff, which can stall an ordered stream for seconds. So once
   * a frame sent after this one was acknowledged first, and this one still is not a while later
   * (twice the shortest round trip seen, at least 100 ms), a copy of it is sent as a new message;
   * the receiver drops whichever copy arrives second.
   */
  async #awaitFlight(flight: Flight): Promise<void> {
    while (!flight.done && !this.#failure) {
      if (flight.copies >= MAX_COPIES) return await flight.settled;
      if (flight.overtakenAt === undefined) {
        await Promise.race([flight.settled, new Promise<void>((r) => this.#acked.push(r))]);
        continue;
      }
      const shortest = this.#rtts.length > 0 ? Math.min(...this.#rtts) : 0;
      const wait = flight.overtakenAt + Math.max(MIN_HEDGE_MS, 2 * shortest) -
        this.#c.clock.now();
      if (wait > 0) {
        let timer: TimerHandle | undefined;
        const elapsed = new Promise<void>((r) => timer = this.#c.clock.setTimeout(r, wait));
        await Promise.race([flight.settled, elapsed]);
        this.#c.clock.clearTimeout(timer);
        continue;
      }
      this.#transmitFlight(flight);
      this.#copiesSent++;
    }
  }

  #finishWriting(): Promise<void> {
    if (this.#finishing) return this.#finishing;
    if (this.#failure) return Promise.reject(this.#failure);
    this.#writeState = "closing";
    if (this.#flushTimer !== undefined) this.#c.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#finishing = this.#serialize(async () => {
      await this.#emit(true);
      await this.#room();
      this.#sendSequenced("close", new Uint8Array(0));
      while (this.#inFlight.size > 0 || this.#openSent) {
        if (this.#failure) throw this.#failure;
        if (this.#openSent) {
          await this.#openSent;
          this.#openSent = undefined;
        } else await this.#awaitFlight(this.#inFlight.values().next().value!);
      }
      if (this.#failure) throw this.#failure;
      this.#writeState = "done";
      this.#maybeEnd();
    });
    return this.#finishing;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  async close(): Promise<void> {
    if (!this.#readDone && !this.#ended) {
      this.#readDone = true;
      this.#reorder.clear();
      try {
        this.#rc.close();
      } catch {
        // already closed or errored
      }
    }
    if (!this.#failure && this.#writeState === "open") {
      if (!this.writable.locked) await this.writable.close();
      else {
        await this.#finishWriting();
        this.#wc.error(new StreamError("closed", `stream ${this.id} was closed`));
      }
    } else if (this.#finishing) await this.#finishing;
    this.#maybeEnd();
    return this.closed;
  }

  abort(reason?: unknown): void {
    this.#fail(
      new StreamError("aborted", `stream ${this.id} was aborted`, { cause: reason }),
      true,
    );
  }

  /** Ends the stream because the client or the multiplexer went away. */
  terminate(error: StreamError, notifyPeer: boolean): void {
    this.#fail(error, notifyPeer);
  }

  #establish(): void {
    if (this.#isEstablished) return;
    this.#isEstablished = true;
    this.#established.resolve();
  }

  #fail(error: StreamError, notifyPeer: boolean): void {
    if (this.#ended || this.#failure) return;
    this.#failure = error;
    if (notifyPeer) this.#send("reset", 0, 0);
    this.#clearWriting();
    if (!this.#readDone) {
      this.#readDone = true;
      try {
        this.#rc.error(error);
      } catch {
        // already closed
      }
    }
    this.#reorder.clear();
    try {
      this.#wc.error(error);
    } catch {
      // already closed or errored
    }
    this.#established.reject(error);
    this.#closed.reject(error);
    this.#end();
  }

  #clearWriting(): void {
    if (this.#flushTimer !== undefined) this.#c.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const flight of [...this.#inFlight.values()]) this.#settle(flight);
  }

  #maybeEnd(): void {
    if (this.#ended || this.#failure) return;
    if (this.#readDone && this.#writeState === "done") {
      this.#closed.resolve();
      this.#end();
    }
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#c.onEnd(this);
  }

  // ---- timers --------------------------------------------------------------------------------

  /** Called periodically by the multiplexer: idle timeout and keepalive pings. */
  sweep(now: number): void {
    if (this.#ended) return;
    const { idleTimeoutMs, pingIntervalMs, missedPongsThreshold } = this.#c.settings;
    if (now - this.#lastActivity >= idleTimeoutMs) {
      this.#fail(
        new StreamError(
          "idle-timeout",
          `stream ${this.id} was idle for ${now - this.#lastActivity} ms`,
        ),
        true,
      );
      return;
    }
    if (
      this.direction !== "outbound" || !this.#armed || this.#pingStopped || pingIntervalMs <= 0
    ) return;
    const lastPeer = this.#lastPeerActivity ?? 0;
    const lastSignal = Math.max(this.#pingSentAt ?? lastPeer, lastPeer);
    if (now - lastSignal < pingIntervalMs) return;
    if (this.#pingNonce !== undefined && this.#pingSentAt !== undefined) {
      this.#missedPongs++;
      if (this.#missedPongs >= missedPongsThreshold) {
        this.#pingStopped = true;
        this.#fail(
          new StreamError(
            "peer-unresponsive",
            `stream ${this.id}: ${this.#missedPongs} keepalive pings were not answered`,
          ),
          false,
        );
        return;
      }
    }
    if (this.#pingNonce === undefined) {
      const b = this.#c.random(4);
      this.#pingNonce = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    }
    this.#send("ping", this.#pingNonce, PING_SURBS);
    this.#pingSentAt = now;
  }
}
