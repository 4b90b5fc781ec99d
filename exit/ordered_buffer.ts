/**
 * The reorder buffer of one direction of an exit connection, as Nym's
 * (`common/socks5/ordered-buffer/src/buffer.rs`): messages keyed by sequence number, drained as
 * a contiguous run from the next expected one. A write is rejected when its sequence is already
 * delivered, already buffered, or more than 1000 ahead (`MAX_REASONABLE_OFFSET`); ours also
 * caps the buffered bytes, so a peer that skips a sequence cannot make it grow without bound.
 *
 * @module
 */

/** Nym's `MAX_REASONABLE_OFFSET`. */
export const MAX_REASONABLE_OFFSET = 1000;

/** Why a write was refused. */
export type OrderedBufferRejection = "duplicate" | "stale" | "tooFarAhead" | "full" | "afterClose";

/** What {@linkcode OrderedBuffer.read} returns. */
export interface OrderedRead {
  /** The contiguous bytes now deliverable (possibly empty). */
  readonly data: Uint8Array[];
  /** The sender's last message was delivered: no more data will come. */
  readonly closed: boolean;
}

/**
 * Sequence-ordered delivery with a byte cap.
 *
 * @example
 * ```ts
 * import { OrderedBuffer } from "@nym/mixnet/exit";
 * const buffer = new OrderedBuffer({ maxBytes: 1024 });
 * buffer.write(1, Uint8Array.of(2), true);
 * buffer.write(0, Uint8Array.of(1), false);
 * const read = buffer.read();
 * console.log(read.data.length, read.closed); // 2 true
 * ```
 */
export class OrderedBuffer {
  #next = 0;
  #pending = new Map<number, { data: Uint8Array; closed: boolean }>();
  #bytes = 0;
  #closedAt: number | undefined;
  #maxBytes: number;

  /** `maxBytes` caps the bytes held out of order. */
  constructor(options: { maxBytes: number }) {
    this.#maxBytes = options.maxBytes;
  }

  /** The next sequence number to deliver. */
  get next(): number {
    return this.#next;
  }

  /** Bytes held, waiting for an earlier sequence. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Stores one message; returns why it was refused, or `undefined` when stored. */
  write(
    sequence: number | bigint,
    data: Uint8Array,
    closed: boolean,
  ): OrderedBufferRejection | undefined {
    const seq = typeof sequence === "bigint" ? sequence : BigInt(sequence);
    if (seq < BigInt(this.#next)) return "stale";
    if (seq > BigInt(this.#next + MAX_REASONABLE_OFFSET)) return "tooFarAhead";
    const n = Number(seq);
    if (this.#pending.has(n)) return "duplicate";
    if (this.#closedAt !== undefined && n > this.#closedAt) return "afterClose";
    if (this.#bytes + data.length > this.#maxBytes) return "full";
    this.#pending.set(n, { data, closed });
    this.#bytes += data.length;
    if (closed && (this.#closedAt === undefined || n < this.#closedAt)) this.#closedAt = n;
    return undefined;
  }

  /** Takes the contiguous run from the next expected sequence. */
  read(): OrderedRead {
    const data: Uint8Array[] = [];
    let closed = false;
    for (let entry = this.#pending.get(this.#next); entry; entry = this.#pending.get(this.#next)) {
      this.#pending.delete(this.#next);
      this.#bytes -= entry.data.length;
      this.#next++;
      if (entry.data.length > 0) data.push(entry.data);
      if (entry.closed) {
        closed = true;
        this.#pending.clear();
        this.#bytes = 0;
        break;
      }
    }
    return { data, closed };
  }
}
