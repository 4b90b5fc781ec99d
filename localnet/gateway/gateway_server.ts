/**
 * The localnet gateway's client-facing WebSocket server: Nym's client ↔ gateway protocol
 * (protocol version 6) on a plain TCP listener, with registrations persisted through a
 * {@linkcode ClientStore}, free bandwidth, forwarding of the clients' mix packets through an
 * injected callback, and delivery of messages to connected clients (or storage until they
 * authenticate again).
 *
 * Final-hop Sphinx processing is not done here: whoever processes packets addressed to this
 * gateway calls {@linkcode GatewayServer.deliver}.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../../crypto/mod.ts";
import { toBase58 } from "../../internal/encoding.ts";
import { toHex } from "../../internal/bytes.ts";
import { type RandomBytes, systemRandom } from "../../internal/random.ts";
import {
  CURRENT_PROTOCOL_VERSION,
  KEY_ROTATION_PROTOCOL_VERSION,
  type MixPacket,
} from "../../gateway/mod.ts";
import { type ClientStore, MemoryClientStore } from "./client_store.ts";
import { ClientSession, type SessionConfig, type SessionContext } from "./_client_session.ts";
import {
  consoleGatewayLogger,
  type GatewayLogger,
  type GatewayServerEvent,
} from "./gateway_events.ts";
import { MessageInbox } from "./message_inbox.ts";
import type { ServerWebSocketOptions } from "./server_websocket.ts";
import { runAcceptLoop } from "../_accept_loop.ts";

/** Free bandwidth granted per `claimFreeTestnetBandwidth`: 64 GiB, as Nym. */
export const FREE_TESTNET_BANDWIDTH_BYTES = 64 * 1024 * 1024 * 1024;

/**
 * Which nym-node generation the gateway behaves as:
 * - `current`: protocol 6 (upgrade mode), as nym-node on `develop`;
 * - `nym-node-1.22`: protocol 5 (nym-node ≤ 1.22.0, `nym-binaries-v2025.21`): every handshake
 *   message carries protocol 3 whatever the client proposed
 *   (`common/gateway-requests/src/registration/handshake/state.rs`), `register` and
 *   `authenticate` carry the negotiated version (the proposal up to 5,
 *   `connection_handler/fresh.rs`), and no response has an `upgrade_mode` field
 *   (`types/text_response.rs`).
 */
export type GatewayGeneration = "current" | "nym-node-1.22";

/** Options of {@linkcode startGatewayServer}. */
export interface GatewayServerOptions {
  /** The gateway's 32-byte Ed25519 identity secret seed; it signs the registration handshake. */
  readonly identitySecretKey: Uint8Array;
  /** Receives every packet a client asks the gateway to forward into the mixnet. */
  readonly forward: (packet: MixPacket) => void;
  /** Listen address; `127.0.0.1` by default. */
  readonly hostname?: string;
  /** Listen port; 0 (any free port) by default. */
  readonly port?: number;
  /** Where registrations persist; a fresh {@linkcode MemoryClientStore} by default. */
  readonly store?: ClientStore;
  /**
   * Where messages for offline clients wait. Pass the previous server's to keep them across a
   * restart; a fresh one (bounded by `maxStoredMessages`, `maxStoredBytes`) by default.
   */
  readonly inbox?: MessageInbox;
  /** Log lines; warnings and errors to the console by default. */
  readonly logger?: GatewayLogger;
  /** Structured events (registrations, authentications, forwarded packets, …). */
  readonly onEvent?: (event: GatewayServerEvent) => void;
  /** Primitive provider; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
  /** Random source; the platform CSPRNG by default. */
  readonly random?: RandomBytes;
  /** The clock for `authenticateV2` timestamps, ms since the epoch; `Date.now` by default. */
  readonly now?: () => number;
  /** The announced protocol version; 6 by default (5 for `nym-node-1.22`). */
  readonly protocolVersion?: number;
  /** The nym-node generation to behave as; `current` by default. */
  readonly generation?: GatewayGeneration;
  /**
   * Refuse `claimFreeTestnetBandwidth` with Nym's `OnlyCoconutCredentials` error, as a gateway
   * with `enforce_zk_nyms = true` does (`common/credential-verification/src/
   * bandwidth_storage_manager.rs`); the connection stays open. False by default (as nym-node).
   */
  readonly enforceCredentials?: boolean;
  /**
   * Pause between stored messages pushed before the `authenticate` / `register` response, in
   * ms: models a gateway reading a large backlog from its database. 0 by default.
   */
  readonly storedMessageDelayMs?: number;
  /** Time for each message before authentication; 10 s by default (Nym). */
  readonly initialMessageTimeoutMs?: number;
  /** Time for each registration handshake message; 5 s by default (Nym). */
  readonly handshakeStepTimeoutMs?: number;
  /** Time for the HTTP upgrade; 1.5 s by default (Nym). */
  readonly websocketHandshakeTimeoutMs?: number;
  /** Time to wait for the client's Close after ours; 1 s by default. */
  readonly closeTimeoutMs?: number;
  /** Largest WebSocket message accepted; 1 MiB by default. */
  readonly maxMessageSize?: number;
  /** Allowed `authenticateV2` clock skew; 120 s by default (Nym). */
  readonly maxRequestTimestampSkewSeconds?: number;
  /** Bytes granted per free bandwidth claim; 64 GiB by default. */
  readonly freeBandwidthBytes?: number;
  /** Time the old session's client has to answer the duplicate-session Ping; 1 s by default. */
  readonly pingTimeoutMs?: number;
  /** Most messages stored per offline client; 1000 by default. */
  readonly maxStoredMessages?: number;
  /** Most bytes stored per offline client; 16 MiB by default. */
  readonly maxStoredBytes?: number;
  /** Most bytes stored for all offline clients together; 256 MiB by default. */
  readonly maxStoredBytesTotal?: number;
  /** Stored messages not fetched within this long are dropped; 24 h by default. */
  readonly storedMessageTtlMs?: number;
  /** Most connections open at once; further ones are closed at once. 1024 by default. */
  readonly maxConnections?: number;
  /**
   * Absolute time from the connection to a successful registration or authentication, however
   * many requests arrive meanwhile; 30 s by default.
   */
  readonly preAuthTimeoutMs?: number;
  /** Connection buffers and write deadline; see {@linkcode ServerWebSocketOptions}. */
  readonly websocket?: Pick<
    ServerWebSocketOptions,
    "maxQueuedBytes" | "maxPendingWriteBytes" | "writeTimeoutMs" | "frameTimeoutMs"
  >;
}

/** What {@linkcode GatewayServer.deliver} did with a message. */
export type DeliveryOutcome = "pushed" | "stored" | "refused";

/** A running gateway server. */
export interface GatewayServer {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on. */
  readonly port: number;
  /** `ws://hostname:port`. */
  readonly url: string;
  /** The gateway's Ed25519 identity key (publish it in the topology). */
  readonly identityKey: Uint8Array;
  /**
   * Hands a message to the client with this identity: pushed at once if it is connected and
   * authenticated, otherwise stored (bounded) and pushed after its next authentication.
   * `refused` (nothing kept) for an identity that never registered here, or when the inbox is
   * full: whoever delivers must then not acknowledge the message (no SURB-ACK), so its sender
   * retransmits.
   */
  deliver(clientIdentity: Uint8Array, message: Uint8Array): DeliveryOutcome;
  /** Whether a client with this identity is connected and authenticated. */
  isConnected(clientIdentity: Uint8Array): boolean;
  /** How many messages are stored for this client. */
  storedMessages(clientIdentity: Uint8Array): number;
  /**
   * Fault injection: while stalled the gateway keeps its connections open (WebSocket pings are
   * still answered by the socket layer) but answers no request, forwards nothing and pushes
   * nothing; messages for its clients are stored and pushed after they authenticate again.
   */
  setStalled(stalled: boolean): void;
  /** Closes every connection and the listener; resolves when all are released. */
  close(): Promise<void>;
}

/**
 * Starts a gateway server.
 *
 * @example
 * ```ts
 * import { startGatewayServer } from "./mod.ts";
 * const server = await startGatewayServer({
 *   identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   forward: (packet) => console.log("forward", packet.packet.length),
 * });
 * console.log(server.url.startsWith("ws://127.0.0.1:")); // true
 * await server.close();
 * ```
 */
export function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const listener = Deno.listen({ hostname, port: options.port ?? 0 });
  const crypto = options.crypto ?? defaultCrypto();
  const logger = options.logger ?? consoleGatewayLogger;
  const generation = options.generation ?? "current";
  const config: SessionConfig = {
    protocolVersion: options.protocolVersion ??
      (generation === "nym-node-1.22" ? KEY_ROTATION_PROTOCOL_VERSION : CURRENT_PROTOCOL_VERSION),
    generation,
    enforceCredentials: options.enforceCredentials ?? false,
    storedMessageDelayMs: options.storedMessageDelayMs ?? 0,
    initialMessageTimeoutMs: options.initialMessageTimeoutMs ?? 10_000,
    handshakeStepTimeoutMs: options.handshakeStepTimeoutMs ?? 5_000,
    websocketHandshakeTimeoutMs: options.websocketHandshakeTimeoutMs ?? 1_500,
    closeTimeoutMs: options.closeTimeoutMs ?? 1_000,
    maxMessageSize: options.maxMessageSize ?? 1 << 20,
    maxRequestTimestampSkewSeconds: options.maxRequestTimestampSkewSeconds ?? 120,
    freeBandwidthBytes: options.freeBandwidthBytes ?? FREE_TESTNET_BANDWIDTH_BYTES,
    pingTimeoutMs: options.pingTimeoutMs ?? 1_000,
    duplicateCheckTimeoutMs: 2 * (options.pingTimeoutMs ?? 1_000),
    preAuthTimeoutMs: options.preAuthTimeoutMs ?? 30_000,
    websocket: options.websocket ?? {},
  };
  const maxConnections = options.maxConnections ?? 1024;
  const inbox = options.inbox ?? new MessageInbox({
    maxMessages: options.maxStoredMessages,
    maxBytes: options.maxStoredBytes,
    maxTotalBytes: options.maxStoredBytesTotal,
    ttlMs: options.storedMessageTtlMs,
    now: options.now,
    onDrop: (client, dropped) =>
      logger.warn(`${dropped} message(s) for ${toBase58(client).slice(0, 10)} expired unread`),
    onRefuse: (client, reason) =>
      logger.warn(`inbox of ${toBase58(client).slice(0, 10)} is full (${reason}): refused`),
  });
  const store = options.store ?? new MemoryClientStore();
  // identities seen registering or authenticating, for stores that cannot answer `has`
  const seen = new Set<string>();
  const locks = new Map<string, Promise<unknown>>();
  const active = new Map<string, ClientSession>();
  let stalled = false;
  const ctx: SessionContext = {
    stalled: () => stalled,
    config,
    identitySecretKey: options.identitySecretKey,
    crypto,
    random: options.random ?? systemRandom,
    now: options.now ?? Date.now,
    store,
    inbox,
    active,
    forward: options.forward,
    logger,
    emit: (event) => {
      if ((event.type === "registered" || event.type === "authenticated") && !store.has) {
        seen.add(toHex(event.client));
      }
      try {
        options.onEvent?.(event);
      } catch (error) {
        logger.error(`onEvent threw: ${error}`);
      }
    },
    withLock: <T>(id: string, fn: () => Promise<T>): Promise<T> => {
      const previous = locks.get(id) ?? Promise.resolve();
      const result = previous.catch(() => {}).then(fn);
      const tail = result.catch(() => {});
      locks.set(id, tail);
      tail.then(() => {
        if (locks.get(id) === tail) locks.delete(id);
      });
      return result;
    },
  };

  const sessions = new Set<ClientSession>();
  const running = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  const stop = new AbortController();
  const acceptLoop = runAcceptLoop(listener, (conn) => {
    if (sessions.size >= maxConnections) {
      logger.warn(`refusing a connection: ${maxConnections} are open`);
      try {
        conn.close();
      } catch { /* already closed */ }
      return;
    }
    const session = new ClientSession(ctx, conn);
    sessions.add(session);
    const done: Promise<void> = session.run()
      .catch((error) => logger.error(`connection handler failed: ${error}`))
      .finally(() => {
        sessions.delete(session);
        running.delete(done);
      });
    running.add(done);
  }, {
    signal: stop.signal,
    onError: (error, n) => logger.error(`accepting connections failed (${n} in a row): ${error}`),
  });

  const addr = listener.addr as Deno.NetAddr;
  const server: GatewayServer = {
    hostname: addr.hostname,
    port: addr.port,
    url: `ws://${addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname}:${addr.port}`,
    identityKey: crypto.ed25519PublicKey(options.identitySecretKey),
    deliver(clientIdentity, message) {
      const id = toHex(clientIdentity);
      const session = active.get(id);
      if (!stalled && session?.push(message)) return "pushed";
      const registered = store.has ? store.has(clientIdentity) : seen.has(id);
      if (!registered && !session) return "refused";
      return inbox.store(clientIdentity, message) ? "stored" : "refused";
    },
    isConnected: (clientIdentity) => active.has(toHex(clientIdentity)),
    setStalled(value) {
      stalled = value;
    },
    storedMessages: (clientIdentity) => inbox.count(clientIdentity),
    close() {
      closing ??= (async () => {
        stop.abort();
        listener.close();
        await acceptLoop;
        while (running.size > 0) {
          for (const session of sessions) session.shutdown(1001, "the gateway is shutting down");
          await Promise.all([...running]);
        }
      })();
      return closing;
    },
  };
  return Promise.resolve(server);
}
