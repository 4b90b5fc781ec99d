/**
 * The stream layer of one client: it takes stream frames out of the client's message flow
 * (the client's internal interception hook), routes them to their streams, accepts new streams for the listener,
 * and runs the idle and keepalive timer.
 *
 * Streams coexist with ordinary messages. A received message is a stream frame when it starts
 * with the frame kind `03 00` and either names a stream this client has open, or this client
 * has an active listener (then malformed frames are dropped with an `error` event). Any other
 * message, including one that happens to start with `03 00`, goes to `client.messages`
 * unchanged.
 *
 * @module
 */
import { wiringOf } from "../client/_wiring.ts";
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import { systemClock } from "../internal/clock.ts";
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import type { Recipient } from "../message/mod.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import { Listener } from "./_listener.ts";
import { Stream, type StreamSettings } from "./_stream.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  peekStreamId,
  type StreamFrame,
} from "./frame.ts";
import { maxFramePayload } from "./frame_capacity.ts";
import type { StreamListener } from "./listener.ts";
import type { MixnetStream, OpenStreamOptions } from "./mixnet_stream.ts";
import { StreamError, StreamFrameError } from "./stream_error.ts";

/**
 * What the stream layer needs from a client; `MixnetClient` has it. Sends go through
 * `send` (to an address, on lane `connection:<stream id>`) and `reply` (through a sender tag).
 */
export interface StreamClient {
  /** Sends `data` to a Nym address, with `replySurbs` reply SURBs when above 0. */
  send(
    recipient: string,
    data: Uint8Array,
    options?: { readonly replySurbs?: number; readonly lane?: string },
  ): DeliveryHandle;
  /** Answers an anonymous sender through its reply SURBs. */
  reply(senderTag: string, data: Uint8Array): DeliveryHandle;
}

/** Options of {@linkcode multiplexer}; they apply when a client's multiplexer is created. */
export interface StreamMultiplexerOptions {
  /** Time and timers (default: the platform clock). */
  readonly clock?: Clock;
  /** Random bytes for stream ids and ping nonces (default: the platform CSPRNG). */
  readonly random?: RandomBytes;
  /** A stream with nothing sent or received for this long fails (default 30 min, as Nym). */
  readonly idleTimeoutMs?: number;
  /** Frames held behind a missing one before skipping it (default 256, as Nym). */
  readonly reorderCapacity?: number;
  /**
   * Most sequence numbers between a stream's oldest unacknowledged frame and the next one sent
   * (default 192); below `reorderCapacity` so our own streams never overflow a peer's buffer.
   */
  readonly maxFramesInFlight?: number;
  /** Bytes the writable queues before it signals backpressure (default 64 KiB). */
  readonly writeBufferBytes?: number;
  /**
   * Keepalive: an outbound stream whose peer sent nothing for this long is pinged (default
   * 60 000, as Nym; 0 never pings). Only peers that sent an `OpenAck`, `Ping` or `Pong` are.
   */
  readonly pingIntervalMs?: number;
  /** Unanswered pings in a row before the stream fails as `peer-unresponsive` (default 3). */
  readonly missedPongsThreshold?: number;
  /**
   * When the reorder buffer skips missing frames: false (default) fails the stream with
   * `data-loss`; true reports a `dataLoss` event and reads on past the gap.
   */
  readonly tolerateDataLoss?: boolean;
  /** Incoming streams that may wait to be accepted; further `Open`s are reset (default 128). */
  readonly acceptBacklog?: number;
  /**
   * Bytes a stream's reorder buffer may hold behind a missing frame (default 512 KiB, above
   * `reorderCapacity` full frames); beyond it the buffer skips the gap as beyond
   * `reorderCapacity`.
   */
  readonly reorderBufferBytes?: number;
  /** Streams (both directions) beyond which incoming `Open`s are reset (default 256). */
  readonly maxStreams?: number;
  /** Incoming streams open at once from one sender tag; further `Open`s are reset (default 64). */
  readonly maxStreamsPerSender?: number;
  /**
   * An incoming stream on which neither data (either way) nor a keepalive ping of its opener
   * went within this long is reset (default 5 min, a sixth of the idle timeout), so bare
   * `Open`s cannot hold streams for the whole idle timeout.
   */
  readonly unusedStreamTimeoutMs?: number;
}

/** Events of a {@linkcode StreamMultiplexer}. */
export interface StreamMultiplexerEvents {
  /** A frame was malformed or not acceptable and was dropped; every stream keeps working. */
  error: { readonly error: StreamFrameError };
  /** A stream's reorder buffer overflowed and skipped `count` frames from sequence `from`. */
  dataLoss: { readonly streamId: bigint; readonly from: number; readonly count: number };
}

/** The stream layer of one client. Obtain it with {@linkcode multiplexer}. */
export interface StreamMultiplexer {
  /** Opens a stream to `recipient`: registers it and sends the `Open` with reply SURBs. */
  open(recipient: string | Recipient, options?: OpenStreamOptions): MixnetStream;
  /** The listener for incoming streams; throws `StreamError` `listener-taken` if one is active. */
  listen(): StreamListener;
  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof StreamMultiplexerEvents>(
    type: K,
    listener: (event: StreamMultiplexerEvents[K]) => void,
  ): () => void;
  /** Streams currently registered. */
  readonly size: number;
  /**
   * Aborts every stream (peers are told), closes the listener, stops the timer and gives the
   * client's message flow back. A later `multiplexer(client)` starts afresh.
   */
  close(): void;
}

const DEFAULTS = {
  idleTimeoutMs: 30 * 60_000,
  reorderCapacity: 256,
  reorderBufferBytes: 512 * 1024,
  maxStreams: 256,
  maxStreamsPerSender: 64,
  unusedStreamTimeoutMs: 5 * 60_000,
  maxFramesInFlight: 192,
  writeBufferBytes: 64 * 1024,
  pingIntervalMs: 60_000,
  missedPongsThreshold: 3,
  tolerateDataLoss: false,
};
/** Reply SURBs on an `Open` (Nym's default). */
const DEFAULT_OPEN_SURBS = 10;
/** The timer runs at least this often (Nym's `MAX_CLEANUP_INTERVAL`). */
const MAX_SWEEP_MS = 10_000;
/** Frames that overtook their `Open` are kept this long, for at most this many streams. */
const ORPHAN_TTL_MS = 10_000;
const MAX_ORPHAN_STREAMS = 64;
/** Frames kept per orphan stream (Nym's `MAX_ORPHAN_MESSAGES`). */
const MAX_ORPHAN_FRAMES = 32;
/** Ids of ended streams whose stragglers are dropped silently, for this long. */
const RECENT_TTL_MS = 120_000;
const MAX_RECENT = 4096;

interface Orphan {
  readonly firstSeen: number;
  readonly frames: { frame: StreamFrame; message: ReceivedMessage }[];
}

type Listeners = {
  [K in keyof StreamMultiplexerEvents]: Set<(event: StreamMultiplexerEvents[K]) => void>;
};

const multiplexers = new WeakMap<StreamClient, Multiplexer>();

class Multiplexer implements StreamMultiplexer {
  #client: StreamClient;
  #clock: Clock;
  #random: RandomBytes;
  #settings: StreamSettings;
  #backlog: number;
  #maxStreams: number;
  #maxPerSender: number;
  #unusedTimeoutMs: number;
  #maxPayload = { send: maxFramePayload("send"), reply: maxFramePayload("reply") };
  #orphanBytes = 0;
  #openedAt = new Map<bigint, number>();
  #streams = new Map<bigint, Stream>();
  #tags = new Map<bigint, string>();
  #orphans = new Map<bigint, Orphan>();
  #recent = new Map<bigint, number>();
  #listener: Listener | undefined;
  #events: Listeners = { error: new Set(), dataLoss: new Set() };
  #sweepTimer: TimerHandle | undefined;
  #detach: () => void;
  #offDisconnected: (() => void) | undefined;
  #offBeforeClose: (() => void) | undefined;
  #closed = false;

  constructor(client: StreamClient, options: StreamMultiplexerOptions) {
    this.#client = client;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
    this.#settings = {
      idleTimeoutMs: positive(options.idleTimeoutMs, DEFAULTS.idleTimeoutMs, "idleTimeoutMs"),
      reorderCapacity: positive(
        options.reorderCapacity,
        DEFAULTS.reorderCapacity,
        "reorderCapacity",
      ),
      reorderBufferBytes: positive(
        options.reorderBufferBytes,
        DEFAULTS.reorderBufferBytes,
        "reorderBufferBytes",
      ),
      maxFramesInFlight: positive(
        options.maxFramesInFlight,
        DEFAULTS.maxFramesInFlight,
        "maxFramesInFlight",
      ),
      writeBufferBytes: positive(
        options.writeBufferBytes,
        DEFAULTS.writeBufferBytes,
        "writeBufferBytes",
      ),
      pingIntervalMs: Math.max(0, options.pingIntervalMs ?? DEFAULTS.pingIntervalMs),
      missedPongsThreshold: positive(
        options.missedPongsThreshold,
        DEFAULTS.missedPongsThreshold,
        "missedPongsThreshold",
      ),
      tolerateDataLoss: options.tolerateDataLoss ?? DEFAULTS.tolerateDataLoss,
    };
    this.#backlog = positive(options.acceptBacklog, 128, "acceptBacklog");
    this.#maxStreams = positive(options.maxStreams, DEFAULTS.maxStreams, "maxStreams");
    this.#maxPerSender = positive(
      options.maxStreamsPerSender,
      DEFAULTS.maxStreamsPerSender,
      "maxStreamsPerSender",
    );
    this.#unusedTimeoutMs = positive(
      options.unusedStreamTimeoutMs,
      DEFAULTS.unusedStreamTimeoutMs,
      "unusedStreamTimeoutMs",
    );
    // The client's interception hook is internal wiring, not API: a MixnetClient registers it.
    this.#detach = wiringOf(client).intercept((message) => this.#route(message));
    // The client's disconnect() lets the closes in flight finish (acked, both sides ended)
    // before it stops, so that a graceful close is not turned into a client-closed error.
    this.#offBeforeClose = wiringOf(client).beforeClose?.(() =>
      Promise.allSettled([...this.#streams.values()].map((s) => s.closing))
    );
    // MixnetClient announces its shutdown; a client without the event just never triggers it.
    const on = (client as { on?: (type: string, listener: () => void) => () => void }).on;
    this.#offDisconnected = on?.call(
      client,
      "disconnected",
      () =>
        this.#shutdown(new StreamError("client-closed", "the mixnet client disconnected"), false),
    );
  }

  get size(): number {
    return this.#streams.size;
  }

  on<K extends keyof StreamMultiplexerEvents>(
    type: K,
    listener: (event: StreamMultiplexerEvents[K]) => void,
  ): () => void {
    const set = this.#events[type] as Set<(event: StreamMultiplexerEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  #emit<K extends keyof StreamMultiplexerEvents>(type: K, event: StreamMultiplexerEvents[K]): void {
    for (const listener of this.#events[type] as Set<(e: StreamMultiplexerEvents[K]) => void>) {
      try {
        listener(event);
      } catch {
        // a throwing listener must not break routing
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new StreamError("client-closed", "the stream multiplexer of this client is closed");
    }
  }

  open(recipient: string | Recipient, options: OpenStreamOptions = {}): MixnetStream {
    this.#assertOpen();
    const surbs = options.replySurbs ?? DEFAULT_OPEN_SURBS;
    if (!Number.isInteger(surbs) || surbs < 1) {
      throw new RangeError(`an Open needs at least one reply SURB, got ${surbs}`);
    }
    const dataSurbs = options.dataReplySurbs ?? 0;
    if (!Number.isInteger(dataSurbs) || dataSurbs < 0) {
      throw new RangeError(`dataReplySurbs must be a non-negative integer, got ${dataSurbs}`);
    }
    const to = typeof recipient === "string" ? recipient : recipient.toString();
    const id = this.#freshId();
    const lane = `connection:${id}`;
    const stream = this.#create(
      id,
      "outbound",
      dataSurbs,
      maxFramePayload("send"),
      (bytes, n) => this.#client.send(to, bytes, { replySurbs: n, lane }),
    );
    try {
      stream.sendOpen(surbs);
    } catch (error) {
      this.#streams.delete(id);
      this.#maybeStopSweep();
      throw error;
    }
    return stream;
  }

  listen(): StreamListener {
    this.#assertOpen();
    if (this.#listener && !this.#listener.closed) {
      throw new StreamError("listener-taken", "this client already has an active stream listener");
    }
    const listener: Listener = new Listener((unaccepted) => {
      if (this.#listener === listener) this.#listener = undefined;
      for (const stream of unaccepted) stream.abort("the listener was closed");
    });
    this.#listener = listener;
    return listener;
  }

  close(): void {
    this.#shutdown(new StreamError("aborted", "the stream multiplexer was closed"), true);
  }

  #shutdown(error: StreamError, notifyPeers: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    multiplexers.delete(this.#client);
    this.#detach();
    this.#offDisconnected?.();
    this.#offBeforeClose?.();
    for (const stream of [...this.#streams.values()]) stream.terminate(error, notifyPeers);
    this.#listener?.close();
    this.#listener = undefined;
    this.#orphans.clear();
    this.#orphanBytes = 0;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  // ---- streams -------------------------------------------------------------------------------

  #freshId(): bigint {
    for (;;) {
      const b = this.#random(8);
      const id = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
      if (!this.#streams.has(id) && !this.#isRecent(id)) return id;
    }
  }

  #create(
    id: bigint,
    direction: "outbound" | "inbound",
    dataSurbs: number,
    maxPayload: number,
    transmit: (bytes: Uint8Array, surbs: number) => DeliveryHandle,
  ): Stream {
    const stream = new Stream({
      id,
      direction,
      clock: this.#clock,
      random: this.#random,
      settings: this.#settings,
      maxPayload,
      dataSurbs,
      transmit,
      onEnd: (ended) => this.#ended(ended),
      onDataLoss: (s, from, count) => this.#emit("dataLoss", { streamId: s.id, from, count }),
    });
    this.#streams.set(id, stream);
    this.#scheduleSweep();
    return stream;
  }

  #ended(stream: Stream): void {
    if (this.#streams.get(stream.id) !== stream) return;
    this.#streams.delete(stream.id);
    this.#tags.delete(stream.id);
    this.#openedAt.delete(stream.id);
    this.#remember(stream.id);
    this.#maybeStopSweep();
  }

  #remember(id: bigint): void {
    this.#recent.delete(id);
    this.#recent.set(id, this.#clock.now() + RECENT_TTL_MS);
    if (this.#recent.size > MAX_RECENT) this.#recent.delete(this.#recent.keys().next().value!);
  }

  #isRecent(id: bigint): boolean {
    const until = this.#recent.get(id);
    if (until === undefined) return false;
    if (until > this.#clock.now()) return true;
    this.#recent.delete(id);
    return false;
  }

  // ---- routing -------------------------------------------------------------------------------

  #route(message: ReceivedMessage): boolean {
    if (this.#closed || !isStreamFrame(message.data)) return false;
    const id = peekStreamId(message.data);
    const stream = id === undefined ? undefined : this.#streams.get(id);
    const listening = this.#listener !== undefined;
    if (!stream && !listening) return id !== undefined && this.#isRecent(id);
    let frame: StreamFrame;
    try {
      frame = decodeStreamFrame(message.data);
    } catch (error) {
      this.#emit("error", { error: error as StreamFrameError });
      return true;
    }
    // A frame must fit one packet of its route: frames to our address come as `send`, frames
    // of our outbound streams come back as replies. Larger ones only serve to fill buffers.
    const route = message.kind === "reply" ? "reply" : "send";
    if (frame.payload.length > this.#maxPayload[route]) {
      this.#emit("error", {
        error: new StreamFrameError(
          "too-large",
          `a ${frame.type} frame of ${frame.payload.length} bytes exceeds one packet (${
            this.#maxPayload[route]
          })`,
          frame.streamId,
        ),
      });
      return true;
    }
    if (stream) {
      if (this.#authentic(stream, message)) {
        // a keepalive ping shows a live opener that pays for our pongs: the stream is in use
        if (frame.type === "ping") this.#openedAt.delete(stream.id);
        stream.receive(frame);
      } else {
        this.#emit("error", {
          error: new StreamFrameError(
            "sender",
            `a ${message.kind} message carried a ${frame.type} frame for stream ${frame.streamId}`,
            frame.streamId,
          ),
        });
      }
      return true;
    }
    if (this.#isRecent(frame.streamId)) return true;
    if (frame.type === "open") this.#accept(frame, message);
    else if (frame.type === "data" || frame.type === "close") this.#orphan(frame, message);
    // openAck, ping, pong or reset for a stream we do not have: dropped, as Nym.
    return true;
  }

  /**
   * Frames of an outbound stream come back through our SURBs, so they must be replies. Frames
   * of an inbound stream come from the opener: plain, or repliable under the opener's tag.
   */
  #authentic(stream: Stream, message: ReceivedMessage): boolean {
    if (stream.direction === "outbound") return message.kind === "reply";
    if (message.kind === "reply") return false;
    return message.senderTag === undefined || message.senderTag === this.#tags.get(stream.id);
  }

  #accept(frame: StreamFrame, message: ReceivedMessage): void {
    const tag = message.senderTag;
    if (tag === undefined) {
      this.#emit("error", {
        error: new StreamFrameError(
          "not-repliable",
          `the Open of stream ${frame.streamId} came without reply SURBs`,
          frame.streamId,
        ),
      });
      return;
    }
    const listener = this.#listener!;
    let fromTag = 0;
    for (const t of this.#tags.values()) if (t === tag) fromTag++;
    const refusal: [StreamFrameError["kind"], string] | undefined =
      listener.pending >= this.#backlog
        ? ["backlog", `${listener.pending} streams wait to be accepted`]
        : this.#streams.size >= this.#maxStreams
        ? ["limit", `${this.#streams.size} streams are open (maxStreams)`]
        : fromTag >= this.#maxPerSender
        ? ["limit", `its sender has ${fromTag} streams open (maxStreamsPerSender)`]
        : undefined;
    if (refusal) {
      this.#emit("error", {
        error: new StreamFrameError(
          refusal[0],
          `${refusal[1]}; stream ${frame.streamId} was reset`,
          frame.streamId,
        ),
      });
      try {
        this.#client.reply(
          tag,
          encodeStreamFrame({
            streamId: frame.streamId,
            type: "reset",
            sequence: 0,
            payload: new Uint8Array(0),
          }),
        );
      } catch {
        // the client is closing
      }
      this.#dropOrphan(frame.streamId);
      this.#remember(frame.streamId);
      return;
    }
    const stream = this.#create(
      frame.streamId,
      "inbound",
      0,
      maxFramePayload("reply"),
      (bytes) => this.#client.reply(tag, bytes),
    );
    this.#tags.set(frame.streamId, tag);
    this.#openedAt.set(frame.streamId, this.#clock.now());
    // Best effort, as Nym: it costs one of the opener's SURBs and tells it someone listens.
    try {
      this.#client.reply(
        tag,
        encodeStreamFrame({
          streamId: frame.streamId,
          type: "openAck",
          sequence: 0,
          payload: new Uint8Array(0),
        }),
      );
    } catch {
      // the client is closing; the stream fails on its first send
    }
    stream.deliverInitial(frame.payload);
    const orphan = this.#orphans.get(frame.streamId);
    this.#dropOrphan(frame.streamId);
    for (const early of orphan?.frames ?? []) {
      if (this.#authentic(stream, early.message)) stream.receive(early.frame);
    }
    listener.push(stream);
  }

  /** Keeps a frame that overtook its stream's `Open` until the `Open` arrives. */
  #orphan(frame: StreamFrame, message: ReceivedMessage): void {
    let orphan = this.#orphans.get(frame.streamId);
    if (!orphan) {
      if (this.#orphans.size >= MAX_ORPHAN_STREAMS) {
        this.#dropOrphan(this.#orphans.keys().next().value!);
      }
      orphan = { firstSeen: this.#clock.now(), frames: [] };
      this.#orphans.set(frame.streamId, orphan);
      this.#scheduleSweep();
    }
    // bounded per stream (as Nym) and in bytes for all orphans together (oldest go first)
    if (orphan.frames.length >= MAX_ORPHAN_FRAMES) return;
    while (
      this.#orphanBytes + frame.payload.length > this.#settings.reorderBufferBytes &&
      this.#orphans.size > 1
    ) {
      const oldest = this.#orphans.keys().next().value!;
      if (oldest === frame.streamId) break;
      this.#dropOrphan(oldest);
    }
    if (this.#orphanBytes + frame.payload.length > this.#settings.reorderBufferBytes) return;
    orphan.frames.push({ frame, message });
    this.#orphanBytes += frame.payload.length;
  }

  #dropOrphan(id: bigint): void {
    const orphan = this.#orphans.get(id);
    if (!orphan) return;
    this.#orphans.delete(id);
    for (const early of orphan.frames) this.#orphanBytes -= early.frame.payload.length;
  }

  // ---- timer ---------------------------------------------------------------------------------

  #scheduleSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed) return;
    if (this.#streams.size === 0 && this.#orphans.size === 0) return;
    const { idleTimeoutMs, pingIntervalMs } = this.#settings;
    const every = Math.min(
      idleTimeoutMs,
      this.#unusedTimeoutMs,
      MAX_SWEEP_MS,
      pingIntervalMs > 0 ? pingIntervalMs : Infinity,
    );
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = undefined;
      this.#sweep();
      this.#scheduleSweep();
    }, every);
  }

  #maybeStopSweep(): void {
    if (this.#streams.size > 0 || this.#orphans.size > 0 || this.#sweepTimer === undefined) return;
    this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #sweep(): void {
    const now = this.#clock.now();
    for (const stream of [...this.#streams.values()]) {
      const openedAt = this.#openedAt.get(stream.id);
      if (openedAt !== undefined && stream.carriedData) this.#openedAt.delete(stream.id);
      else if (openedAt !== undefined && now - openedAt >= this.#unusedTimeoutMs) {
        stream.terminate(
          new StreamError(
            "idle-timeout",
            `stream ${stream.id} carried no data within ${this.#unusedTimeoutMs} ms`,
          ),
          true,
        );
        continue;
      }
      stream.sweep(now);
    }
    for (const [id, orphan] of this.#orphans) {
      if (now - orphan.firstSeen >= ORPHAN_TTL_MS) this.#dropOrphan(id);
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be positive, got ${v}`);
  return v;
}

/**
 * The stream layer of `client`, created on first use (with `options`; later calls return the
 * same one and ignore options).
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { multiplexer } from "@nym/mixnet/stream";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * const streams = multiplexer(client, { idleTimeoutMs: 60_000 });
 * streams.on("error", ({ error }) => console.warn("dropped frame:", error.kind));
 * ```
 */
export function multiplexer(
  client: StreamClient,
  options: StreamMultiplexerOptions = {},
): StreamMultiplexer {
  let mux = multiplexers.get(client);
  if (!mux) {
    mux = new Multiplexer(client, options);
    multiplexers.set(client, mux);
  }
  return mux;
}

/**
 * Opens a stream to `recipient` (a Nym address). The `Open` travels with `replySurbs` reply
 * SURBs, so the acceptor answers through them and never learns our address.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { openStream } from "@nym/mixnet/stream";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * const stream = openStream(client, "<identity>.<encryption>@<gateway>");
 * const writer = stream.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hello"));
 * await writer.close();
 * for await (const chunk of stream.readable) console.log(new TextDecoder().decode(chunk));
 * ```
 */
export function openStream(
  client: StreamClient,
  recipient: string | Recipient,
  options?: OpenStreamOptions,
): MixnetStream {
  return multiplexer(client).open(recipient, options);
}

/**
 * Listens for streams that peers open to `client`; only one listener per client at a time
 * (a second throws `StreamError` of kind `listener-taken`).
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { listen } from "@nym/mixnet/stream";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * for await (const stream of listen(client)) {
 *   stream.readable.pipeTo(stream.writable).catch(() => {}); // echo
 * }
 * ```
 */
export function listen(client: StreamClient): StreamListener {
  return multiplexer(client).listen();
}
