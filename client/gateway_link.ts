/**
 * The client's gateway connection with automatic reconnect: exponential backoff with jitter,
 * packets queued (bounded) while disconnected, and a liveness probe (a `supportedProtocol`
 * round trip every few seconds, which works in browsers too where WebSocket pings cannot be sent)
 * so a silently dead connection is noticed within seconds.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { type RandomBytes, uniform } from "../internal/random.ts";
import type { GatewayClient, GatewayCloseEvent } from "../gateway/mod.ts";
import type { GatewayLink } from "./mixnet_client.ts";
import type { OutgoingPacket } from "./packet_builder.ts";
import { describeClose } from "./_reconnect.ts";

/** First reconnect delay, ms; doubled per attempt. */
export const INITIAL_BACKOFF_MS = 500;
/** Longest reconnect delay, ms. */
export const MAX_BACKOFF_MS = 30_000;
/** Packets kept while disconnected; older ones are dropped (and retransmitted on timeout). */
export const MAX_QUEUED_PACKETS = 1000;
/** Interval of the liveness probe, ms. */
export const LIVENESS_INTERVAL_MS = 5000;

/** Options of {@linkcode ReconnectingGatewayLink}. */
export interface ReconnectingGatewayLinkOptions {
  /**
   * The gateway client; its `onClose` must call the link's `closed`. Its `bufferedAmount` (bytes
   * not yet written by its socket) feeds the client's backpressure.
   */
  readonly client:
    & Pick<GatewayClient, "connect" | "sendMixPacket" | "ping" | "close" | "state">
    & { readonly bufferedAmount?: number };
  /** Injected time. */
  readonly clock: Clock;
  /** Injected randomness (jitter). */
  readonly random: RandomBytes;
  /** First reconnect delay in ms (default 500), doubled per attempt up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  /** Longest reconnect delay in ms (default 30 000). */
  readonly maxBackoffMs?: number;
  /** Packets kept while disconnected (default 1000); older ones are dropped (their acks will time out and they are retransmitted). */
  readonly maxQueuedPackets?: number;
  /** Interval of the liveness probe in ms (default 5000; 0 turns it off). */
  readonly livenessIntervalMs?: number;
  /** Told when a (re)connection is authenticated. */
  readonly onConnected?: () => void;
  /**
   * Called before every reconnect attempt after a failed one: look the gateway's address up
   * again (it may have moved). Resolves to the new URL if it changed, for the log.
   */
  readonly reresolve?: () => Promise<string | undefined>;
  /** Told when a reconnect is scheduled. */
  readonly onReconnecting?: (attempt: number, delayMs: number, reason: string) => void;
}

/**
 * A {@linkcode GatewayLink} over a {@linkcode GatewayClient} that reconnects by itself.
 *
 * @example
 * ```ts ignore
 * const link = new ReconnectingGatewayLink({ client, clock, random });
 * await link.start();
 * ```
 */
export class ReconnectingGatewayLink implements GatewayLink {
  #o: ReconnectingGatewayLinkOptions;
  #queue: OutgoingPacket[] = [];
  #queuedBytes = 0;
  #attempt = 0;
  #timer: TimerHandle | undefined;
  #closing = false;
  #connecting: Promise<void> | undefined;
  #probe: TimerHandle | undefined;
  #movedTo: string | undefined;

  /** Wraps `client`; call {@linkcode ReconnectingGatewayLink.start}. */
  constructor(options: ReconnectingGatewayLinkOptions) {
    this.#o = options;
  }

  /**
   * Bytes accepted by `send` and not yet written to the network: what the connected socket still
   * holds plus what is queued while disconnected.
   */
  get bufferedAmount(): number {
    const { client } = this.#o;
    return this.#queuedBytes + (client.state === "ready" ? client.bufferedAmount ?? 0 : 0);
  }

  /** Connects for the first time; rejects if that fails (no retry). */
  async start(): Promise<void> {
    await this.#o.client.connect();
    this.#o.onConnected?.();
    this.#scheduleProbe();
  }

  /** Sends at once when connected, otherwise queues. */
  send(packet: OutgoingPacket): void {
    if (this.#closing) return;
    if (this.#o.client.state === "ready") {
      this.#o.client.sendMixPacket({
        nextHop: packet.firstHop,
        packet: packet.packet,
        keyRotation: packet.keyRotation as 0 | 1 | 2,
        packetType: 0,
      }).catch(() => {
        // The socket died under us; the close handler reconnects and the ack timer resends.
      });
      return;
    }
    this.#queue.push(packet);
    this.#queuedBytes += packet.packet.length;
    const max = this.#o.maxQueuedPackets ?? MAX_QUEUED_PACKETS;
    while (this.#queue.length > max) this.#queuedBytes -= this.#queue.shift()!.packet.length;
  }

  /** Call from the gateway client's `onClose`: schedules a reconnect unless we closed it. */
  closed(event: GatewayCloseEvent): void {
    if (this.#closing || event.byClient) return;
    // During a reconnect attempt its rejection says more (which URL, refused or timed out).
    if (this.#connecting) return;
    this.#schedule(describeClose(event));
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    if (this.#probe !== undefined) this.#o.clock.clearTimeout(this.#probe);
    this.#timer = this.#probe = undefined;
    await this.#connecting?.catch(() => {});
    await this.#o.client.close();
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  #scheduleProbe(): void {
    const interval = this.#o.livenessIntervalMs ?? LIVENESS_INTERVAL_MS;
    if (interval <= 0 || this.#closing || this.#probe !== undefined) return;
    this.#probe = this.#o.clock.setTimeout(() => {
      this.#probe = undefined;
      const { client } = this.#o;
      if (this.#closing || client.state !== "ready") return;
      client.ping().then(
        () => this.#scheduleProbe(),
        async (error) => {
          if (this.#closing || client.state !== "ready") return;
          // No answer: the socket is dead even if it never said so. Drop it and reconnect.
          await client.close();
          this.#schedule(`liveness probe failed: ${(error as Error).message}`);
        },
      );
    }, interval);
  }

  /** After a failed attempt, the gateway's address from a fresh topology (see `reresolve`). */
  async #reresolve(): Promise<void> {
    if (this.#attempt < 2 || !this.#o.reresolve) return;
    const moved = await this.#o.reresolve().catch(() => undefined);
    if (moved) this.#movedTo = moved;
    if (this.#closing) throw new Error("the link is closing");
  }

  #schedule(reason: string): void {
    if (this.#timer !== undefined || this.#closing) return;
    const base = this.#o.initialBackoffMs ?? INITIAL_BACKOFF_MS;
    const cap = this.#o.maxBackoffMs ?? MAX_BACKOFF_MS;
    const delay = Math.min(cap, base * 2 ** this.#attempt) * (0.5 + uniform(this.#o.random) / 2);
    this.#attempt++;
    this.#o.onReconnecting?.(this.#attempt, Math.round(delay), reason);
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#closing) return;
      this.#connecting = this.#reresolve().then(() => this.#o.client.connect()).then(
        () => {
          this.#attempt = 0;
          this.#o.onConnected?.();
          this.#scheduleProbe();
          const queued = this.#queue;
          this.#queue = [];
          this.#queuedBytes = 0;
          for (const packet of queued) this.send(packet);
        },
        (error) => {
          const moved = this.#movedTo ? ` (gateway now listed at ${this.#movedTo})` : "";
          this.#movedTo = undefined;
          this.#schedule(`reconnect failed: ${(error as Error).message}${moved}`);
        },
      ).finally(() => this.#connecting = undefined);
    }, delay);
  }
}
