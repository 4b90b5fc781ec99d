/**
 * Messages kept for clients that are offline, bounded per client (by count and by bytes), for
 * all clients together (by bytes) and in time (a TTL). A full inbox refuses new messages rather
 * than evicting stored ones: the gateway then withholds the message's SURB-ACK, so its sender
 * retransmits later instead of being told "delivered" about mail that was thrown away. Messages
 * are pushed after the client's next successful authentication.
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
  /** Most bytes kept for all clients together; 256 MiB by default. */
  readonly maxTotalBytes?: number;
  /** A message not taken within this long is dropped; 24 h by default. */
  readonly ttlMs?: number;
  /** Clock in ms (for the TTL); `Date.now` by default. */
  readonly now?: () => number;
  /** Told how many messages of `client` expired unread. */
  readonly onDrop?: (client: Uint8Array, dropped: number) => void;
  /** Told when a message for `client` was refused, and why. */
  readonly onRefuse?: (client: Uint8Array, reason: InboxRefusal) => void;
}

/** Why {@linkcode MessageInbox.store} refused a message. */
export type InboxRefusal = "client-messages" | "client-bytes" | "total-bytes";

interface Stored {
  readonly message: Uint8Array;
  readonly at: number;
}

interface Box {
  readonly client: Uint8Array;
  messages: Stored[];
  bytes: number;
}

/**
 * Bounded store of messages for offline clients.
 *
 * @example
 * ```ts
 * import { MessageInbox } from "./mod.ts";
 * const inbox = new MessageInbox({ maxMessages: 2 });
 * const client = new Uint8Array(32);
 * console.log([1, 2, 3].map((n) => inbox.store(client, Uint8Array.of(n)))); // [ true, true, false ]
 * console.log(inbox.take(client)); // [ Uint8Array(1) [ 1 ], Uint8Array(1) [ 2 ] ]
 * ```
 */
export class MessageInbox {
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #maxTotalBytes: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #onDrop?: (client: Uint8Array, dropped: number) => void;
  readonly #onRefuse?: (client: Uint8Array, reason: InboxRefusal) => void;
  readonly #boxes = new Map<string, Box>();
  #totalBytes = 0;
  #nextPurge = 0;

  /** Creates an empty inbox. */
  constructor(options: MessageInboxOptions = {}) {
    this.#maxMessages = options.maxMessages ?? 1000;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#maxTotalBytes = options.maxTotalBytes ?? 256 * 1024 * 1024;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
    this.#onDrop = options.onDrop;
    this.#onRefuse = options.onRefuse;
  }

  /** Bytes kept for all clients together. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  /**
   * Keeps `message` for `client`; false (nothing kept) when that client's inbox or the whole
   * inbox is full.
   */
  store(client: Uint8Array, message: Uint8Array): boolean {
    this.#purgeExpired(false);
    const id = toHex(client);
    const box = this.#boxes.get(id);
    const reason: InboxRefusal | undefined = (box?.messages.length ?? 0) + 1 > this.#maxMessages
      ? "client-messages"
      : (box?.bytes ?? 0) + message.length > this.#maxBytes
      ? "client-bytes"
      : this.#totalBytes + message.length > this.#maxTotalBytes
      ? "total-bytes"
      : undefined;
    if (reason) {
      this.#onRefuse?.(client, reason);
      return false;
    }
    this.#add(id, client, [message]);
    return true;
  }

  /** Removes and returns every (unexpired) message kept for `client`, oldest first. */
  take(client: Uint8Array): Uint8Array[] {
    this.#purgeExpired(false);
    const id = toHex(client);
    const box = this.#boxes.get(id);
    if (!box) return [];
    this.#boxes.delete(id);
    this.#totalBytes -= box.bytes;
    return box.messages.map((m) => m.message);
  }

  /**
   * Puts `messages` back in front of whatever arrived meanwhile (after a failed push). They were
   * accepted once, so no limit refuses them now.
   */
  restore(client: Uint8Array, messages: readonly Uint8Array[]): void {
    const id = toHex(client);
    const later = this.#boxes.get(id);
    if (later) {
      this.#boxes.delete(id);
      this.#totalBytes -= later.bytes;
    }
    this.#add(id, client, messages);
    if (later) {
      const box = this.#boxes.get(id)!;
      box.messages.push(...later.messages);
      box.bytes += later.bytes;
      this.#totalBytes += later.bytes;
    }
  }

  /** How many messages are kept for `client`. */
  count(client: Uint8Array): number {
    this.#purgeExpired(false);
    return this.#boxes.get(toHex(client))?.messages.length ?? 0;
  }

  /** Drops every message older than the TTL now; returns how many. */
  purgeExpired(): number {
    return this.#purgeExpired(true);
  }

  #add(id: string, client: Uint8Array, messages: readonly Uint8Array[]): void {
    let box = this.#boxes.get(id);
    if (!box) this.#boxes.set(id, box = { client: client.slice(), messages: [], bytes: 0 });
    const at = this.#now();
    for (const message of messages) {
      box.messages.push({ message, at });
      box.bytes += message.length;
      this.#totalBytes += message.length;
    }
    if (box.messages.length === 0) this.#boxes.delete(id);
  }

  // A full scan at most every tenth of the TTL (O(1) amortised per call), or when forced.
  #purgeExpired(force: boolean): number {
    const now = this.#now();
    if (!force && now < this.#nextPurge) return 0;
    this.#nextPurge = now + Math.max(1, Math.floor(this.#ttlMs / 10));
    let total = 0;
    for (const [id, box] of this.#boxes) {
      let dropped = 0;
      while (dropped < box.messages.length && now - box.messages[dropped].at >= this.#ttlMs) {
        box.bytes -= box.messages[dropped].message.length;
        this.#totalBytes -= box.messages[dropped].message.length;
        dropped++;
      }
      if (dropped === 0) continue;
      box.messages.splice(0, dropped);
      if (box.messages.length === 0) this.#boxes.delete(id);
      total += dropped;
      this.#onDrop?.(box.client, dropped);
    }
    return total;
  }
}
