/**
 * `client.messages`: the messages no interceptor consumed, waiting for the application, bounded.
 *
 * A peer can send us as much as it likes, and an application that never reads `client.messages`
 * (a stream-only server) would keep all of it. The inbox holds at most
 * {@linkcode MAX_INBOX_MESSAGES} messages and {@linkcode MAX_INBOX_BYTES} bytes; a message that
 * does not fit is dropped and reported (`messageDropped` event, `stats.messagesDropped`), never
 * silently. Leaving a `for await` loop early does not cancel the inbox: iterate again and the
 * messages that arrived meanwhile are there.
 *
 * @module
 */

/** Messages waiting to be read at most. */
export const MAX_INBOX_MESSAGES = 10_000;
/** Bytes of messages waiting to be read at most (32 MiB). */
export const MAX_INBOX_BYTES = 32 * 1024 * 1024;

/** Limits of a {@linkcode MessageInbox}. */
export interface MessageInboxLimits {
  /** Messages kept at most. */
  readonly maxMessages?: number;
  /** Bytes kept at most. */
  readonly maxBytes?: number;
}

/**
 * A bounded queue of messages exposed as a `ReadableStream` that is also async-iterable.
 *
 * @example
 * ```ts
 * import { MessageInbox } from "@nym/mixnet";
 * const inbox = new MessageInbox<Uint8Array>((m) => m.length, { maxMessages: 1 });
 * console.log(inbox.push(new Uint8Array(1)), inbox.push(new Uint8Array(1))); // true false
 * inbox.close();
 * ```
 */
export class MessageInbox<T> {
  /** The messages, in arrival order. */
  readonly readable: ReadableStream<T> & AsyncIterable<T>;
  #controller!: ReadableStreamDefaultController<T>;
  #size: (item: T) => number;
  #maxMessages: number;
  #maxBytes: number;
  #queued: { item: T; bytes: number }[] = [];
  #bytes = 0;
  #closed = false;
  /** A read is pending and nothing was queued for it. */
  #readerWaiting = false;

  /** An empty inbox measuring items with `size` (bytes). */
  constructor(size: (item: T) => number, limits: MessageInboxLimits = {}) {
    this.#size = size;
    this.#maxMessages = limits.maxMessages ?? MAX_INBOX_MESSAGES;
    this.#maxBytes = limits.maxBytes ?? MAX_INBOX_BYTES;
    const stream = new ReadableStream<T>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        // The stream pulls one item at a time, so what waits is counted here, not in the stream.
        pull: (controller) => {
          const next = this.#queued.shift();
          if (next) {
            this.#bytes -= next.bytes;
            controller.enqueue(next.item);
          } else if (this.#closed) controller.close();
          else this.#readerWaiting = true;
        },
        cancel: () => {
          this.#closed = true;
          this.#queued = [];
          this.#bytes = 0;
        },
      },
      { highWaterMark: 0 },
    );
    this.readable = reiterable(stream);
  }

  /** Messages waiting to be read. */
  get length(): number {
    return this.#queued.length;
  }

  /** Bytes waiting to be read. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds a message; false when it does not fit (it is dropped) or the inbox is closed. */
  push(item: T): boolean {
    if (this.#closed) return false;
    const bytes = this.#size(item);
    if (this.#queued.length >= this.#maxMessages || this.#bytes + bytes > this.#maxBytes) {
      return false;
    }
    if (this.#readerWaiting) {
      // A reader waits: hand it over at once.
      this.#readerWaiting = false;
      this.#controller.enqueue(item);
      return true;
    }
    this.#queued.push({ item, bytes });
    this.#bytes += bytes;
    return true;
  }

  /** Ends the stream once the waiting messages are read. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#queued.length === 0) {
      try {
        this.#controller.close();
      } catch {
        // cancelled by the application
      }
    }
  }
}

/**
 * Makes `for await` leave the stream usable after `break`: iterators release the reader
 * instead of cancelling the stream (the Web default cancels it, losing later messages).
 */
function reiterable<T>(stream: ReadableStream<T>): ReadableStream<T> & AsyncIterable<T> {
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    value: async function* (): AsyncGenerator<T, void, undefined> {
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  });
  return stream as ReadableStream<T> & AsyncIterable<T>;
}
