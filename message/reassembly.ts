/**
 * Reassembly of received fragments into messages (Nym `chunking/src/reconstruction.rs`,
 * client-core `received_buffer.rs`), with bounded memory and no timers of its own.
 *
 * @module
 */
import type { Fragment } from "./fragment.ts";
import { decodeFragment } from "./fragment.ts";
import { MessageError } from "./message_error.ts";
import { removePadding } from "./padding.ts";

/** Options of {@linkcode Reassembler}. */
export interface ReassemblerOptions {
  /** Clock in milliseconds; `Date.now` by default. */
  readonly now?: () => number;
  /** Drop an incomplete set after this long without a new fragment; 30 minutes by default. */
  readonly staleAfterMs?: number;
  /**
   * Most incomplete sets buffered at once; 8192 by default. A new set beyond it evicts the set
   * that received a fragment least recently.
   */
  readonly maxSets?: number;
  /**
   * Most payload bytes buffered at once; 128 MiB by default. A fragment beyond it evicts the
   * least recently used sets until it fits.
   */
  readonly maxBytes?: number;
  /** How many finished set ids to remember (to drop late duplicates); 65536 by default. */
  readonly rememberFinishedSets?: number;
}

/** What {@linkcode Reassembler.insert} did with a fragment. */
export type InsertOutcome =
  | {
    /** Stored; its message is not complete yet. */
    readonly kind: "buffered";
  }
  | {
    /** Dropped: this position of the set was already filled. */
    readonly kind: "duplicate";
  }
  | {
    /** Dropped: its set was already reassembled (typically a retransmission after a lost ack). */
    readonly kind: "finished";
  }
  | {
    /** This fragment completed a message. */
    readonly kind: "complete";
    /** The unpadded `NymMessage` bytes (decode with `decodeNymMessage`). */
    readonly message: Uint8Array;
    /** The ids of the sets the message used, in order. */
    readonly setIds: readonly number[];
  };

interface SetBuffer {
  readonly total: number;
  /** By position; sparse, so a set costs what it received, not what it announced. */
  readonly payloads: Map<number, Uint8Array>;
  received: number;
  bytes: number;
  previous?: number;
  next?: number;
  lastFragmentAt: number;
}

const DEFAULT_STALE_MS = 30 * 60 * 1000;

/**
 * Buffers fragments per set and returns each message once all fragments of all its linked sets
 * have arrived. Duplicate fragments and fragments of already finished sets are dropped.
 * Incomplete sets are dropped by {@linkcode Reassembler.removeStale}, which the caller invokes
 * (Nym checks every 10 s). Payloads are kept as given (not copied) until the message completes.
 *
 * Anyone who knows an address can send first fragments of sets that never complete, so the
 * buffer is bounded by sets and by payload bytes and, when full, evicts the least recently used
 * incomplete sets: a new message is never refused because of old garbage (an attacker must keep
 * outpacing an honest message's own fragments to push it out). A message of one fragment (no
 * linked sets) never enters the buffer at all.
 *
 * @example
 * ```ts
 * import {
 *   decodeNymMessage, encodeFragment, encodeNymMessage, padMessage, Reassembler,
 *   splitIntoFragments,
 * } from "@nym/mixnet/message";
 * const padded = padMessage(encodeNymMessage({ type: "plain", data: new Uint8Array(5000) }), 1611);
 * const wire = splitIntoFragments(padded, 1611).map(encodeFragment).reverse();
 * const reassembler = new Reassembler();
 * for (const bytes of wire) {
 *   const outcome = reassembler.insertBytes(bytes);
 *   if (outcome.kind === "complete") {
 *     const m = decodeNymMessage(outcome.message);
 *     console.log(m.type, m.type === "plain" && m.data.length); // "plain" 5000
 *   }
 * }
 * ```
 */
export class Reassembler {
  readonly #now: () => number;
  readonly #staleAfterMs: number;
  readonly #maxSets: number;
  readonly #maxBytes: number;
  readonly #rememberFinished: number;
  readonly #sets = new Map<number, SetBuffer>();
  readonly #finished = new Set<number>();
  #bytes = 0;
  #evicted = 0;

  /** Creates an empty reassembler. */
  constructor(options: ReassemblerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_MS;
    this.#maxSets = options.maxSets ?? 8192;
    this.#maxBytes = options.maxBytes ?? 128 * 1024 * 1024;
    this.#rememberFinished = options.rememberFinishedSets ?? 65536;
  }

  /** Number of sets currently buffered. */
  get bufferedSets(): number {
    return this.#sets.size;
  }

  /** Payload bytes currently buffered. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Incomplete sets evicted so far to make room for newer ones. */
  get evictedSets(): number {
    return this.#evicted;
  }

  /**
   * Whether set `setId` was reassembled (and is still remembered).
   *
   * @example
   * ```ts
   * import { Reassembler } from "@nym/mixnet/message";
   * console.log(new Reassembler().isFinished(1)); // false
   * ```
   */
  isFinished(setId: number): boolean {
    return this.#finished.has(setId);
  }

  /**
   * Decodes a serialized fragment and inserts it; see {@linkcode Reassembler.insert}.
   *
   * @example
   * ```ts
   * import { MessageError, Reassembler } from "@nym/mixnet/message";
   * try {
   *   new Reassembler().insertBytes(new Uint8Array(3));
   * } catch (error) {
   *   console.log((error as MessageError).kind); // "truncated"
   * }
   * ```
   */
  insertBytes(bytes: Uint8Array): InsertOutcome {
    return this.insert(decodeFragment(bytes));
  }

  /**
   * Inserts a decoded fragment, evicting the least recently used incomplete sets when the set
   * or byte cap is reached. Throws {@linkcode MessageError}: `inconsistent` when it disagrees
   * with its set's fragment count, `limit` when the fragment alone exceeds the byte cap (nothing
   * is stored then), `padding` when a completed message has no padding marker (its sets
   * are consumed and remembered as finished, as in Nym).
   *
   * @example
   * ```ts
   * import { Reassembler } from "@nym/mixnet/message";
   * const r = new Reassembler();
   * const f = { setId: 7, totalFragments: 2, currentFragment: 1, payload: Uint8Array.of(0, 1) };
   * console.log(r.insert(f).kind, r.insert(f).kind); // "buffered" "duplicate"
   * ```
   */
  insert(fragment: Fragment): InsertOutcome {
    const setId = fragment.setId;
    if (this.#finished.has(setId)) return { kind: "finished" };
    let buffer = this.#sets.get(setId);
    if (buffer !== undefined && buffer.total !== fragment.totalFragments) {
      throw new MessageError(
        "inconsistent",
        `set ${setId} has ${buffer.total} fragments, this fragment claims ${fragment.totalFragments}`,
      );
    }
    const index = fragment.currentFragment - 1;
    if (
      !Number.isInteger(index) || index < 0 || index >= fragment.totalFragments ||
      fragment.totalFragments > 255
    ) {
      throw new MessageError("header", `invalid fragment position ${fragment.currentFragment}`);
    }
    if (buffer?.payloads.has(index)) return { kind: "duplicate" };
    if (
      buffer === undefined && fragment.totalFragments === 1 &&
      fragment.previousSetId === undefined && fragment.nextSetId === undefined
    ) {
      // A whole message in one fragment: nothing to wait for, so it bypasses the buffer.
      this.#remember(setId);
      return { kind: "complete", message: removePadding(fragment.payload), setIds: [setId] };
    }
    if (fragment.payload.length > this.#maxBytes) {
      throw new MessageError("limit", `a fragment larger than ${this.#maxBytes} bytes`);
    }
    if (buffer !== undefined) {
      this.#sets.delete(setId); // most recently used: to the end of the eviction order
      this.#sets.set(setId, buffer);
    }
    this.#evict(buffer === undefined ? 1 : 0, fragment.payload.length);
    if (buffer === undefined) {
      buffer = {
        total: fragment.totalFragments,
        payloads: new Map(),
        received: 0,
        bytes: 0,
        lastFragmentAt: 0,
      };
      this.#sets.set(setId, buffer);
    }
    buffer.payloads.set(index, fragment.payload);
    buffer.received++;
    buffer.bytes += fragment.payload.length;
    this.#bytes += fragment.payload.length;
    buffer.lastFragmentAt = this.#now();
    if (fragment.previousSetId !== undefined) buffer.previous = fragment.previousSetId;
    if (fragment.nextSetId !== undefined) buffer.next = fragment.nextSetId;
    if (buffer.received < buffer.total) return { kind: "buffered" };
    const chain = this.#completeChain(setId);
    if (chain === undefined) return { kind: "buffered" };
    const padded = this.#take(chain);
    return { kind: "complete", message: removePadding(padded), setIds: chain };
  }

  /**
   * Drops every incomplete set that has had no new fragment for the stale period; returns their
   * ids.
   *
   * @example
   * ```ts
   * import { Reassembler } from "@nym/mixnet/message";
   * let t = 0;
   * const r = new Reassembler({ now: () => t });
   * r.insert({ setId: 9, totalFragments: 2, currentFragment: 1, payload: new Uint8Array(4) });
   * t = 30 * 60 * 1000;
   * console.log(r.removeStale()); // [ 9 ]
   * ```
   */
  removeStale(): number[] {
    const now = this.#now();
    const removed: number[] = [];
    for (const [id, buffer] of this.#sets) {
      if (now - buffer.lastFragmentAt >= this.#staleAfterMs) {
        this.#sets.delete(id);
        this.#bytes -= buffer.bytes;
        removed.push(id);
      }
    }
    return removed;
  }

  /** Evicts least recently used sets until `sets` more sets and `bytes` more bytes fit. */
  #evict(sets: number, bytes: number): void {
    for (const [id, buffer] of this.#sets) {
      if (this.#sets.size + sets <= this.#maxSets && this.#bytes + bytes <= this.#maxBytes) return;
      this.#sets.delete(id);
      this.#bytes -= buffer.bytes;
      this.#evicted++;
    }
  }

  #complete(id: number | undefined): SetBuffer | undefined {
    if (id === undefined) return undefined;
    const buffer = this.#sets.get(id);
    return buffer !== undefined && buffer.received === buffer.total ? buffer : undefined;
  }

  /** The ordered set ids of the message containing `setId` if all are complete and consistent. */
  #completeChain(setId: number): number[] | undefined {
    const seen = new Set<number>([setId]);
    let head = setId;
    for (;;) {
      const buffer = this.#complete(head)!;
      if (buffer.previous === undefined) break;
      const previous = this.#complete(buffer.previous);
      if (previous === undefined || previous.next !== head || seen.has(buffer.previous)) {
        return undefined;
      }
      seen.add(buffer.previous);
      head = buffer.previous;
    }
    const chain = [head];
    const walked = new Set<number>([head]);
    let current = head;
    for (;;) {
      const next = this.#complete(current)!.next;
      if (next === undefined) break;
      const buffer = this.#complete(next);
      if (buffer === undefined || buffer.previous !== current || walked.has(next)) return undefined;
      walked.add(next);
      chain.push(next);
      current = next;
    }
    return chain;
  }

  /** Removes the sets of `chain`, remembers them as finished and joins their payloads. */
  #take(chain: readonly number[]): Uint8Array {
    let length = 0;
    for (const id of chain) length += this.#sets.get(id)!.bytes;
    const out = new Uint8Array(length);
    let offset = 0;
    for (const id of chain) {
      const buffer = this.#sets.get(id)!;
      for (let i = 0; i < buffer.total; i++) {
        const payload = buffer.payloads.get(i)!;
        out.set(payload, offset);
        offset += payload.length;
      }
      this.#sets.delete(id);
      this.#bytes -= buffer.bytes;
      this.#remember(id);
    }
    return out;
  }

  #remember(id: number): void {
    this.#finished.add(id);
    while (this.#finished.size > this.#rememberFinished) {
      const oldest = this.#finished.values().next().value!;
      this.#finished.delete(oldest);
    }
  }
}
