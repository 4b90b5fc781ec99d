/**
 * The client core, the orchestrator: `send()` and `reply()` become fragments in the send queue;
 * the traffic streams (`cover/`) take them out one per Poisson tick (cover in the gaps); acks
 * and retransmissions are tracked (`queue/`); what the gateway pushes becomes messages; the
 * reply-SURB policy (`replies/`) decides when replies may go and when to ask for more SURBs.
 * Components come in already built; `connect()` builds them from options.
 *
 * @module
 */
import { TrafficStreams } from "../cover/traffic_streams.ts";
import type { TimerHandle } from "../internal/clock.ts";
import {
  AnonymousSenderTag,
  LoopCoverKeys,
  type NymMessage,
  Reassembler,
  type Recipient,
  type ReplySurbBytes,
} from "../message/mod.ts";
import { CongestionWindow } from "../queue/congestion_window.ts";
import { DeliveryError, type DeliveryHandle, DeliveryTracker } from "../queue/delivery.ts";
import { LaneQueue } from "../queue/lane_queue.ts";
import { ReplySurbPolicy } from "../replies/surb_policy.ts";
import { ReceivedSurbStore } from "../replies/surb_store.ts";
import { AnonymousSender } from "./_anonymous_sender.ts";
import { Emitter } from "./_emitter.ts";
import { openInbound } from "./_inbound.ts";
import { type Item, itemsOf, packetOf, type Target, waitsForSurb } from "./_items.ts";
import { RecipientCache } from "./_recipient_cache.ts";
import { wire } from "./_wiring.ts";
import {
  LANE_ADDITIONAL_SURBS,
  LANE_GENERAL,
  LANE_REPLIES,
  LANE_RETRANSMISSION,
  LANE_SURB_REQUEST,
} from "./lanes.ts";
import { MessageInbox } from "./message_inbox.ts";
import { validateReply, validateSend } from "./_validate.ts";
import { type OutgoingPacket, PacketBuilder } from "./packet_builder.ts";
import { WhenQuiet } from "./_when_quiet.ts";
import {
  type ReplySnapshot,
  replySnapshotOf,
  type ReplyStores,
  restoreReplyState,
} from "./reply_persistence.ts";
import type {
  GatewayLink,
  MixnetClientComponents,
  MixnetClientEvents,
  MixnetClientStats,
  ReceivedMessage,
  SendOptions,
} from "./client_types.ts";

export type {
  GatewayLink,
  MixnetClientComponents,
  MixnetClientEvents,
  MixnetClientStats,
  ReceivedMessage,
  SendOptions,
};

/** Interval of the stale-state purge (incomplete messages, old keys and SURBs), ms. */
const PURGE_INTERVAL_MS = 10_000;
/**
 * Time without a real packet sent after which route prefixes are prepared, ms: on a loopback
 * localnet, preparing at once (a 0 ms timer) competed with the round trip of the message just
 * sent and raised its p50 latency (4.8 to 5.4 ms); 10 ms later it lowered it by about 1 ms.
 */
const PREPARE_WHEN_QUIET_MS = 10;
/** The round trip assumed for the congestion window before any ack was measured, ms. */
const UNMEASURED_ROUND_TRIP_MS = 1000;
/** How long `disconnect()` waits for outstanding acks by default, ms. */
const DISCONNECT_TIMEOUT_MS = 15_000;

/**
 * A connected mixnet client. Obtain one with `connect()`.
 */
export class MixnetClient {
  /** Our Nym address (`identity.encryption@gateway`). */
  readonly address: string;
  /**
   * Messages for this client, in arrival order. A `ReadableStream` that is also
   * async-iterable: `for await (const message of client.messages) …`; leaving the loop keeps the
   * stream open for the next one. Bounded: see the `messageDropped` event.
   */
  readonly messages: ReadableStream<ReceivedMessage> & AsyncIterable<ReceivedMessage>;

  #c: MixnetClientComponents;
  #gateway: GatewayLink | undefined;
  #builder: PacketBuilder;
  /** Ephemeral keys of our loop cover in flight: returning cover is dropped undecrypted. */
  #loopCoverKeys = new LoopCoverKeys();
  #queue: LaneQueue<Item>;
  #items = new Map<string, Item>();
  #tracker: DeliveryTracker;
  #streams: TrafficStreams<OutgoingPacket>;
  #window: CongestionWindow;
  #purgeTimer: TimerHandle | undefined;
  /**
   * Once no real packet has been sent for {@linkcode PREPARE_WHEN_QUIET_MS}, derives the mix
   * layers of the next ones ahead of time (PacketBuilder.prepare): the next message's two Sphinx
   * headers then cost two X25519 instead of ten. Waiting for a pause keeps that work off the path
   * of the packets just sent and of what comes back for them.
   */
  #prepareRoutes: WhenQuiet;
  #reassembler: Reassembler;
  #anon: AnonymousSender;
  #replies: ReplySurbPolicy<Item>;
  #recipients = new RecipientCache();
  #events = new Emitter<MixnetClientEvents>();
  #interceptors = new Set<(message: ReceivedMessage) => boolean>();
  /** What `disconnect()` lets finish first (the stream layer's closes in flight). */
  #closeHooks = new Set<() => Promise<unknown>>();
  #inbox: MessageInbox<ReceivedMessage>;
  #state: "open" | "closing" | "closed" = "open";
  #stats = {
    realPacketsSent: 0,
    retransmissions: 0,
    coverPacketsSent: 0,
    acksReceived: 0,
    messagesReceived: 0,
    messagesDropped: 0,
    surbRequestsSent: 0,
  };
  #retransmitting = new Set<string>();
  #closed: Promise<void> | undefined;

  /** Builds the core around its components; `connect()` attaches it to its gateway. */
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
      loopCoverKeys: this.#loopCoverKeys,
    });
    this.#prepareRoutes = new WhenQuiet(clock, PREPARE_WHEN_QUIET_MS, () => {
      try {
        this.#builder.prepare();
      } catch {
        // no route now: the next packet reports it when it is built
      }
    });
    this.#queue = new LaneQueue(random);
    this.#window = new CongestionWindow(traffic.maxInFlight);
    this.#tracker = new DeliveryTracker({
      clock,
      maxRetransmissions: traffic.maximumRetransmissions,
      retransmit: (key) => this.#retransmit(key),
      onFailed: (handle, error) => this.#emit("deliveryFailed", { id: handle.id, error }),
    });
    this.#streams = new TrafficStreams({
      traffic,
      clock,
      random,
      nextReal: () => this.#nextRealPacket(),
      cover: () => this.#coverPacket(),
    });
    this.#reassembler = new Reassembler({ now: () => clock.now() });
    this.#anon = new AnonymousSender({
      self: components.self,
      routes: components.routes,
      averagePacketDelayMs: traffic.averagePacketDelayMs,
      surbRequestRetryMs: traffic.surbRequestRetryMs,
      crypto,
      random,
      clock,
    });
    this.#replies = new ReplySurbPolicy<Item>({
      clock,
      store: new ReceivedSurbStore({
        now: () => clock.now(),
        rotation: () => {
          try {
            return components.routes.rotation?.();
          } catch {
            return undefined; // no topology yet
          }
        },
      }),
      retryMs: traffic.surbRequestRetryMs,
      waitLimitMs: traffic.surbWaitLimitMs,
      request: (tag, surb, amount) => this.#requestSurbs(tag, surb, amount),
      resume: (items) => this.#requeue(LANE_REPLIES, items),
      giveUp: (items) => {
        const error = new DeliveryError(
          "no-reply-surbs",
          "no reply SURBs arrived from the anonymous sender in time",
        );
        for (const item of items) this.#tracker.fail(item.key, error);
      },
    });
    restoreReplyState(components.replyState, this.#replyStores());
    this.#inbox = new MessageInbox((m) => m.data.byteLength, components.inboxLimits);
    this.messages = this.#inbox.readable;
    // A new topology may bring a key rotation: the policy then asks for fresh SURBs.
    this.on("topology", () => this.#state !== "closed" && this.#replies.checkRotation());
    wire(this, {
      attach: (gateway) => this.#attach(gateway),
      receive: (bytes) => this.#receive(bytes),
      emit: (type, event) => this.#emit(type, event),
      intercept: (handler) => {
        this.#interceptors.add(handler);
        return () => this.#interceptors.delete(handler);
      },
      beforeClose: (hook) => {
        this.#closeHooks.add(hook);
        return () => this.#closeHooks.delete(hook);
      },
    });
  }

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends keyof MixnetClientEvents>(
    type: K,
    listener: (event: MixnetClientEvents[K]) => void,
  ): () => void {
    return this.#events.on(type, listener);
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

  /** The main stream's sending-delay multiplier: 1, up to 6 while the gateway link is slow. */
  get sendingDelayMultiplier(): number {
    return this.#streams.multiplier;
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
    validateSend(recipient, data, options);
    this.#assertOpen();
    const to = typeof recipient === "string" ? this.#recipients.parse(recipient) : recipient;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const message = this.#anon.message(to, bytes, options.replySurbs ?? 0);
    return this.#enqueue(message, { kind: "recipient", recipient: to }, options.lane);
  }

  /** Answers an anonymous message through the SURBs its sender attached. */
  reply(senderTag: string | AnonymousSenderTag, data: Uint8Array | string): DeliveryHandle {
    validateReply(senderTag, data, this.#replies);
    this.#assertOpen();
    const tag = typeof senderTag === "string" ? AnonymousSenderTag.parse(senderTag) : senderTag;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const handle = this.#enqueue(
      { type: "reply", content: { kind: "data", message: bytes } },
      { kind: "reply", senderTag: tag.bytes },
      LANE_REPLIES,
    );
    this.#replies.maybeRequest(tag.bytes);
    return handle;
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
        Promise.all([
          this.#tracker.idle(),
          ...[...this.#closeHooks].map((hook) => hook().catch(() => {})),
        ]),
        new Promise<void>((resolve) =>
          timer = clock.setTimeout(resolve, options.timeoutMs ?? DISCONNECT_TIMEOUT_MS)
        ),
      ]);
      clock.clearTimeout(timer);
      this.#shutdown();
      await this.#gateway?.close();
      await this.#c.onDisconnect?.();
    })();
    return this.#closed;
  }

  /**
   * The reply state to persist: SURBs received from anonymous senders and the keys of the SURBs
   * we handed out (see `ReplyPersistence` in reply_persistence.ts).
   */
  replySnapshot(): ReplySnapshot {
    return replySnapshotOf(this.#replyStores());
  }

  #replyStores(): ReplyStores {
    return { surbs: this.#replies.store, keys: this.#anon.replyKeys };
  }

  // ---- lifecycle (reached through the wiring registry) ----------------------------------------

  #attach(gateway: GatewayLink): void {
    if (this.#gateway || this.#state === "closed") return; // once: a second pair of streams could never be stopped
    this.#gateway = gateway;
    this.#streams.start(gateway);
    this.#schedulePurge();
  }

  /** Stops every timer and fails what is pending. */
  #shutdown(): void {
    this.#state = "closed";
    this.#emit("disconnected", {});
    this.#streams.stop();
    const { clock } = this.#c;
    if (this.#purgeTimer !== undefined) clock.clearTimeout(this.#purgeTimer);
    this.#purgeTimer = undefined;
    this.#prepareRoutes.stop();
    this.#replies.close();
    this.#tracker.close(new DeliveryError("closed", "the client disconnected"));
    this.#queue.remove(() => true);
    this.#items.clear();
    this.#inbox.close();
  }

  #schedulePurge(): void {
    this.#purgeTimer = this.#c.clock.setTimeout(() => {
      this.#reassembler.removeStale();
      this.#anon.replyKeys.purge();
      this.#replies.store.purge();
      this.#replies.prune();
      if (this.#state !== "closed") this.#schedulePurge();
    }, PURGE_INTERVAL_MS);
  }

  // ---- sending -------------------------------------------------------------------------------

  #enqueue(message: NymMessage, target: Target, lane = LANE_GENERAL): DeliveryHandle {
    return this.#track(lane, itemsOf(message, target, this.#c.random));
  }

  /** Tracks `items` (one message) and queues them in `lane`. */
  #track(lane: string, items: Item[]): DeliveryHandle {
    for (const item of items) this.#items.set(item.key, item);
    const handle = this.#tracker.track(items.map((i) => i.key));
    handle.delivered.then(
      () => this.#forget(items),
      () => this.#forget(items),
    );
    this.#requeue(lane, items);
    return handle;
  }

  #requeue(lane: string, items: Item[]): void {
    for (const item of items) {
      const reply = waitsForSurb(item);
      if (reply) this.#replies.queued(reply.senderTag);
    }
    this.#queue.push(lane, items);
    this.#kick();
  }

  #forget(items: readonly Item[]): void {
    for (const item of items) {
      this.#items.delete(item.key);
      this.#retransmitting.delete(item.key);
    }
  }

  #retransmit(key: string): void {
    const item = this.#items.get(key);
    if (!item || this.#state === "closed") return;
    const roundTrip = this.#tracker.measuredTimeoutMs ?? UNMEASURED_ROUND_TRIP_MS;
    this.#window.lost(this.#c.clock.now(), roundTrip);
    this.#retransmitting.add(key);
    this.#requeue(LANE_RETRANSMISSION, [item]);
  }

  #acknowledged(key: string): void {
    if (!this.#tracker.acknowledge(key)) return;
    this.#stats.acksReceived++;
    this.#window.acknowledged();
    // An ack frees a place in the in-flight window.
    if (this.#queue.length > 0) this.#kick();
  }

  #kick(): void {
    this.#streams.wake();
  }

  #coverPacket(): OutgoingPacket | undefined {
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
    if (!this.#window.allows(this.#tracker.inFlight)) return undefined;
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      const reply = waitsForSurb(item);
      if (reply) this.#replies.dequeued(reply.senderTag);
      if (!this.#tracker.isPending(item.key)) continue;
      const { target } = item;
      let surb: ReplySurbBytes | undefined;
      if (target.kind === "reply") {
        surb = item.surb ??
          (target.request
            ? this.#replies.takeAny(target.senderTag)
            : this.#replies.take(target.senderTag));
        item.surb = undefined; // a SURB is used once; a retransmission takes another
        if (!surb) {
          if (target.request) this.#tracker.fail(item.key, noSurbs());
          else this.#replies.park(target.senderTag, item);
          continue;
        }
      }
      let out: OutgoingPacket;
      try {
        out = packetOf(this.#builder, item, surb);
      } catch (error) {
        const message = `cannot build a packet: ${(error as Error).message}`;
        this.#tracker.fail(item.key, new DeliveryError("unroutable", message, { cause: error }));
        continue;
      }
      if (this.#retransmitting.delete(item.key)) this.#stats.retransmissions++;
      else this.#stats.realPacketsSent++;
      this.#prepareRoutes.touch();
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

  /** Queues a request for more SURBs as a real message (Nym's `ReplySurbRequest` lane). */
  #requestSurbs(tag: Uint8Array, surb: ReplySurbBytes, amount: number): void {
    if (this.#state === "closed") return;
    const { self, random } = this.#c;
    const request: NymMessage = {
      type: "reply",
      content: { kind: "surbRequest", recipient: self, amount },
    };
    const items = itemsOf(request, { kind: "reply", senderTag: tag, request: true }, random);
    items[0].surb = surb;
    this.#stats.surbRequestsSent++;
    this.#track(LANE_SURB_REQUEST, items);
  }

  /** A peer we wrote to anonymously asks for more SURBs, in a reply opened with `owner`'s key. */
  #surbRequest(recipient: Recipient, amount: number, owner: string | undefined): void {
    if (this.#state !== "open") return;
    for (const message of this.#anon.answer(recipient, amount, owner)) {
      this.#enqueue(message, { kind: "recipient", recipient }, LANE_ADDITIONAL_SURBS);
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** Handles one message the gateway pushed. Malformed input becomes an `error` event. */
  #receive(bytes: Uint8Array): void {
    if (this.#state === "closed") return;
    try {
      const inbound = openInbound(
        bytes,
        this.#c,
        this.#anon,
        this.#reassembler,
        this.#loopCoverKeys,
      );
      if (inbound.kind === "ack") this.#acknowledged(inbound.key);
      else if (inbound.kind === "message") this.#deliver(inbound.message, inbound.owner);
    } catch (error) {
      this.#emit("error", { error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #deliver(message: NymMessage, owner: string | undefined): void {
    if (message.type === "plain") {
      this.#push({ data: message.data, kind: "plain" });
    } else if (message.type === "repliable") {
      const { senderTag, content } = message;
      this.#replies.arrived(senderTag.bytes, content.replySurbs, content.keyRotation);
      if (content.kind === "data") {
        this.#push({ data: content.message, kind: "repliable", senderTag: senderTag.toString() });
      }
    } else if (message.content.kind === "data") {
      this.#push({ data: message.content.message, kind: "reply" });
    } else {
      this.#surbRequest(message.content.recipient, message.content.amount, owner);
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
    if (!this.#inbox.push(message)) {
      this.#stats.messagesDropped++;
      this.#emit("messageDropped", { bytes: message.data.byteLength, kind: message.kind });
    }
  }

  #assertOpen(): void {
    if (this.#state !== "open") {
      throw new DeliveryError("closed", "the client is disconnecting or disconnected");
    }
  }

  #emit<K extends keyof MixnetClientEvents>(type: K, event: MixnetClientEvents[K]): void {
    this.#events.emit(type, event);
  }
}

function noSurbs(): DeliveryError {
  return new DeliveryError("no-reply-surbs", "no reply SURB left for the request");
}
