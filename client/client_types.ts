/**
 * The types a `MixnetClient` is built from and speaks in: its components, events,
 * received messages, send options and counters.
 *
 * @module
 */
import type { ReplySnapshot } from "./reply_persistence.ts";
import type { CryptoProvider } from "../crypto/mod.ts";
import type { Clock } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import type { Recipient } from "../message/mod.ts";
import type { DeliveryError } from "../queue/delivery.ts";
import type { MessageInboxLimits } from "./message_inbox.ts";
import type { OutgoingPacket } from "./packet_builder.ts";
import type { RouteSource } from "./route_source.ts";
import type { TrafficConfig } from "./traffic.ts";

/** Where packets go: the client's authenticated gateway connection. */
export interface GatewayLink {
  /** Sends one packet to the gateway (queued while reconnecting). */
  send(packet: OutgoingPacket): void;
  /** Bytes accepted by `send` and not yet written to the network (queued while down included). */
  readonly bufferedAmount: number;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** A message delivered to this client. */
export interface ReceivedMessage {
  /** The application bytes. */
  readonly data: Uint8Array;
  /**
   * For anonymous (repliable) messages: the sender's tag, to pass to `reply()`. Absent for
   * plain messages and for replies.
   */
  readonly senderTag?: string;
  /** `plain`, `repliable` (anonymous, answerable) or `reply` (an answer to our SURBs). */
  readonly kind: "plain" | "repliable" | "reply";
}

/** Typed events of a `MixnetClient`. */
export interface MixnetClientEvents {
  /** The gateway connection is (again) authenticated. */
  connected: { gateway: string };
  /** The gateway connection dropped; the client is reconnecting. */
  reconnecting: { attempt: number; delayMs: number; reason: string };
  /** A new topology was fetched. */
  topology: { mixnodes: number; gateways: number };
  /** A `send()` or `reply()` failed; its handle rejected with the same error. */
  deliveryFailed: { id: number; error: DeliveryError };
  /** Bytes from the network were malformed and dropped; the client keeps running. */
  error: { error: Error };
  /**
   * A received message was dropped because `client.messages` is full (nobody reads it fast
   * enough; by default 10 000 messages or 32 MiB wait at most).
   */
  messageDropped: { bytes: number; kind: ReceivedMessage["kind"] };
  /** The client stopped (after `disconnect()`); nothing more will be sent or received. */
  disconnected: Record<string, never>;
}

/** Options of `send()`. */
export interface SendOptions {
  /** Attach this many reply SURBs so the recipient can answer without learning our address. */
  readonly replySurbs?: number;
  /** The lane (queue) to use; messages in one lane keep their order of departure. */
  readonly lane?: string;
}

/** Everything the core needs, already built. */
export interface MixnetClientComponents {
  /** Our address. */
  readonly self: Recipient;
  /** Our X25519 encryption secret key. */
  readonly encryptionSecretKey: Uint8Array;
  /** Our 16-byte ack key. */
  readonly ackKey: Uint8Array;
  /** Routes over the current topology. */
  readonly routes: RouteSource;
  /** Traffic shaping. */
  readonly traffic: TrafficConfig;
  /** Primitive provider. */
  readonly crypto: CryptoProvider;
  /** Random source. */
  readonly random: RandomBytes;
  /** Time and timers. */
  readonly clock: Clock;
  /** Called at the end of `disconnect()` (to stop what `connect()` started around the core). */
  readonly onDisconnect?: () => void | Promise<void>;
  /** Reply state saved by an earlier run (see `ReplyPersistence` in reply_persistence.ts). */
  readonly replyState?: ReplySnapshot;
  /** Bounds of `client.messages` (defaults: 10 000 messages, 32 MiB). */
  readonly inboxLimits?: MessageInboxLimits;
}

/** Packet counters of a `MixnetClient`. */
export interface MixnetClientStats {
  /** Real packets sent for the first time. */
  readonly realPacketsSent: number;
  /** Real packets sent again after an ack timeout. */
  readonly retransmissions: number;
  /** Loop cover packets sent. */
  readonly coverPacketsSent: number;
  /** Acks received for our fragments. */
  readonly acksReceived: number;
  /** Messages delivered to the application. */
  readonly messagesReceived: number;
  /** Messages dropped because `client.messages` was full. */
  readonly messagesDropped: number;
  /** Requests for more reply SURBs queued. */
  readonly surbRequestsSent: number;
}
