/**
 * What a running client shows: on a terminal, one status line redrawn every second (gateway,
 * connection, packets per second real and cover, queue length, unacknowledged fragments,
 * whether an application is attached), with log lines printed above it; elsewhere, plain
 * timestamped log lines and a periodic summary.
 *
 * @module
 */
import type { MixnetClientEvents, MixnetClientStats } from "../client/mixnet_client.ts";
import { type Clock, systemClock, type TimerHandle } from "../internal/clock.ts";

/** What the status line reads; a `MixnetClient` is one. */
export interface StatusSource {
  /** Our Nym address (its gateway part is shown). */
  readonly address: string;
  /** Packets queued. */
  readonly queueLength: number;
  /** Fragments sent and not yet acknowledged. */
  readonly unacknowledged: number;
  /** Packet counters. */
  readonly stats: MixnetClientStats;
  /** Connection events. */
  on<K extends keyof MixnetClientEvents>(
    type: K,
    listener: (event: MixnetClientEvents[K]) => void,
  ): () => void;
}

/** Options of {@linkcode StatusLine}. */
export interface StatusLineOptions {
  /** The client to watch. */
  readonly client: StatusSource;
  /** Writes raw text (stderr). */
  readonly write: (text: string) => void;
  /** Redraw one line in place (a terminal) or print log lines. */
  readonly tty: boolean;
  /** Extra state shown at the end of the line, e.g. `app connected`. */
  readonly extra?: () => string;
  /** Time and timers. */
  readonly clock?: Clock;
  /** Redraw interval on a terminal (default 1000 ms). */
  readonly intervalMs?: number;
  /** Summary interval when not a terminal (default 60 000 ms). */
  readonly summaryIntervalMs?: number;
}

/**
 * The live status of a running client.
 *
 * @example
 * ```ts
 * import { StatusLine } from "./status_line.ts";
 * const lines: string[] = [];
 * const status = new StatusLine({
 *   client: {
 *     address: "a.b@gw",
 *     queueLength: 0,
 *     unacknowledged: 0,
 *     stats: {
 *       realPacketsSent: 0,
 *       retransmissions: 0,
 *       coverPacketsSent: 0,
 *       acksReceived: 0,
 *       messagesReceived: 0,
 *       messagesDropped: 0,
 *       surbRequestsSent: 0,
 *     },
 *     on: () => () => {},
 *   },
 *   write: (text) => lines.push(text),
 *   tty: false,
 * });
 * status.log("hello");
 * console.log(lines[0].endsWith("hello\n")); // true
 * ```
 */
export class StatusLine {
  #o: StatusLineOptions;
  #clock: Clock;
  #timer: TimerHandle | undefined;
  #off: (() => void)[] = [];
  #connection = "connected";
  #last: { at: number; real: number; cover: number };
  #rates = { real: 0, cover: 0 };
  #started = false;

  /** Watches `options.client`; call {@linkcode StatusLine.start} to begin drawing. */
  constructor(options: StatusLineOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#last = { at: this.#clock.now(), ...this.#counts() };
  }

  /** Starts the periodic redraw (or summaries) and follows connection events. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const { client } = this.#o;
    this.#off.push(
      client.on("connected", (event) => {
        this.#connection = "connected";
        this.log(`connected to gateway ${event.gateway}`);
      }),
      client.on("reconnecting", (event) => {
        this.#connection = `reconnecting (attempt ${event.attempt})`;
        this.log(
          `gateway connection lost (${event.reason}); reconnecting in ${
            Math.round(event.delayMs)
          } ms`,
        );
      }),
      client.on("deliveryFailed", (event) => {
        this.log(`message ${event.id} was not delivered: ${event.error.message}`);
      }),
    );
    this.#schedule();
    if (this.#o.tty) this.#draw();
  }

  /** Stops redrawing and clears the status line. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    for (const off of this.#off.splice(0)) off();
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#o.tty) this.#o.write("\r\x1b[2K");
  }

  /** Prints a log line (above the status line on a terminal). */
  log(line: string): void {
    if (this.#o.tty) {
      this.#o.write(`\r\x1b[2K${line}\n`);
      if (this.#started) this.#draw();
    } else {
      this.#o.write(`${new Date(this.#clock.now()).toISOString()} ${line}\n`);
    }
  }

  /** The current status as one line of text. */
  text(): string {
    const gateway = this.#o.client.address.split("@")[1] ?? "?";
    const { client } = this.#o;
    const parts = [
      `gateway ${gateway.slice(0, 8)}…`,
      this.#connection,
      `real ${this.#rates.real.toFixed(1)}/s`,
      `cover ${this.#rates.cover.toFixed(1)}/s`,
      `queue ${client.queueLength}`,
      `unacked ${client.unacknowledged}`,
    ];
    const extra = this.#o.extra?.();
    if (extra) parts.push(extra);
    return parts.join(" | ");
  }

  /** Recomputes the packet rates (called by the timer; public for tests). */
  sample(): void {
    const now = this.#clock.now();
    const counts = this.#counts();
    const seconds = (now - this.#last.at) / 1000;
    if (seconds > 0) {
      this.#rates = {
        real: (counts.real - this.#last.real) / seconds,
        cover: (counts.cover - this.#last.cover) / seconds,
      };
    }
    this.#last = { at: now, ...counts };
  }

  #counts(): { real: number; cover: number } {
    const stats = this.#o.client.stats;
    return {
      real: stats.realPacketsSent + stats.retransmissions,
      cover: stats.coverPacketsSent,
    };
  }

  #schedule(): void {
    const ms = this.#o.tty ? this.#o.intervalMs ?? 1000 : this.#o.summaryIntervalMs ?? 60_000;
    this.#timer = this.#clock.setTimeout(() => {
      if (!this.#started) return;
      this.sample();
      if (this.#o.tty) this.#draw();
      else this.log(this.text());
      this.#schedule();
    }, ms);
  }

  #draw(): void {
    this.#o.write(`\r\x1b[2K${this.text()}`);
  }
}
