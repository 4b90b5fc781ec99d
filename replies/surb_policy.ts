/**
 * When we answer anonymous senders: which reply may take a SURB now, which waits (is parked), when
 * to ask the sender for more SURBs, and when waiting replies give up. Everything is counted per
 * sender tag, so replying to one peer never makes us ask a different peer for SURBs.
 *
 * Nym's rules (`common/client-core/src/client/replies/reply_controller`): the last few SURBs of
 * a tag are kept to ask for more (`minimum_reply_surb_storage_threshold`), a request is repeated
 * after `maximum_reply_surb_rerequest_waiting_period` (10 s), and replies are dropped after
 * `maximum_reply_surb_drop_waiting_period` (5 min). The request itself is a real message through
 * the Poisson stream (Nym's `TransmissionLane::ReplySurbRequest`), with an ack.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { fromHex, toHex } from "../internal/bytes.ts";
import type { KeyRotation, ReplySurbBytes } from "../message/mod.ts";
import { ReceivedSurbStore } from "./surb_store.ts";

/** SURBs to ask for at least (Nym: 10). */
export const MIN_SURB_REQUEST = 10;
/** SURBs to ask for at most per request (Nym: 50). */
export const MAX_SURB_REQUEST = 50;
/** SURBs kept back to ask for more when replies outnumber them. */
export const SURB_RESERVE = 3;

/** Options of {@linkcode ReplySurbPolicy}. */
export interface ReplySurbPolicyOptions<T> {
  /** Injected time and timers. */
  readonly clock: Clock;
  /** How long a request may go unanswered before it is repeated, ms (Nym: 10 s). */
  readonly retryMs: number;
  /** How long replies may wait for SURBs before they fail, ms (Nym: 5 min). */
  readonly waitLimitMs: number;
  /** Where received SURBs are kept (bounded); a default store otherwise. */
  readonly store?: ReceivedSurbStore;
  /** Send a request for `amount` more SURBs to `tag`, through `surb` (already taken). */
  readonly request: (tag: Uint8Array, surb: ReplySurbBytes, amount: number) => void;
  /** Parked replies whose SURBs arrived: queue them again. */
  readonly resume: (items: T[]) => void;
  /** Parked replies that waited too long: fail them. */
  readonly giveUp: (items: T[]) => void;
}

interface Wait<T> {
  parked: T[];
  since: number;
  requestedAt: number | undefined;
  timer: TimerHandle | undefined;
}

/**
 * The reply-SURB policy of one client, per sender tag.
 *
 * @example
 * ```ts
 * import { ReplySurbPolicy } from "@nym/mixnet/replies";
 * const policy = new ReplySurbPolicy<string>({
 *   clock: { now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as number) },
 *   retryMs: 10_000,
 *   waitLimitMs: 300_000,
 *   request: () => {},
 *   resume: () => {},
 *   giveUp: () => {},
 * });
 * console.log(policy.take(new Uint8Array(16))); // undefined: no SURBs yet
 * policy.close();
 * ```
 */
export class ReplySurbPolicy<T> {
  #o: ReplySurbPolicyOptions<T>;
  #store: ReceivedSurbStore;
  /** Reply fragments queued (or queued for retransmission) per tag, not yet given a SURB. */
  #queued = new Map<string, number>();
  #waits = new Map<string, Wait<T>>();
  /** Per tag: SURBs in the last batch that arrived, and how many were spent since. */
  #batches = new Map<string, { arrived: number; spent: number }>();
  #lastRotation: number | undefined;

  /** A policy with no SURBs and nothing waiting. */
  constructor(options: ReplySurbPolicyOptions<T>) {
    this.#o = options;
    this.#store = options.store ?? new ReceivedSurbStore({ now: () => options.clock.now() });
    this.#lastRotation = this.#store.rotationId;
  }

  /** The received SURBs. */
  get store(): ReceivedSurbStore {
    return this.#store;
  }

  /** Replies to `tag` that wait for a SURB: queued and parked. */
  waiting(tag: Uint8Array): number {
    const id = toHex(tag);
    return (this.#queued.get(id) ?? 0) + (this.#waits.get(id)?.parked.length ?? 0);
  }

  /**
   * Whether SURBs of `tag` may still come: replies wait for them, or a request for more is on
   * its way (within its retry period).
   */
  expecting(tag: Uint8Array): boolean {
    return this.waiting(tag) > 0 || this.#waits.get(toHex(tag))?.requestedAt !== undefined;
  }

  /** `count` reply fragments for `tag` entered the send queue. */
  queued(tag: Uint8Array, count = 1): void {
    const id = toHex(tag);
    this.#queued.set(id, (this.#queued.get(id) ?? 0) + count);
  }

  /** A reply fragment for `tag` left the send queue (sent, parked or dropped). */
  dequeued(tag: Uint8Array): void {
    const id = toHex(tag);
    const n = (this.#queued.get(id) ?? 0) - 1;
    if (n > 0) this.#queued.set(id, n);
    else this.#queued.delete(id);
  }

  /**
   * A SURB for the reply fragment now leaving the queue (call {@linkcode dequeued} first). When
   * the replies waiting outnumber the SURBs, the last {@linkcode SURB_RESERVE} are kept to ask for
   * more (and to ask again if that request is lost).
   */
  take(tag: Uint8Array): ReplySurbBytes | undefined {
    const available = this.#store.count(tag);
    const allFit = available >= this.waiting(tag) + 1;
    const surb = allFit || available > SURB_RESERVE ? this.#spend(tag) : undefined;
    this.maybeRequest(tag);
    return surb;
  }

  /** Any SURB of `tag`, reserve included (for a retransmitted request). */
  takeAny(tag: Uint8Array): ReplySurbBytes | undefined {
    return this.#spend(tag);
  }

  /** Keeps a reply that found no SURB until SURBs arrive or the wait limit passes. */
  park(tag: Uint8Array, item: T): void {
    this.#wait(tag).parked.push(item);
    this.maybeRequest(tag);
  }

  /**
   * Asks `tag` for more SURBs when fewer remain than the replies waiting, at most once per retry
   * period while nothing arrives.
   */
  maybeRequest(tag: Uint8Array, force = false): void {
    const id = toHex(tag);
    // Ask again only once half of the last batch is spent (or little more than the reserve is
    // left): the
    // sender grants about what our replies used, so an earlier request would be refused and
    // repeated only after the retry period.
    const batch = this.#batches.get(id);
    if (
      !force && batch && batch.spent * 2 < batch.arrived &&
      this.#store.count(tag) > SURB_RESERVE + 1
    ) {
      return;
    }
    const waiting = this.waiting(tag);
    // SURBs of the previous key rotation are spent but not counted: fresh ones are asked for
    // before the old ones go stale.
    const available = this.#store.freshCount(tag);
    if (available > waiting + 1 || this.#store.count(tag) === 0) return;
    const now = this.#o.clock.now();
    const current = this.#waits.get(id);
    if (current?.requestedAt !== undefined && now - current.requestedAt < this.#o.retryMs) return;
    const surb = this.#spend(tag)!;
    const amount = Math.min(MAX_SURB_REQUEST, Math.max(MIN_SURB_REQUEST, waiting - available + 2));
    this.#wait(tag).requestedAt = now;
    this.#o.request(tag, surb, amount);
  }

  /**
   * SURBs arrived from `tag`, built for `keyRotation` (the block's rotation byte): store them and
   * resume its parked replies.
   */
  arrived(tag: Uint8Array, surbs: readonly ReplySurbBytes[], keyRotation?: KeyRotation): void {
    if (surbs.length === 0) return;
    this.#store.add(tag, surbs, keyRotation);
    const id = toHex(tag);
    this.#batches.set(id, { arrived: surbs.length, spent: 0 });
    // SURBs built before a rotation we already see die after this epoch: ask for fresh ones.
    if (this.#store.freshCount(tag) === 0) this.maybeRequest(tag, true);
    const wait = this.#waits.get(id);
    if (!wait) return;
    if (wait.timer !== undefined) this.#o.clock.clearTimeout(wait.timer);
    this.#waits.delete(id);
    if (wait.parked.length > 0) this.#o.resume(wait.parked);
  }

  /**
   * The network's key rotation changed: the SURBs held are of the previous rotation and work for
   * one more epoch, so ask every sender for fresh ones now (as Nym's clients refresh SURBs of an
   * old rotation, `client/replies/reply_controller/`).
   */
  rotated(): void {
    for (const tag of this.#store.senderTags()) this.maybeRequest(tag, true);
  }

  /** Calls {@linkcode rotated} when the network's key rotation changed since the last check. */
  checkRotation(): void {
    const rotation = this.#store.rotationId;
    const previous = this.#lastRotation;
    this.#lastRotation = rotation;
    if (rotation !== undefined && previous !== undefined && rotation !== previous) this.rotated();
  }

  /** Forgets the batch counts of tags that hold no SURBs any more (after the store's purge). */
  prune(): void {
    for (const id of [...this.#batches.keys()]) {
      if (this.#store.count(fromHex(id)) === 0) this.#batches.delete(id);
    }
  }

  #spend(tag: Uint8Array): ReplySurbBytes | undefined {
    const surb = this.#store.take(tag);
    const batch = surb && this.#batches.get(toHex(tag));
    if (batch) batch.spent++;
    return surb;
  }

  /** Stops every timer and forgets what waits (the caller fails the parked items). */
  close(): void {
    for (const wait of this.#waits.values()) {
      if (wait.timer !== undefined) this.#o.clock.clearTimeout(wait.timer);
    }
    this.#waits.clear();
    this.#queued.clear();
    this.#batches.clear();
  }

  #wait(tag: Uint8Array): Wait<T> {
    const id = toHex(tag);
    let wait = this.#waits.get(id);
    if (wait) return wait;
    const { clock, retryMs, waitLimitMs } = this.#o;
    const check = (): void => {
      const current = this.#waits.get(id);
      if (!current) return;
      current.timer = undefined;
      if (current.parked.length === 0) {
        // Nothing waits any more (replies got through with the SURBs left).
        this.#waits.delete(id);
        return;
      }
      if (clock.now() - current.since >= waitLimitMs) {
        this.#waits.delete(id);
        this.#o.giveUp(current.parked);
        return;
      }
      current.timer = clock.setTimeout(check, retryMs);
      this.maybeRequest(tag);
    };
    wait = { parked: [], since: clock.now(), requestedAt: undefined, timer: undefined };
    wait.timer = clock.setTimeout(check, retryMs);
    this.#waits.set(id, wait);
    return wait;
  }
}
