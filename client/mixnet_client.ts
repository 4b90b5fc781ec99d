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
  type NymMessage,
  padMessage,
  Reassembler,
  type Recipient,
  replyKeyDigest,
  type ReplySurbBytes,
  splitIntoFragments,
} from "../message/mod.ts";
import { CongestionWindow } from "../queue/congestion_window.ts";
import { DeliveryError, type DeliveryHandle, DeliveryTracker } from "../queue/delivery.ts";
import { LaneQueue } from "../queue/lane_queue.ts";
import { MemoryReplyKeyStore } from "../replies/reply_key_store.ts";
import { SurbGrants } from "../replies/surb_grants.ts";
import { ReplySurbPolicy } from "../replies/surb_policy.ts";
import { createSurb, encodeSurb, sampleDelays } from "../sphinx/mod.ts";
import { RecipientCache } from "./_recipient_cache.ts";
import { wire } from "./_wiring.ts";
import {
  LANE_ADDITIONAL_SURBS,
  LANE_GENERAL,
  LANE_REPLIES,
  LANE_RETRANSMISSION,
  LANE_SURB_REQUEST,
} from "./lanes.ts";
import { MessageInbox, type MessageInboxLimits } from "./message_inbox.ts";
import { type OutgoingPacket, PacketBuilder } from "./packet_builder.ts";
import type { RouteSource } from "./route_source.ts";
import type { TrafficConfig } from "./traffic.ts";

/** Where packets go: the client's authenticated gateway connection. */
export interface GatewayLink {
  /** Sends one packet to the gateway (queued while reconnecting). */
  send(packet: OutgoingPacket): void;
  /** Bytes accepted by `send` and not yet written to the network (queued while down included). */
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
  /**
   * A received message was dropped because `client.messages` is full (nobody reads it fast
   * enough; by default 10 000 messages or 32 MiB wait at most).
   */
  messageDropped: { bytes: number; kind: ReceivedMessage["kind"] };
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
  /** Bounds of `client.messages` (defaults: 10 000 messages, 32 MiB). */
  readonly inboxLimits?: MessageInboxLimits;
}

type ReplyTarget = {
  readonly kind: "reply";
  readonly senderTag: Uint8Array;
  /** A request for more SURBs: it carries its own SURB and does not wait for one. */
  readonly request?: boolean;
};
type Target = { readonly kind: "recipient"; readonly recipient: Recipient } | ReplyTarget;

interface Item {
  readonly key: string;
  /** Serialized when its packet is built (`encodeFragment`), not while it waits in the queue. */
  readonly fragment: Fragment;
  readonly target: Target;
  /** A SURB taken for this item beforehand (a SURB request carries one from the reserve). */
  surb?: ReplySurbBytes;
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
  /** Messages dropped because `client.messages` was full. */
  readonly messagesDropped: number;
  /** Requests for more reply SURBs queued. */
  readonly surbRequestsSent: number;
}

/** Drain this many packets per macrotask when the Poisson stream is off. */
const BURST = 16;
/** SURBs per `additionalSurbs` message (Nym's batches). */
const SURB_BATCH = 100;
/** Sphinx version of reply SURBs we create (as the official client). */
const SURB_VERSION = 259;
/** Reply SURB key length. */
const SURB_KEY_BYTES = 16;
/** Interval of the stale-state purge (incomplete messages, old keys and SURBs), ms. */
const PURGE_INTERVAL_MS = 10_000;
/** How long `disconnect()` waits for outstanding acks by default, ms. */
const DISCONNECT_TIMEOUT_MS = 15_000;

type Listener<T> = (event: T) => void;

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
  #queue: LaneQueue<Item>;
  #items = new Map<string, Item>();
  #tracker: DeliveryTracker;
  #streams: TrafficStreams<OutgoingPacket>;
  #window: CongestionWindow;
  #drainTimer: TimerHandle | undefined;
  /** A drain is queued (as a microtask or on #drainTimer). */
  #drainScheduled = false;
  /** The last drain sent a whole burst and left packets queued: the next waits for a timer. */
  #draining = false;
  #purgeTimer: TimerHandle | undefined;
  #reassembler: Reassembler;
  #replyKeys: MemoryReplyKeyStore;
  #replies: ReplySurbPolicy<Item>;
  #grants: SurbGrants;
  #senderTags = new Map<string, AnonymousSenderTag>();
  #recipients = new RecipientCache();
  #listeners = new Map<keyof MixnetClientEvents, Set<Listener<unknown>>>();
  #interceptors = new Set<(message: ReceivedMessage) => boolean>();
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
    this.#replyKeys = new MemoryReplyKeyStore(() => clock.now());
    this.#grants = new SurbGrants(traffic.surbRequestRetryMs);
    this.#replies = new ReplySurbPolicy<Item>({
      clock,
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
    this.#inbox = new MessageInbox((m) => m.data.byteLength, components.inboxLimits);
    this.messages = this.#inbox.readable;
    wire(this, {
      attach: (gateway) => this.#attach(gateway),
      receive: (bytes) => this.#receive(bytes),
      emit: (type, event) => this.#emit(type, event),
      intercept: (handler) => {
        this.#interceptors.add(handler);
        return () => this.#interceptors.delete(handler);
      },
    });
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
    this.#assertOpen();
    const to = typeof recipient === "string" ? this.#recipients.parse(recipient) : recipient;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const surbCount = options.replySurbs ?? 0;
    const message: NymMessage = surbCount > 0
      ? {
        type: "repliable",
        senderTag: this.#senderTagFor(to),
        content: {
          kind: "data",
          version: 2,
          replySurbs: this.#createReplySurbs(surbCount, to),
          message: bytes,
        },
      }
      : { type: "plain", data: bytes };
    return this.#enqueue(message, { kind: "recipient", recipient: to }, options.lane);
  }

  /** Answers an anonymous message through the SURBs its sender attached. */
  reply(senderTag: string | AnonymousSenderTag, data: Uint8Array | string): DeliveryHandle {
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
        this.#tracker.idle(),
        new Promise<void>((resolve) =>
          timer = clock.setTimeout(resolve, options.timeoutMs ?? DISCONNECT_TIMEOUT_MS)
        ),
      ]);
      clock.clearTimeout(timer);
      this.#shutdown();
      await this.#gateway?.close();
      this.#c.onDisconnect?.();
    })();
    return this.#closed;
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
    if (this.#drainTimer !== undefined) clock.clearTimeout(this.#drainTimer);
    if (this.#purgeTimer !== undefined) clock.clearTimeout(this.#purgeTimer);
    this.#drainTimer = this.#purgeTimer = undefined;
    this.#drainScheduled = this.#draining = false;
    this.#replies.close();
    this.#tracker.close(new DeliveryError("closed", "the client disconnected"));
    this.#queue.remove(() => true);
    this.#items.clear();
    this.#inbox.close();
  }

  #schedulePurge(): void {
    this.#purgeTimer = this.#c.clock.setTimeout(() => {
      this.#reassembler.removeStale();
      this.#replyKeys.purge();
      this.#replies.store.purge();
      if (this.#state !== "closed") this.#schedulePurge();
    }, PURGE_INTERVAL_MS);
  }

  // ---- sending -------------------------------------------------------------------------------

  #enqueue(message: NymMessage, target: Target, lane = LANE_GENERAL): DeliveryHandle {
    const capacity = fragmentCapacity();
    const padded = padMessage(encodeNymMessage(message), capacity);
    const fragments = splitIntoFragments(padded, capacity, this.#c.random);
    const items = fragments.map((fragment): Item => ({
      key: toHex(fragmentId(fragment.setId, fragment.currentFragment)),
      fragment,
      target,
    }));
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
      if (waitsForSurb(item)) this.#replies.queued((item.target as ReplyTarget).senderTag);
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
    this.#window.lost(this.#c.clock.now(), this.#tracker.measuredTimeoutMs ?? 1000);
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

  /**
   * Without the Poisson stream, drain the queue right away in small bursts: the first burst in
   * a microtask (a 0 ms timer costs 1–2 ms in Deno, all of it latency), the bursts that follow
   * it on 0 ms timers so that the network and other tasks get their turn between them.
   */
  #kick(): void {
    if (this.#streams.poisson || this.#drainScheduled || !this.#gateway) return;
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
      const { target } = item;
      if (waitsForSurb(item)) this.#replies.dequeued((target as ReplyTarget).senderTag);
      if (!this.#tracker.isPending(item.key)) continue;
      let out: OutgoingPacket;
      const { fragment } = item;
      try {
        if (target.kind === "recipient") {
          out = this.#builder.dataPacket(
            encodeFragment(fragment),
            target.recipient,
            fragment.setId,
            fragment.currentFragment,
          );
        } else {
          const surb = item.surb ??
            (target.request
              ? this.#replies.takeAny(target.senderTag)
              : this.#replies.take(target.senderTag));
          item.surb = undefined; // a SURB is used once; a retransmission takes another
          if (!surb) {
            if (target.request) this.#tracker.fail(item.key, noSurbs());
            else this.#replies.park(target.senderTag, item);
            continue;
          }
          out = this.#builder.replyPacket(
            encodeFragment(fragment),
            surb,
            fragment.setId,
            fragment.currentFragment,
          );
        }
      } catch (error) {
        this.#tracker.fail(
          item.key,
          new DeliveryError("unroutable", `cannot build a packet: ${(error as Error).message}`, {
            cause: error,
          }),
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

  /** Reply SURBs for `owner`, whose replies will come back through them. */
  #createReplySurbs(count: number, owner: Recipient): ReplySurbBytes[] {
    const { self, routes, traffic, crypto, random } = this.#c;
    const out: ReplySurbBytes[] = [];
    for (let i = 0; i < count; i++) {
      const route = routes.routeTo(self.gateway);
      const surb = createSurb({
        route,
        delays: sampleDelays(route.length, traffic.averagePacketDelayMs, random),
        destination: self.sphinxDestination(),
        version: SURB_VERSION,
        crypto,
        random,
      });
      const encryptionKey = random(SURB_KEY_BYTES);
      this.#replyKeys.add(replyKeyDigest(encryptionKey, { crypto }), encryptionKey, `${owner}`);
      out.push({ encryptionKey, surb: encodeSurb(surb) });
    }
    return out;
  }

  /** Queues a request for more SURBs as a real message (Nym's `ReplySurbRequest` lane). */
  #requestSurbs(tag: Uint8Array, surb: ReplySurbBytes, amount: number): void {
    if (this.#state === "closed") return;
    const request: NymMessage = {
      type: "reply",
      content: { kind: "surbRequest", recipient: this.#c.self, amount },
    };
    const padded = padMessage(encodeNymMessage(request), fragmentCapacity());
    const [fragment] = splitIntoFragments(padded, fragmentCapacity(), this.#c.random);
    const item: Item = {
      key: toHex(fragmentId(fragment.setId, fragment.currentFragment)),
      fragment,
      target: { kind: "reply", senderTag: tag, request: true },
      surb,
    };
    this.#items.set(item.key, item);
    const handle = this.#tracker.track([item.key]);
    const forget = (): void => this.#forget([item]);
    handle.delivered.then(forget, forget);
    this.#stats.surbRequestsSent++;
    this.#requeue(LANE_SURB_REQUEST, [item]);
  }

  /** A peer we wrote to anonymously asks for more SURBs, in a reply opened with `owner`'s key. */
  #surbRequest(recipient: Recipient, amount: number, owner: string | undefined): void {
    // Only the peer the key was given to may ask: naming anyone else would link our tags.
    const peer = recipient.toString();
    const tag = this.#senderTags.get(peer);
    if (!tag || owner !== peer || this.#state !== "open") return;
    const { clock } = this.#c;
    const granted = this.#grants.grant(
      peer,
      amount,
      clock.now(),
      this.#replyKeys.countFor(peer),
    );
    for (let sent = 0; sent < granted; sent += SURB_BATCH) {
      const batch = Math.min(SURB_BATCH, granted - sent);
      this.#enqueue(
        {
          type: "repliable",
          senderTag: tag,
          content: {
            kind: "additionalSurbs",
            version: 2,
            replySurbs: this.#createReplySurbs(batch, recipient),
          },
        },
        { kind: "recipient", recipient },
        LANE_ADDITIONAL_SURBS,
      );
    }
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** Handles one message the gateway pushed. Malformed input becomes an `error` event. */
  #receive(bytes: Uint8Array): void {
    if (this.#state === "closed") return;
    try {
      const { ackKey, crypto, encryptionSecretKey } = this.#c;
      const kind = classifyReceived(bytes);
      if (kind.kind === "ack") {
        const id = decryptAck(ackKey, bytes, { crypto });
        if (!isCoverFragmentId(decodeFragmentId(id))) this.#acknowledged(toHex(id));
        return;
      }
      // Which peer's reply key (if any) opened the packet: it may ask for SURBs, no one else.
      let owner: string | undefined;
      const keys = {
        take: (digest: Uint8Array) => {
          const entry = this.#replyKeys.takeEntry(digest);
          owner = entry?.owner;
          if (owner !== undefined) this.#grants.used(owner);
          return entry?.key;
        },
      };
      const opened = decryptReceived(bytes, encryptionSecretKey, keys, { crypto });
      if (isCover(opened.plaintext)) return;
      const outcome = this.#reassembler.insertBytes(opened.plaintext);
      if (outcome.kind === "complete") this.#deliver(decodeNymMessage(outcome.message), owner);
    } catch (error) {
      this.#emit("error", { error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #deliver(message: NymMessage, owner: string | undefined): void {
    if (message.type === "plain") {
      this.#push({ data: message.data, kind: "plain" });
    } else if (message.type === "repliable") {
      const { senderTag, content } = message;
      this.#replies.arrived(senderTag.bytes, content.replySurbs);
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
    for (const listener of this.#listeners.get(type) ?? []) {
      try {
        listener(event);
      } catch {
        // a throwing listener must not break the client
      }
    }
  }
}

/** A reply fragment that will need a SURB from the policy when it leaves the queue. */
function waitsForSurb(item: Item): boolean {
  return item.target.kind === "reply" && !item.target.request && !item.surb;
}

function noSurbs(): DeliveryError {
  return new DeliveryError("no-reply-surbs", "no reply SURB left for the request");
}
