/**
 * The client core: turns `send()` and `reply()` into fragments, drains them through the Poisson
 * stream (cover packets in the gaps), tracks their acks, and turns what the gateway pushes into
 * messages. Components come in already built; `connect()` builds them from options.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { toHex } from "../internal/bytes.ts";
import type { Clock, TimerHandle } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import {
  AnonymousSenderTag,
  classifyReceived,
  decodeFragmentId,
  decodeNymMessage,
  decryptAck,
  decryptReceived,
  encodeFragment,
  encodeNymMessage,
  type Fragment,
  fragmentCapacity,
  fragmentId,
  isCover,
  isCoverFragmentId,
  type KeyRotation,
  type NymMessage,
  padMessage,
  Reassembler,
  Recipient,
  replyKeyDigest,
  type ReplySurbBytes,
  splitIntoFragments,
} from "../message/mod.ts";
import { DeliveryError, type DeliveryHandle, DeliveryTracker } from "../queue/delivery.ts";
import { LaneQueue } from "../queue/lane_queue.ts";
import { PoissonTicker } from "../queue/poisson_ticker.ts";
import { MemoryReplyKeyStore } from "../replies/reply_key_store.ts";
import { ReceivedSurbStore } from "../replies/surb_store.ts";
import { createSurb, encodeSurb, sampleDelays } from "../sphinx/mod.ts";
import type { MixnetStream, OpenStreamOptions } from "../stream/mixnet_stream.ts";
import type { StreamListener } from "../stream/listener.ts";
import { listen, openStream } from "../stream/multiplexer.ts";
import { type OutgoingPacket, PacketBuilder } from "./packet_builder.ts";
import type { RouteSource } from "./route_source.ts";
import type { TrafficConfig } from "./traffic.ts";

/** Where packets go: the client's authenticated gateway connection. */
export interface GatewayLink {
  /** Sends one packet to the gateway (queued while reconnecting). */
  send(packet: OutgoingPacket): void;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** A message delivered to this client. */
export interface ReceivedMessage {
  /** The application bytes. */
  readonly data: Uint8Array;
  /**
   * For anonymous (repliable) messages: the sender's tag, to pass to `reply()`. Absent for
   * plain messages and for replies.
   */
  readonly senderTag?: string;
  /** `plain`, `repliable` (anonymous, answerable) or `reply` (an answer to our SURBs). */
  readonly kind: "plain" | "repliable" | "reply";
}

/** Typed events of a {@linkcode MixnetClient}. */
export interface MixnetClientEvents {
  /** The gateway connection is (again) authenticated. */
  connected: { gateway: string };
  /** The gateway connection dropped; the client is reconnecting. */
  reconnecting: { attempt: number; delayMs: number; reason: string };
  /** A new topology was fetched. */
  topology: { mixnodes: number; gateways: number };
  /** A `send()` or `reply()` failed; its handle rejected with the same error. */
  deliveryFailed: { id: number; error: DeliveryError };
  /** Bytes from the network were malformed and dropped; the client keeps running. */
  error: { error: Error };
  /** The client stopped (after `disconnect()`); nothing more will be sent or received. */
  disconnected: Record<string, never>;
}

/** Options of `send()`. */
export interface SendOptions {
  /** Attach this many reply SURBs so the recipient can answer without learning our address. */
  readonly replySurbs?: number;
  /** The lane (queue) to use; messages in one lane keep their order of departure. */
  readonly lane?: string;
}

/** Everything the core needs, already built. */
export interface MixnetClientComponents {
  /** Our address. */
  readonly self: Recipient;
  /** Our X25519 encryption secret key. */
  readonly encryptionSecretKey: Uint8Array;
  /** Our 16-byte ack key. */
  readonly ackKey: Uint8Array;
  /** Routes over the current topology. */
  readonly routes: RouteSource;
  /** Traffic shaping. */
  readonly traffic: TrafficConfig;
  /** Primitive provider. */
  readonly crypto: CryptoProvider;
  /** Random source. */
  readonly random: RandomBytes;
  /** Time and timers. */
  readonly clock: Clock;
  /** Called at the end of `disconnect()` (to stop what `connect()` started around the core). */
  readonly onDisconnect?: () => void;
}

type Target =
  | { readonly kind: "recipient"; readonly recipient: Recipient }
  | { readonly kind: "reply"; readonly senderTag: Uint8Array };

interface Item {
  readonly key: string;
  /** Serialized when its packet is built (`encodeFragment`), not while it waits in the queue. */
  readonly fragment: Fragment;
  readonly target: Target;
  readonly lane: string;
}

/** Packet counters of a {@linkcode MixnetClient}. */
export interface MixnetClientStats {
  /** Real packets sent for the first time. */
  readonly realPacketsSent: number;
  /** Real packets sent again after an ack timeout. */
  readonly retransmissions: number;
  /** Loop cover packets sent. */
  readonly coverPacketsSent: number;
  /** Acks received for our fragments. */
  readonly acksReceived: number;
  /** Messages delivered to the application. */
  readonly messagesReceived: number;
}

/** Highest gateway send buffer before the client slows down (Nym: 10 of 32 slots). */
const BACKPRESSURE_BYTES = 10 * 2452;
/** SURBs to ask for at least, and at most per request (Nym: 10 and 50). */
const MIN_SURB_REQUEST = 10;
/** SURBs kept back for requests for more when replies outnumber them (Nym keeps 10). */
const SURB_RESERVE = 3;

interface SurbWait {
  /** When replies to this sender tag began waiting for SURBs. */
  since: number;
  /** When SURBs were last requested, if they were. */
  requestedAt: number | undefined;
  timer: TimerHandle;
}
const MAX_SURB_REQUEST = 50;
/** SURBs a remote may ask us for at most (Nym: 500). */
const MAX_SURBS_GIVEN = 500;
/** Congestion window at start and its floor. */
const INITIAL_WINDOW = 16;
const MIN_WINDOW = 4;
/** Parsed recipient addresses kept by `send()`. */
const RECIPIENT_CACHE_SIZE = 64;
/** Drain this many packets per macrotask when the Poisson stream is off. */
const BURST = 16;

type Listener<T> = (event: T) => void;

/**
 * A connected mixnet client. Obtain one with `connect()`.
 */
export class MixnetClient {
  /** Our Nym address (`identity.encryption@gateway`). */
  readonly address: string;
  /**
   * Messages for this client, in arrival order. A `ReadableStream` that is also
   * async-iterable: `for await (const message of client.messages) …`.
   */
  readonly messages: ReadableStream<ReceivedMessage> & AsyncIterable<ReceivedMessage>;

  #c: MixnetClientComponents;
  #gateway: GatewayLink | undefined;
  #builder: PacketBuilder;
  #queue: LaneQueue<Item>;
  #items = new Map<string, Item>();
  #tracker: DeliveryTracker;
  #main: PoissonTicker | undefined;
  #cover: PoissonTicker | undefined;
  #drainTimer: TimerHandle | undefined;
  /** A drain is queued (as a microtask or on #drainTimer). */
  #drainScheduled = false;
  /** The last drain sent a whole burst and left packets queued: the next waits for a timer. */
  #draining = false;
  #staleTimer: TimerHandle | undefined;
  #reassembler: Reassembler;
  #replyKeys: MemoryReplyKeyStore;
  #lastRotation: number | undefined;
  #surbs = new ReceivedSurbStore(MAX_SURBS_GIVEN, { rotation: () => this.#c.routes.rotation?.() });
  #senderTags = new Map<string, AnonymousSenderTag>();
  #recipients = new Map<string, Recipient>();
  #parked = new Map<string, Item[]>();
  // Per sender tag with replies waiting for SURBs: when they began waiting, when SURBs were
  // last requested, and the timer that re-requests them or gives up.
  #surbWaits = new Map<string, SurbWait>();
  #listeners = new Map<keyof MixnetClientEvents, Set<Listener<unknown>>>();
  #interceptors = new Set<(message: ReceivedMessage) => boolean>();
  #controller!: ReadableStreamDefaultController<ReceivedMessage>;
  #state: "open" | "closing" | "closed" = "open";
  #stats = {
    realPacketsSent: 0,
    retransmissions: 0,
    coverPacketsSent: 0,
    acksReceived: 0,
    messagesReceived: 0,
  };
  #retransmitting = new Set<string>();
  // Congestion window over fragments in flight: starts small, grows by one per ack up to
  // traffic.maxInFlight, halves on an ack timeout (at most once per round trip), like TCP's
  // AIMD. Under normal load the Poisson rate keeps fewer packets in flight than it allows.
  #window = INITIAL_WINDOW;
  #lastDecrease = -Infinity;
  #closed: Promise<void> | undefined;

  /** Builds the core around its components; call {@linkcode MixnetClient.attach} next. */
  constructor(components: MixnetClientComponents) {
    this.#c = components;
    this.address = components.self.toString();
    const { clock, random, traffic, crypto } = components;
    this.#builder = new PacketBuilder({
      self: components.self,
      ackKey: components.ackKey,
      routes: components.routes,
      traffic,
      crypto,
      random,
    });
    this.#queue = new LaneQueue(random);
    this.#tracker = new DeliveryTracker({
      clock,
      maxRetransmissions: traffic.maximumRetransmissions,
      retransmit: (key) => this.#retransmit(key),
      onFailed: (handle, error) => this.#emit("deliveryFailed", { id: handle.id, error }),
    });
    this.#reassembler = new Reassembler({ now: () => clock.now() });
    this.#replyKeys = new MemoryReplyKeyStore(() => clock.now());
    const stream = new ReadableStream<ReceivedMessage>({
      start: (controller) => {
        this.#controller = controller;
      },
    });
    this.messages = asyncIterable(stream);
    try {
      this.#lastRotation = components.routes.rotation?.().keyRotationId;
    } catch { /* no topology yet: the first refresh sets it */ }
    this.on("topology", () => this.#refreshSurbsOnRotation());
  }

  /** Connects the core to its gateway and starts the traffic streams. */
  attach(gateway: GatewayLink): void {
    this.#gateway = gateway;
    const { traffic, clock, random } = this.#c;
    if (traffic.poisson) {
      this.#main = new PoissonTicker({
        meanMs: traffic.messageSendingAverageDelayMs,
        clock,
        random,
        tick: () => this.#mainTick(),
      });
      this.#main.start();
    }
    if (traffic.loopCover) {
      this.#cover = new PoissonTicker({
        meanMs: traffic.loopCoverAverageDelayMs,
        clock,
        random,
        tick: () => this.#coverTick(),
      });
      this.#cover.start();
    }
    this.#scheduleStaleCheck();
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof MixnetClientEvents>(
    type: K,
    listener: (event: MixnetClientEvents[K]) => void,
  ): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, set = new Set());
    set.add(listener as Listener<unknown>);
    return () => set!.delete(listener as Listener<unknown>);
  }

  /**
   * Sees every received message before {@linkcode MixnetClient.messages}; a handler that returns
   * true consumes it (streams use this for their frames). Returns a function that removes it.
   */
  intercept(handler: (message: ReceivedMessage) => boolean): () => void {
    this.#interceptors.add(handler);
    return () => this.#interceptors.delete(handler);
  }

  /** Emits an event to its listeners (used by `connect()` for connection and topology events). */
  emit<K extends keyof MixnetClientEvents>(type: K, event: MixnetClientEvents[K]): void {
    this.#emit(type, event);
  }

  /** Packets queued and not yet sent. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** Packets queued and not yet sent in one lane (the `lane` given to `send()`). */
  laneQueueLength(lane: string): number {
    return this.#queue.laneLength(lane);
  }

  /** Fragments sent and not yet acknowledged. */
  get unacknowledged(): number {
    return this.#tracker.unacknowledged;
  }

  /** Packet counters since the client started. */
  get stats(): MixnetClientStats {
    return { ...this.#stats };
  }

  /**
   * Sends `data` to a Nym address. Returns a handle at once; await it to know that every
   * fragment was acknowledged by the recipient's gateway. With `replySurbs`, the message is
   * anonymous: the recipient gets a sender tag to `reply()` to instead of our address.
   */
  send(
    recipient: string | Recipient,
    data: Uint8Array | string,
    options: SendOptions = {},
  ): DeliveryHandle {
    this.#assertOpen();
    const to = typeof recipient === "string" ? this.#parseRecipient(recipient) : recipient;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const surbCount = options.replySurbs ?? 0;
    const message: NymMessage = surbCount > 0
      ? {
        type: "repliable",
        senderTag: this.#senderTagFor(to),
        content: {
          kind: "data",
          version: 2,
          replySurbs: this.#createReplySurbs(surbCount),
          keyRotation: this.#surbRotation(),
          message: bytes,
        },
      }
      : { type: "plain", data: bytes };
    return this.#enqueue(message, { kind: "recipient", recipient: to }, options.lane ?? "general");
  }

  /** Answers an anonymous message through the SURBs its sender attached. */
  reply(senderTag: string | AnonymousSenderTag, data: Uint8Array | string): DeliveryHandle {
    this.#assertOpen();
    const tag = typeof senderTag === "string" ? AnonymousSenderTag.parse(senderTag) : senderTag;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const handle = this.#enqueue(
      { type: "reply", content: { kind: "data", message: bytes } },
      { kind: "reply", senderTag: tag.bytes },
      "replies",
    );
    this.#maybeRequestSurbs(tag.bytes);
    return handle;
  }

  /**
   * Opens a multiplexed, ordered byte stream to `recipient` (see `@nym/mixnet/stream`). The
   * `Open` carries reply SURBs, so the acceptor answers through them without our address.
   */
  openStream(recipient: string | Recipient, options?: OpenStreamOptions): MixnetStream {
    return openStream(this, recipient, options);
  }

  /** The streams peers open to us; one listener at a time (see `@nym/mixnet/stream`). */
  listen(): StreamListener {
    return listen(this);
  }

  /**
   * Sends everything queued, waits (at most `timeoutMs`, default 15 s) for the outstanding
   * acks, then stops every timer and closes the gateway connection. Handles still pending after
   * the wait reject with a `closed` {@linkcode DeliveryError}.
   */
  disconnect(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) return this.#closed;
    this.#state = "closing";
    this.#closed = (async () => {
      const { clock } = this.#c;
      let timer: TimerHandle | undefined;
      await Promise.race([
        this.#tracker.idle(),
        new Promise<void>((resolve) =>
          timer = clock.setTimeout(resolve, options.timeoutMs ?? 15_000)
        ),
      ]);
      clock.clearTimeout(timer);
      this.#shutdown();
      await this.#gateway?.close();
      this.#c.onDisconnect?.();
    })();
    return this.#closed;
  }

  /** Stops everything at once (used when the connection cannot be established). */
  #shutdown(): void {
    this.#state = "closed";
    this.#emit("disconnected", {});
    this.#main?.stop();
    this.#cover?.stop();
    const { clock } = this.#c;
    if (this.#drainTimer !== undefined) clock.clearTimeout(this.#drainTimer);
    if (this.#staleTimer !== undefined) clock.clearTimeout(this.#staleTimer);
    this.#drainTimer = this.#staleTimer = undefined;
    this.#drainScheduled = this.#draining = false;
    for (const wait of this.#surbWaits.values()) clock.clearTimeout(wait.timer);
    this.#surbWaits.clear();
    this.#parked.clear();
    this.#tracker.close(new DeliveryError("closed", "the client disconnected"));
    this.#queue.remove(() => true);
    this.#items.clear();
    try {
      this.#controller.close();
    } catch {
      // already closed or errored
    }
  }

  /** Handles one message the gateway pushed. Malformed input becomes an `error` event. */
  receive(bytes: Uint8Array): void {
    if (this.#state === "closed") return;
    try {
      const kind = classifyReceived(bytes);
      if (kind.kind === "ack") {
        const id = decryptAck(this.#c.ackKey, bytes, { crypto: this.#c.crypto });
        if (!isCoverFragmentId(decodeFragmentId(id))) this.#acknowledged(toHex(id));
        return;
      }
      const opened = decryptReceived(bytes, this.#c.encryptionSecretKey, this.#replyKeys, {
        crypto: this.#c.crypto,
      });
      if (isCover(opened.plaintext)) return;
      const outcome = this.#reassembler.insertBytes(opened.plaintext);
      if (outcome.kind === "complete") this.#deliver(decodeNymMessage(outcome.message));
    } catch (error) {
      this.#emit("error", { error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  /** `Recipient.parse` with the last addresses remembered: a client writes to few peers often. */
  #parseRecipient(address: string): Recipient {
    let parsed = this.#recipients.get(address);
    if (!parsed) {
      parsed = Recipient.parse(address);
      if (this.#recipients.size >= RECIPIENT_CACHE_SIZE) this.#recipients.clear();
      this.#recipients.set(address, parsed);
    }
    return parsed;
  }

  #enqueue(message: NymMessage, target: Target, lane: string): DeliveryHandle {
    const capacity = fragmentCapacity();
    const padded = padMessage(encodeNymMessage(message), capacity);
    const fragments = splitIntoFragments(padded, capacity, this.#c.random);
    const items = fragments.map((fragment): Item => ({
      key: toHex(fragmentId(fragment.setId, fragment.currentFragment)),
      fragment,
      target,
      lane,
    }));
    for (const item of items) this.#items.set(item.key, item);
    const handle = this.#tracker.track(items.map((i) => i.key));
    handle.delivered.then(
      () => this.#forget(items),
      () => this.#forget(items),
    );
    this.#queue.push(lane, items);
    this.#kick();
    return handle;
  }

  #forget(items: readonly Item[]): void {
    for (const item of items) {
      this.#items.delete(item.key);
      this.#retransmitting.delete(item.key);
    }
  }

  #retransmit(key: string): void {
    const item = this.#items.get(key);
    if (item && this.#state !== "closed") {
      const now = this.#c.clock.now();
      if (now - this.#lastDecrease > (this.#tracker.measuredTimeoutMs ?? 1000)) {
        this.#window = Math.max(MIN_WINDOW, Math.floor(this.#window / 2));
        this.#lastDecrease = now;
      }
      this.#retransmitting.add(key);
      this.#queue.push("retransmission", [item]);
      this.#kick();
    }
  }

  #acknowledged(key: string): void {
    if (!this.#tracker.acknowledge(key)) return;
    this.#stats.acksReceived++;
    this.#window = Math.min(this.#c.traffic.maxInFlight, this.#window + 1);
    // An ack frees a place in the in-flight window.
    if (this.#queue.length > 0) this.#kick();
  }

  /**
   * Without the Poisson stream, drain the queue right away in small bursts: the first burst in
   * a microtask (a 0 ms timer costs 1–2 ms in Deno, all of it latency), the bursts that follow
   * it on 0 ms timers so that the network and other tasks get their turn between them.
   */
  #kick(): void {
    if (this.#main || this.#drainScheduled || !this.#gateway) return;
    this.#drainScheduled = true;
    if (this.#draining) this.#drainTimer = this.#c.clock.setTimeout(() => this.#drain(), 0);
    else queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    this.#drainTimer = undefined;
    this.#drainScheduled = false;
    if (this.#state === "closed") return; // a microtask cannot be cancelled
    for (let i = 0; i < BURST; i++) {
      const out = this.#nextRealPacket();
      if (!out) {
        this.#draining = false;
        return;
      }
      this.#gateway!.send(out);
    }
    this.#draining = this.#queue.length > 0;
    if (this.#draining) this.#kick();
  }

  #mainTick(): void {
    const gateway = this.#gateway;
    if (!gateway) return;
    if (gateway.bufferedAmount > BACKPRESSURE_BYTES) {
      this.#main!.multiplier = Math.min(6, this.#main!.multiplier + 1);
      return;
    }
    if (this.#main!.multiplier > 1) this.#main!.multiplier--;
    const out = this.#nextRealPacket() ?? this.#tryCover();
    if (out) gateway.send(out);
  }

  #coverTick(): void {
    const gateway = this.#gateway;
    if (!gateway || gateway.bufferedAmount > BACKPRESSURE_BYTES) return;
    const out = this.#tryCover();
    if (out) gateway.send(out);
  }

  #tryCover(): OutgoingPacket | undefined {
    if (this.#state === "closed") return undefined;
    try {
      const packet = this.#builder.coverPacket();
      this.#stats.coverPacketsSent++;
      return packet;
    } catch (error) {
      this.#emit("error", { error: error as Error });
      return undefined;
    }
  }

  /** The next real packet to send, built just in time on a fresh route, or undefined. */
  #nextRealPacket(): OutgoingPacket | undefined {
    if (this.#tracker.inFlight >= this.#window) return undefined;
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      if (!this.#tracker.isPending(item.key)) continue;
      let out: OutgoingPacket;
      try {
        if (item.target.kind === "recipient") {
          out = this.#builder.dataPacket(
            encodeFragment(item.fragment),
            item.target.recipient,
            item.fragment.setId,
            item.fragment.currentFragment,
          );
        } else {
          const surb = this.#takeReplySurb(item.target.senderTag);
          if (!surb) {
            this.#park(item);
            continue;
          }
          out = this.#builder.replyPacket(
            encodeFragment(item.fragment),
            surb,
            item.fragment.setId,
            item.fragment.currentFragment,
          );
          this.#maybeRequestSurbs(item.target.senderTag);
        }
      } catch (error) {
        this.#tracker.fail(
          item.key,
          new DeliveryError("unroutable", `cannot build a packet: ${(error as Error).message}`),
        );
        continue;
      }
      if (this.#retransmitting.delete(item.key)) this.#stats.retransmissions++;
      else this.#stats.realPacketsSent++;
      const { traffic } = this.#c;
      this.#tracker.sent(
        item.key,
        out.expectedDelayMs * traffic.ackWaitMultiplier + traffic.ackWaitAdditionMs,
      );
      return out;
    }
    return undefined;
  }

  // ---- reply SURBs ---------------------------------------------------------------------------

  #senderTagFor(recipient: Recipient): AnonymousSenderTag {
    const id = recipient.toString();
    let tag = this.#senderTags.get(id);
    if (!tag) this.#senderTags.set(id, tag = AnonymousSenderTag.random(this.#c.random));
    return tag;
  }

  /**
   * After a key rotation the SURBs we hold of the previous one work for one more epoch: ask
   * each anonymous sender for fresh ones now, spending an old one to ask (as Nym's clients
   * refresh SURBs of an old rotation, `client/replies/reply_controller/`).
   */
  #refreshSurbsOnRotation(): void {
    const rotation = this.#c.routes.rotation?.().keyRotationId;
    const previous = this.#lastRotation;
    this.#lastRotation = rotation;
    if (rotation === undefined || previous === undefined || rotation === previous) return;
    if (this.#state === "closed") return;
    for (const tag of this.#surbs.tags()) this.#maybeRequestSurbs(tag);
  }

  /** The rotation our new SURBs are built for: the topology's (Nym tags the SURB block). */
  #surbRotation(): KeyRotation {
    return this.#c.routes.keyRotation() as KeyRotation;
  }

  #createReplySurbs(count: number): ReplySurbBytes[] {
    const { self, routes, traffic, crypto, random } = this.#c;
    const out: ReplySurbBytes[] = [];
    for (let i = 0; i < count; i++) {
      const route = routes.routeTo(self.gateway);
      const surb = createSurb({
        route,
        delays: sampleDelays(route.length, traffic.averagePacketDelayMs, random),
        destination: self.sphinxDestination(),
        version: 259,
        crypto,
        random,
      });
      const encryptionKey = random(16);
      this.#replyKeys.add(replyKeyDigest(encryptionKey, { crypto }), encryptionKey);
      out.push({ encryptionKey, surb: encodeSurb(surb) });
    }
    return out;
  }

  /** Replies to a sender tag that wait for a SURB: parked, queued, and the one being sent. */
  #repliesWaiting(id: string): number {
    return (this.#parked.get(id)?.length ?? 0) + this.#queue.laneLength("replies") +
      this.#queue.laneLength("retransmission");
  }

  /**
   * A SURB for a reply fragment. When the replies waiting outnumber the SURBs, the last
   * {@linkcode SURB_RESERVE} are kept to ask for more (and to ask again if that request is lost),
   * as Nym keeps its `minimum_reply_surb_storage_threshold`.
   */
  #takeReplySurb(tag: Uint8Array): ReplySurbBytes | undefined {
    const available = this.#surbs.count(tag);
    const allFit = available >= this.#repliesWaiting(toHex(tag)) + 1;
    return allFit || available > SURB_RESERVE ? this.#surbs.take(tag) : undefined;
  }

  #park(item: Item): void {
    if (item.target.kind !== "reply") return;
    const id = toHex(item.target.senderTag);
    const list = this.#parked.get(id) ?? [];
    list.push(item);
    this.#parked.set(id, list);
    this.#surbWait(id, item.target.senderTag);
    this.#maybeRequestSurbs(item.target.senderTag);
  }

  /**
   * Asks the anonymous sender for more SURBs when fewer remain than the replies waiting. A
   * request can be lost like any packet, so while replies wait it is repeated every
   * `surbRequestRetryMs`; after `surbWaitLimitMs` without SURBs the waiting replies fail.
   */
  #maybeRequestSurbs(tag: Uint8Array): void {
    const id = toHex(tag);
    const waiting = this.#repliesWaiting(id);
    // SURBs of the previous rotation are spent but not counted: fresh ones are asked for first
    const available = this.#surbs.freshCount(tag);
    const wait = this.#surbWaits.get(id);
    const { clock, traffic } = this.#c;
    const now = clock.now();
    if (available > waiting + 1 || this.#surbs.count(tag) === 0) return;
    if (wait?.requestedAt !== undefined && now - wait.requestedAt < traffic.surbRequestRetryMs) {
      return;
    }
    const surb = this.#surbs.take(tag)!;
    const amount = Math.min(MAX_SURB_REQUEST, Math.max(MIN_SURB_REQUEST, waiting - available + 2));
    const request: NymMessage = {
      type: "reply",
      content: { kind: "surbRequest", recipient: this.#c.self, amount },
    };
    try {
      const padded = padMessage(encodeNymMessage(request), fragmentCapacity());
      const [fragment] = splitIntoFragments(padded, fragmentCapacity(), this.#c.random);
      const out = this.#builder.replyPacket(
        encodeFragment(fragment),
        surb,
        fragment.setId,
        fragment.currentFragment,
      );
      this.#surbWait(id, tag).requestedAt = now;
      this.#gateway?.send(out);
    } catch (error) {
      this.#emit("error", { error: error as Error });
    }
  }

  /** The wait record of a sender tag, with its timer running. */
  #surbWait(id: string, tag: Uint8Array): SurbWait {
    let wait = this.#surbWaits.get(id);
    if (wait) return wait;
    const { clock, traffic } = this.#c;
    const check = (): void => {
      const current = this.#surbWaits.get(id);
      if (!current || this.#state === "closed") return;
      if (!this.#parked.get(id)?.length) {
        // Nothing waits any more (replies got through with the SURBs left).
        this.#surbWaits.delete(id);
        return;
      }
      if (clock.now() - current.since >= traffic.surbWaitLimitMs) {
        this.#surbWaits.delete(id);
        this.#failParked(id);
        return;
      }
      current.timer = clock.setTimeout(check, traffic.surbRequestRetryMs);
      this.#maybeRequestSurbs(tag);
    };
    wait = {
      since: clock.now(),
      requestedAt: undefined,
      timer: clock.setTimeout(check, traffic.surbRequestRetryMs),
    };
    this.#surbWaits.set(id, wait);
    return wait;
  }

  #failParked(id: string): void {
    const parked = this.#parked.get(id) ?? [];
    this.#parked.delete(id);
    const error = new DeliveryError(
      "no-reply-surbs",
      "no reply SURBs arrived from the anonymous sender in time",
    );
    for (const item of parked) this.#tracker.fail(item.key, error);
  }

  #surbsArrived(
    tag: AnonymousSenderTag,
    surbs: readonly ReplySurbBytes[],
    keyRotation?: KeyRotation,
  ): void {
    const id = toHex(tag.bytes);
    this.#surbs.add(tag.bytes, surbs, keyRotation);
    if (surbs.length === 0) return;
    // SURBs built before a rotation we already see die after this epoch: ask for fresh ones
    if (this.#surbs.freshCount(tag.bytes) === 0) this.#maybeRequestSurbs(tag.bytes);
    const wait = this.#surbWaits.get(id);
    if (wait) {
      this.#c.clock.clearTimeout(wait.timer);
      this.#surbWaits.delete(id);
    }
    const parked = this.#parked.get(id);
    if (parked) {
      this.#parked.delete(id);
      this.#queue.push("replies", parked);
      this.#kick();
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  #deliver(message: NymMessage): void {
    if (message.type === "plain") {
      this.#push({ data: message.data, kind: "plain" });
      return;
    }
    if (message.type === "repliable") {
      const { senderTag, content } = message;
      this.#surbsArrived(senderTag, content.replySurbs, content.keyRotation);
      if (content.kind === "data") {
        this.#push({ data: content.message, kind: "repliable", senderTag: senderTag.toString() });
      }
      return;
    }
    const { content } = message;
    if (content.kind === "data") {
      this.#push({ data: content.message, kind: "reply" });
      return;
    }
    // A peer we wrote to anonymously asks for more SURBs.
    const tag = this.#senderTags.get(content.recipient.toString());
    if (!tag || this.#state !== "open") return;
    const amount = Math.min(content.amount, MAX_SURBS_GIVEN);
    for (let sent = 0; sent < amount; sent += 100) {
      const batch = Math.min(100, amount - sent);
      this.#enqueue(
        {
          type: "repliable",
          senderTag: tag,
          content: {
            kind: "additionalSurbs",
            version: 2,
            replySurbs: this.#createReplySurbs(batch),
            keyRotation: this.#surbRotation(),
          },
        },
        { kind: "recipient", recipient: content.recipient },
        "additional-reply-surbs",
      );
    }
  }

  #push(message: ReceivedMessage): void {
    if (this.#state === "closed") return;
    this.#stats.messagesReceived++;
    for (const handler of this.#interceptors) {
      try {
        if (handler(message)) return;
      } catch (error) {
        this.#emit("error", { error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
    try {
      this.#controller.enqueue(message);
    } catch {
      // the application cancelled the stream
    }
  }

  #scheduleStaleCheck(): void {
    const { clock } = this.#c;
    this.#staleTimer = clock.setTimeout(() => {
      this.#reassembler.removeStale();
      this.#replyKeys.purge();
      if (this.#state !== "closed") this.#scheduleStaleCheck();
    }, 10_000);
  }

  #assertOpen(): void {
    if (this.#state !== "open") {
      throw new DeliveryError("closed", "the client is disconnecting or disconnected");
    }
  }

  #emit<K extends keyof MixnetClientEvents>(type: K, event: MixnetClientEvents[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(event);
      } catch {
        // a throwing listener must not break the client
      }
    }
  }
}

/** Gives a ReadableStream an async iterator where the runtime lacks one (older Safari). */
function asyncIterable<T>(stream: ReadableStream<T>): ReadableStream<T> & AsyncIterable<T> {
  const s = stream as ReadableStream<T> & Partial<AsyncIterable<T>>;
  if (typeof s[Symbol.asyncIterator] !== "function") {
    Object.defineProperty(s, Symbol.asyncIterator, {
      value: async function* () {
        const reader = stream.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          reader.releaseLock();
        }
      },
    });
  }
  return s as ReadableStream<T> & AsyncIterable<T>;
}
