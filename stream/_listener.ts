// The one listener of a multiplexer: a queue of accepted-but-not-taken streams and waiters.
import type { MixnetStream } from "./mixnet_stream.ts";
import type { StreamListener } from "./listener.ts";

/** Queue of incoming streams with `accept()` waiters. */
export class Listener implements StreamListener {
  #queue: MixnetStream[] = [];
  #waiters: ((stream: MixnetStream | undefined) => void)[] = [];
  #closed = false;
  #onClose: (unaccepted: MixnetStream[]) => void;

  constructor(onClose: (unaccepted: MixnetStream[]) => void) {
    this.#onClose = onClose;
  }

  get pending(): number {
    return this.#queue.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Hands a new stream to a waiting `accept()` or queues it. */
  push(stream: MixnetStream): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(stream);
    else this.#queue.push(stream);
  }

  accept(): Promise<MixnetStream | undefined> {
    const next = this.#queue.shift();
    if (next || this.#closed) return Promise.resolve(next);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
    this.#onClose(this.#queue.splice(0));
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<MixnetStream, void, undefined> {
    try {
      for (;;) {
        const stream = await this.accept();
        if (!stream) return;
        yield stream;
      }
    } finally {
      this.close();
    }
  }
}
