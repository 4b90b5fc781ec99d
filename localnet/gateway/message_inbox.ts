/**
 * Messages kept for clients that are offline, bounded per client (by count and by bytes); the
 * oldest are dropped first. They are pushed after the client's next successful authentication.
 *
 * @module
 */
import { toHex } from "../../internal/bytes.ts";

/** Limits of a {@linkcode MessageInbox}. */
export interface MessageInboxOptions {
  /** Most messages kept per client; 1000 by default. */
  readonly maxMessages?: number;
  /** Most bytes kept per client; 16 MiB by default. */
  readonly maxBytes?: number;
  /** Told how many old messages were dropped for `client` to make room. */
  readonly onDrop?: (client: Uint8Array, dropped: number) => void;
}

interface Box {
  messages: Uint8Array[];
  bytes: number;
}

/**
 * Per-client bounded FIFO of stored messages.
 *
 * @example
 * ```ts
 * import { MessageInbox } from "./mod.ts";
 * const inbox = new MessageInbox({ maxMessages: 2 });
 * const client = new Uint8Array(32);
 * for (const n of [1, 2, 3]) inbox.store(client, Uint8Array.of(n));
 * console.log(inbox.take(client)); // [ Uint8Array(1) [ 2 ], Uint8Array(1) [ 3 ] ]
 * ```
 */
export class MessageInbox {
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #onDrop?: (client: Uint8Array, dropped: number) => void;
  readonly #boxes = new Map<string, Box>();

  /** Creates an empty inbox. */
  constructor(options: MessageInboxOptions = {}) {
    this.#maxMessages = options.maxMessages ?? 1000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#onDrop = options.onDrop;
  }

  /** Keeps `message` for `client`, dropping its oldest messages beyond the limits. */
  store(client: Uint8Array, message: Uint8Array): void {
    const id = toHex(client);
    let box = this.#boxes.get(id);
    if (!box) this.#boxes.set(id, box = { messages: [], bytes: 0 });
    box.messages.push(message);
    box.bytes += message.length;
    let dropped = 0;
    while (
      box.messages.length > this.#maxMessages ||
      (box.bytes > this.#maxBytes && box.messages.length > 0)
    ) {
      box.bytes -= box.messages.shift()!.length;
      dropped++;
    }
    if (box.messages.length === 0) this.#boxes.delete(id);
    if (dropped > 0) this.#onDrop?.(client, dropped);
  }

  /** Removes and returns every message kept for `client`, oldest first. */
  take(client: Uint8Array): Uint8Array[] {
    const id = toHex(client);
    const box = this.#boxes.get(id);
    this.#boxes.delete(id);
    return box?.messages ?? [];
  }

  /** Puts `messages` back in front of whatever arrived meanwhile (after a failed push). */
  restore(client: Uint8Array, messages: readonly Uint8Array[]): void {
    const later = this.take(client);
    for (const message of [...messages, ...later]) this.store(client, message);
  }

  /** How many messages are kept for `client`. */
  count(client: Uint8Array): number {
    return this.#boxes.get(toHex(client))?.messages.length ?? 0;
  }
}
