/**
 * The client's two constant streams towards its gateway, as Nym's clients run them:
 * - the main Poisson stream (mean `messageSendingAverageDelayMs`, Nym: 20 ms): every tick sends
 *   the next real packet if one is ready, else a loop cover packet, so an observer sees the same
 *   rate whether the user sends or not;
 * - the loop cover stream (mean `loopCoverAverageDelayMs`, Nym: 200 ms): cover only.
 *
 * Both run on absolute deadlines ({@linkcode PoissonTicker}); the main stream slows down under
 * backpressure ({@linkcode DelayMultiplier}) and neither sends while the connection's buffer is
 * full. With the main stream off (`poisson: false`), real packets leave as soon as
 * {@linkcode TrafficStreams.wake} is called, in bursts of {@linkcode IMMEDIATE_BURST}.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import { DelayMultiplier } from "./delay_multiplier.ts";
import { PoissonTicker } from "./poisson_ticker.ts";

/**
 * Packets sent per macrotask when the main stream is off and packets leave at once.
 *
 * @example
 * ```ts
 * import { IMMEDIATE_BURST } from "@nym/mixnet/cover";
 * console.log(IMMEDIATE_BURST); // 16
 * ```
 */
export const IMMEDIATE_BURST = 16;

/**
 * Packets sent in the microtask that follows a wake, before the first 0 ms timer. Many clients
 * in one process are often woken in the same task; with a whole burst each, 100 clients built
 * 1,000 packets back to back (2 s on a slow VM) before any ack was read, past the acks'
 * timeouts, and retransmitted all of them. With 2 (one packet, and a look whether another is
 * ready), two runs of `bench/scaling.ts` retransmitted none at 100 clients.
 *
 * @example
 * ```ts
 * import { IMMEDIATE_FIRST } from "@nym/mixnet/cover";
 * console.log(IMMEDIATE_FIRST); // 2
 * ```
 */
export const IMMEDIATE_FIRST = 2;

/** Where the streams send: anything with `send` and an honest `bufferedAmount`. */
export interface PacketSink<P> {
  /** Sends one packet. */
  send(packet: P): void;
  /** Bytes accepted by `send` and not yet written to the network. */
  readonly bufferedAmount: number;
}

/** Rates of the two streams. */
export interface TrafficRates {
  /** Mean gap of the main stream, ms (Nym: 20). */
  readonly messageSendingAverageDelayMs: number;
  /** Mean gap of the loop cover stream, ms (Nym: 200). */
  readonly loopCoverAverageDelayMs: number;
  /** Run the main Poisson stream. */
  readonly poisson: boolean;
  /** Run the loop cover stream. */
  readonly loopCover: boolean;
}

/** Options of {@linkcode TrafficStreams}. */
export interface TrafficStreamsOptions<P> {
  /** The rates and which streams run. */
  readonly traffic: TrafficRates;
  /** Injected time. */
  readonly clock: Clock;
  /** Injected randomness. */
  readonly random: RandomBytes;
  /** The next real packet, built just in time, or undefined when none is ready. */
  readonly nextReal: () => P | undefined;
  /** A fresh loop cover packet, or undefined when none can be built. */
  readonly cover: () => P | undefined;
}

/**
 * The main Poisson stream and the loop cover stream over one sink.
 *
 * @example
 * ```ts
 * import { TrafficStreams } from "@nym/mixnet/cover";
 * const sent: string[] = [];
 * const streams = new TrafficStreams<string>({
 *   traffic: { messageSendingAverageDelayMs: 20, loopCoverAverageDelayMs: 200, poisson: true, loopCover: true },
 *   clock: { now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as number) },
 *   random: (n) => crypto.getRandomValues(new Uint8Array(n)),
 *   nextReal: () => undefined,
 *   cover: () => "cover",
 * });
 * streams.start({ send: (p) => sent.push(p), bufferedAmount: 0 });
 * streams.stop();
 * ```
 */
export class TrafficStreams<P> {
  #o: TrafficStreamsOptions<P>;
  #sink: PacketSink<P> | undefined;
  #main: PoissonTicker | undefined;
  #loop: PoissonTicker | undefined;
  #multiplier: DelayMultiplier;
  #drainTimer: TimerHandle | undefined;
  /** A drain is queued (as a microtask or on #drainTimer). */
  #drainScheduled = false;
  /** The last drain sent a whole burst and left packets: the next waits for a timer. */
  #draining = false;

  /** Builds the streams, stopped. */
  constructor(options: TrafficStreamsOptions<P>) {
    this.#o = options;
    this.#multiplier = new DelayMultiplier(options.clock.now());
  }

  /** Whether the main Poisson stream carries real packets (false: send them at once). */
  get poisson(): boolean {
    return this.#o.traffic.poisson;
  }

  /** The current sending-delay multiplier of the main stream (1 to 6). */
  get multiplier(): number {
    return this.#multiplier.value;
  }

  /** Whether the streams are running. */
  get running(): boolean {
    return this.#sink !== undefined;
  }

  /** Starts the streams towards `sink`; a second call while running is ignored. */
  start(sink: PacketSink<P>): void {
    if (this.#sink) return;
    this.#sink = sink;
    const { traffic, clock, random } = this.#o;
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
      this.#loop = new PoissonTicker({
        meanMs: traffic.loopCoverAverageDelayMs,
        clock,
        random,
        tick: () => this.#loopTick(),
      });
      this.#loop.start();
    }
  }

  /** Stops both streams and clears their timers. */
  stop(): void {
    this.#main?.stop();
    this.#loop?.stop();
    this.#main = this.#loop = this.#sink = undefined;
    if (this.#drainTimer !== undefined) this.#o.clock.clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#drainScheduled = this.#draining = false;
  }

  /**
   * Real packets may be ready. Without the main stream, send them right away: up to
   * {@linkcode IMMEDIATE_FIRST} in a microtask (a 0 ms timer costs 1–2 ms in Deno, all of it
   * latency), then bursts of {@linkcode IMMEDIATE_BURST} on 0 ms timers so that the network and
   * other tasks get their turn. With the main stream on, this does nothing: packets wait for
   * its ticks.
   */
  wake(): void {
    if (this.#o.traffic.poisson || this.#drainScheduled || !this.#sink) return;
    this.#drainScheduled = true;
    if (this.#draining) {
      this.#drainTimer = this.#o.clock.setTimeout(() => this.#drain(IMMEDIATE_BURST), 0);
    } else queueMicrotask(() => this.#drain(IMMEDIATE_FIRST));
  }

  #drain(limit: number): void {
    this.#drainTimer = undefined;
    this.#drainScheduled = false;
    const sink = this.#sink;
    if (!sink) return; // stopped meanwhile (a microtask cannot be cancelled)
    for (let i = 0; i < limit; i++) {
      const packet = this.#o.nextReal();
      if (packet === undefined) {
        this.#draining = false;
        return;
      }
      sink.send(packet);
    }
    this.#draining = true;
    this.wake();
  }

  #mainTick(): void {
    const sink = this.#sink!;
    const buffered = sink.bufferedAmount;
    this.#main!.multiplier = this.#multiplier.update(buffered, this.#o.clock.now());
    if (DelayMultiplier.full(buffered)) return;
    const packet = this.#o.nextReal() ?? this.#o.cover();
    if (packet !== undefined) sink.send(packet);
  }

  #loopTick(): void {
    const sink = this.#sink!;
    if (DelayMultiplier.full(sink.bufferedAmount)) return;
    const packet = this.#o.cover();
    if (packet !== undefined) sink.send(packet);
  }
}
