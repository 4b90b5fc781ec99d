/**
 * Delivery tracking: every message's fragments wait for their SURB-ACKs; a fragment whose ack
 * does not arrive in time is handed back for retransmission, and the message's handle settles
 * when all its fragments are acknowledged or one of them runs out of attempts.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";

/** Why a message was not delivered. */
export type DeliveryErrorKind =
  | "retransmissions-exhausted"
  | "closed"
  | "unroutable"
  | "no-reply-surbs";

/**
 * Rejects a {@linkcode DeliveryHandle}: the message was not (known to be) delivered.
 *
 * @example
 * ```ts
 * import { DeliveryError } from "@nym/mixnet/queue";
 * const error = new DeliveryError("closed", "client disconnected");
 * console.log(error.kind); // "closed"
 * ```
 */
export class DeliveryError extends Error {
  /** The category of the failure. */
  readonly kind: DeliveryErrorKind;

  /** Builds an error of `kind`; `cause` is the error behind it, if any. */
  constructor(kind: DeliveryErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryError";
    this.kind = kind;
  }
}

/** Where a message stands. */
export type DeliveryStatus = "pending" | "delivered" | "failed";

/**
 * What `send()` returns: await it (or {@linkcode DeliveryHandle.delivered}) to know that every
 * fragment reached the recipient's gateway and was acknowledged.
 */
export interface DeliveryHandle extends PromiseLike<void> {
  /** A process-local message id. */
  readonly id: number;
  /** How many fragments (Sphinx packets) the message needs. */
  readonly fragments: number;
  /** Fragments acknowledged so far. */
  readonly acknowledged: number;
  /** Where the message stands. */
  readonly status: DeliveryStatus;
  /** Resolves when all fragments are acknowledged; rejects with a {@linkcode DeliveryError}. */
  readonly delivered: Promise<void>;
}

interface Message {
  readonly handle: Handle;
  readonly keys: readonly string[];
  remaining: number;
}

interface Fragment {
  readonly message: Message;
  timer?: TimerHandle;
  attempts: number;
  acked: boolean;
  sentAt: number;
  waitMs: number;
}

class Handle implements DeliveryHandle {
  readonly id: number;
  readonly fragments: number;
  readonly delivered: Promise<void>;
  acknowledged = 0;
  status: DeliveryStatus = "pending";
  resolve!: () => void;
  reject!: (error: DeliveryError) => void;

  constructor(id: number, fragments: number) {
    this.id = id;
    this.fragments = fragments;
    this.delivered = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A fire-and-forget send must not become an unhandled rejection; awaiting it still throws.
    this.delivered.catch(() => {});
  }

  then<A = void, B = never>(
    onFulfilled?: ((value: void) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.delivered.then(onFulfilled, onRejected);
  }
}

/** Options of {@linkcode DeliveryTracker}. */
export interface DeliveryTrackerOptions {
  /** Injected time. */
  readonly clock: Clock;
  /** Called when a fragment's ack timed out and it may be sent again. */
  readonly retransmit: (fragmentKey: string) => void;
  /** Retransmissions allowed per fragment before the message fails; `Infinity` as Nym. */
  readonly maxRetransmissions: number;
  /** Called once per message that failed, after its handle rejected. */
  readonly onFailed?: (handle: DeliveryHandle, error: DeliveryError) => void;
  /**
   * Each retransmission waits twice as long as the previous attempt, up to this factor of the
   * first timeout (default 8), so an overloaded path is not flooded with copies.
   */
  readonly maxBackoffFactor?: number;
}

/**
 * Tracks unacknowledged fragments by key (the hex of Nym's 5-byte fragment id).
 *
 * @example
 * ```ts
 * import { DeliveryTracker } from "@nym/mixnet/queue";
 * const tracker = new DeliveryTracker({
 *   clock: { now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as number) },
 *   retransmit: () => {},
 *   maxRetransmissions: Infinity,
 * });
 * const handle = tracker.track(["0000000101"]);
 * tracker.acknowledge("0000000101");
 * await handle; // delivered
 * ```
 */
export class DeliveryTracker {
  #options: DeliveryTrackerOptions;
  #fragments = new Map<string, Fragment>();
  #nextId = 1;
  #inFlight = 0;
  #srtt: number | undefined;
  #rttvar = 0;
  #idle: (() => void)[] = [];

  /** Creates an empty tracker. */
  constructor(options: DeliveryTrackerOptions) {
    this.#options = options;
  }

  /** Fragments still waiting for an ack. */
  get unacknowledged(): number {
    let count = 0;
    for (const f of this.#fragments.values()) if (!f.acked) count++;
    return count;
  }

  /**
   * The retransmission timeout learnt from acks (RFC 6298: SRTT + 4·RTTVAR, from fragments
   * acknowledged on their first transmission only), or undefined before the first sample. Ack
   * timers never expire earlier than this, so a slow or congested path is not flooded with
   * copies.
   */
  get measuredTimeoutMs(): number | undefined {
    return this.#srtt === undefined ? undefined : this.#srtt + 4 * this.#rttvar;
  }

  /** Fragments sent and waiting for their ack (their timer is running). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts tracking a message made of `fragmentKeys`; returns its handle. */
  track(fragmentKeys: readonly string[]): DeliveryHandle {
    const handle = new Handle(this.#nextId++, fragmentKeys.length);
    const message: Message = { handle, keys: fragmentKeys, remaining: fragmentKeys.length };
    for (const key of fragmentKeys) {
      this.#fragments.set(key, { message, attempts: 0, acked: false, sentAt: 0, waitMs: 0 });
    }
    if (fragmentKeys.length === 0) this.#settle(message);
    return handle;
  }

  /** Whether `fragmentKey` belongs to a message that is still pending. */
  isPending(fragmentKey: string): boolean {
    const fragment = this.#fragments.get(fragmentKey);
    return fragment !== undefined && !fragment.acked;
  }

  /**
   * Records that a fragment was handed to the gateway and starts its ack timer: `timeoutMs` for
   * the original send, doubled for each retransmission up to `maxBackoffFactor`.
   */
  sent(fragmentKey: string, timeoutMs: number): void {
    const fragment = this.#fragments.get(fragmentKey);
    if (!fragment || fragment.acked) return;
    this.#stopTimer(fragment);
    const factor = Math.min(2 ** fragment.attempts, this.#options.maxBackoffFactor ?? 8);
    fragment.attempts++;
    fragment.sentAt = this.#options.clock.now();
    fragment.waitMs = timeoutMs * factor;
    this.#arm(
      fragmentKey,
      fragment,
      Math.max(fragment.waitMs, (this.measuredTimeoutMs ?? 0) * factor),
    );
    this.#inFlight++;
  }

  #arm(key: string, fragment: Fragment, ms: number): void {
    fragment.timer = this.#options.clock.setTimeout(() => this.#timedOut(key), ms);
  }

  #sample(rtt: number): void {
    // RFC 6298 §2 with alpha = 1/8, beta = 1/4.
    if (this.#srtt === undefined) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
  }

  #stopTimer(fragment: Fragment): void {
    if (fragment.timer === undefined) return;
    this.#options.clock.clearTimeout(fragment.timer);
    fragment.timer = undefined;
    this.#inFlight--;
  }

  /** Records an ack; returns false for unknown or already acknowledged fragments. */
  acknowledge(fragmentKey: string): boolean {
    const fragment = this.#fragments.get(fragmentKey);
    if (!fragment || fragment.acked) return false;
    // Karn: a retransmitted fragment's ack cannot tell which copy it answers. One that timed out
    // but was not sent again yet still has a single copy out, so its ack is a clean sample.
    if (fragment.attempts === 1) {
      this.#sample(this.#options.clock.now() - fragment.sentAt);
    }
    this.#stopTimer(fragment);
    fragment.acked = true;
    const { message } = fragment;
    message.handle.acknowledged++;
    if (--message.remaining === 0) this.#settle(message);
    return true;
  }

  /** Fails the message that `fragmentKey` belongs to. */
  fail(fragmentKey: string, error: DeliveryError): void {
    const fragment = this.#fragments.get(fragmentKey);
    if (fragment) this.#settle(fragment.message, error);
  }

  /** Fails every pending message with `error` and clears all timers. */
  close(error: DeliveryError): void {
    const messages = new Set<Message>();
    for (const fragment of this.#fragments.values()) messages.add(fragment.message);
    for (const message of messages) this.#settle(message, error);
  }

  /** Resolves once no message is pending (at once if none is). */
  idle(): Promise<void> {
    if (this.#fragments.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #timedOut(fragmentKey: string): void {
    const fragment = this.#fragments.get(fragmentKey);
    if (!fragment || fragment.acked) return;
    // The path got slower since this was sent: keep waiting as long as acks now take.
    const factor = Math.min(2 ** (fragment.attempts - 1), this.#options.maxBackoffFactor ?? 8);
    const due = fragment.sentAt + Math.max(fragment.waitMs, (this.measuredTimeoutMs ?? 0) * factor);
    const now = this.#options.clock.now();
    if (due > now) {
      this.#arm(fragmentKey, fragment, due - now);
      return;
    }
    fragment.timer = undefined;
    this.#inFlight--;
    if (fragment.attempts > this.#options.maxRetransmissions) {
      this.#settle(
        fragment.message,
        new DeliveryError(
          "retransmissions-exhausted",
          `no ack after ${fragment.attempts} transmissions of fragment ${fragmentKey}`,
        ),
      );
      return;
    }
    this.#options.retransmit(fragmentKey);
  }

  #settle(message: Message, error?: DeliveryError): void {
    const { handle } = message;
    if (handle.status !== "pending") return;
    for (const key of message.keys) {
      const fragment = this.#fragments.get(key);
      if (fragment) this.#stopTimer(fragment);
      this.#fragments.delete(key);
    }
    if (error) {
      handle.status = "failed";
      handle.reject(error);
      this.#options.onFailed?.(handle, error);
    } else {
      handle.status = "delivered";
      handle.resolve();
    }
    if (this.#fragments.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
