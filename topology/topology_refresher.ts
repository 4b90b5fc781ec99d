/**
 * Periodic topology refresh (`client-core/src/client/topology_control/mod.rs`): every 5 minutes,
 * keeping the last good topology through up to 10 consecutive failures and moving to the next
 * nym-api URL after each failure.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../internal/clock.ts";
import type { FetchTopologyOptions } from "./fetch_topology.ts";
import type { Topology } from "./topology.ts";

/** Where topologies come from; {@linkcode NymApiClient} is one. */
export interface TopologySource {
  /** Fetches a fresh, routable topology or rejects. */
  fetchTopology(options?: FetchTopologyOptions): Promise<Topology>;
  /** Switches to the next directory URL; called after every failed refresh. */
  useNextUrl?(): void;
}

/** What happened in one refresh. */
export type TopologyRefreshEvent =
  | { readonly type: "refreshed"; readonly topology: Topology }
  | {
    readonly type: "failed";
    readonly error: unknown;
    readonly consecutiveFailures: number;
    /** The topology still in use. */
    readonly kept: Topology | undefined;
  }
  | { readonly type: "cleared"; readonly error: unknown; readonly consecutiveFailures: number };

/** Options of {@linkcode TopologyRefresher}. */
export interface TopologyRefresherOptions {
  /** The topology source. */
  source: TopologySource;
  /** Options passed to every `fetchTopology` call (the refresher adds its own `signal`). */
  fetchOptions?: Omit<FetchTopologyOptions, "signal">;
  /** The topology to start with (typically the one fetched at start-up). */
  initial?: Topology;
  /** Time between refreshes in milliseconds (default 300 000, Nym's 5 minutes). */
  intervalMs?: number;
  /** Failures tolerated in a row before the topology is dropped (default 10). */
  maxFailures?: number;
  /** Timers (default: the platform's). */
  clock?: Clock;
  /** Called after every refresh, success or failure. */
  onEvent?: (event: TopologyRefreshEvent) => void;
}

/**
 * Keeps a topology fresh. `start()` schedules a refresh every `intervalMs` (the first one an
 * interval after start, since the initial topology is already there); `refresh()` runs one now.
 * A failure keeps the current topology while fewer than `maxFailures` failures happened in a
 * row; the next failure clears it. `stop()` cancels the timer and any refresh in flight.
 *
 * @example
 * ```ts
 * import { buildTopology, TopologyRefresher } from "./mod.ts";
 * const topology = buildTopology({
 *   metadata: { keyRotationId: 1, absoluteEpochId: 1, refreshedAt: new Date() },
 *   rewardedSet: { epochId: 1, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [], standby: [] },
 *   nodes: [],
 * });
 * const refresher = new TopologyRefresher({ source: { fetchTopology: () => Promise.resolve(topology) } });
 * await refresher.refresh();
 * console.log(refresher.topology === topology); // true
 * refresher.stop();
 * ```
 */
export class TopologyRefresher {
  readonly #source: TopologySource;
  readonly #fetchOptions: Omit<FetchTopologyOptions, "signal">;
  readonly #intervalMs: number;
  readonly #maxFailures: number;
  readonly #clock: Clock;
  readonly #onEvent: ((event: TopologyRefreshEvent) => void) | undefined;
  #topology: Topology | undefined;
  #failures = 0;
  #timer: TimerHandle | undefined;
  #running = false;
  #inFlight: Promise<Topology | undefined> | undefined;
  #controller: AbortController | undefined;

  /** Creates a stopped refresher. */
  constructor(options: TopologyRefresherOptions) {
    this.#source = options.source;
    this.#fetchOptions = options.fetchOptions ?? {};
    this.#intervalMs = options.intervalMs ?? 300_000;
    this.#maxFailures = options.maxFailures ?? 10;
    this.#clock = options.clock ?? systemClock;
    this.#onEvent = options.onEvent;
    this.#topology = options.initial;
  }

  /** The topology in use, or `undefined` if there is none (never fetched, or cleared). */
  get topology(): Topology | undefined {
    return this.#topology;
  }

  /** Failed refreshes since the last success. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Whether the periodic timer is running. */
  get running(): boolean {
    return this.#running;
  }

  /** Starts periodic refreshes; a second call does nothing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops periodic refreshes and aborts a refresh in flight (it then changes nothing). */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#controller?.abort();
  }

  /**
   * Refreshes now and resolves with the topology in use afterwards. While a refresh is in
   * flight, further calls share it. A failed fetch does not reject; it is reported through
   * `onEvent` and {@linkcode TopologyRefresher.consecutiveFailures}. It rejects only if
   * `onEvent` throws.
   */
  refresh(): Promise<Topology | undefined> {
    this.#inFlight ??= this.#refreshOnce();
    return this.#inFlight;
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      // Fixed rate, as Nym's interval: the next tick is due regardless of how long this one
      // takes; a tick that finds a refresh still in flight joins it.
      this.#schedule();
      this.refresh().catch(() => {});
    }, this.#intervalMs);
  }

  async #refreshOnce(): Promise<Topology | undefined> {
    const controller = new AbortController();
    this.#controller = controller;
    let event: TopologyRefreshEvent;
    try {
      const topology = await this.#source.fetchTopology({
        ...this.#fetchOptions,
        signal: controller.signal,
      });
      if (controller.signal.aborted) return this.#topology;
      this.#topology = topology;
      this.#failures = 0;
      event = { type: "refreshed", topology };
    } catch (error) {
      if (controller.signal.aborted) return this.#topology;
      this.#source.useNextUrl?.();
      this.#failures++;
      if (this.#failures <= this.#maxFailures) {
        event = {
          type: "failed",
          error,
          consecutiveFailures: this.#failures,
          kept: this.#topology,
        };
      } else {
        this.#topology = undefined;
        event = { type: "cleared", error, consecutiveFailures: this.#failures };
      }
    } finally {
      // Cleared before the event goes out, so that a listener may start the next refresh.
      if (this.#controller === controller) this.#controller = undefined;
      this.#inFlight = undefined;
    }
    this.#onEvent?.(event);
    return this.#topology;
  }
}
