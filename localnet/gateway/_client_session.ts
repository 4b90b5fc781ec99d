// One client connection of the localnet gateway: the "fresh" phase (supportedProtocol,
// registration handshake or authenticateV2, as nym's gateway/.../connection_handler/fresh.rs)
// and the "authenticated" phase (bandwidth, forwarding, pushed messages, pings for the
// duplicate-session check, as .../authenticated.rs).
import type { CryptoProvider } from "../../crypto/mod.ts";
import { constantTimeEqual, toHex } from "../../internal/bytes.ts";
import type { RandomBytes } from "../../internal/random.ts";
import { toBase58 } from "../../internal/encoding.ts";
import {
  type AuthenticateV2Request,
  decodeBinaryRequest,
  decodeClientRequest,
  decodeHandshakeText,
  encodeHandshakeText,
  encodePushedMessageFrame,
  encodeServerResponse,
  finishGatewayHandshake,
  GatewayProtocolError,
  type GatewayProtocolErrorKind,
  type MixPacket,
  ONLY_CREDENTIALS_MESSAGE,
  respondToClientInit,
  type ServerResponse,
  verifyAuthenticateV2Request,
} from "../../gateway/mod.ts";
import type { ClientStore, StoredClient } from "./client_store.ts";
import type { GatewayLogger, GatewayServerEvent } from "./gateway_events.ts";
import type { MessageInbox } from "./message_inbox.ts";
import {
  type ReceivedMessage,
  ServerWebSocket,
  type ServerWebSocketOptions,
} from "./server_websocket.ts";
import { WebSocketError } from "./websocket_error.ts";
import { addBandwidth } from "./bandwidth.ts";

export interface SessionConfig {
  readonly protocolVersion: number;
  readonly generation: "current" | "nym-node-1.22";
  readonly enforceCredentials: boolean;
  readonly storedMessageDelayMs: number;
  readonly initialMessageTimeoutMs: number;
  readonly handshakeStepTimeoutMs: number;
  readonly websocketHandshakeTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly maxRequestTimestampSkewSeconds: number;
  readonly freeBandwidthBytes: number;
  readonly pingTimeoutMs: number;
  readonly duplicateCheckTimeoutMs: number;
  readonly preAuthTimeoutMs: number;
  readonly websocket: Pick<
    ServerWebSocketOptions,
    "maxQueuedBytes" | "maxPendingWriteBytes" | "writeTimeoutMs" | "frameTimeoutMs"
  >;
}

export interface SessionContext {
  readonly config: SessionConfig;
  readonly identitySecretKey: Uint8Array;
  readonly crypto: CryptoProvider;
  readonly random: RandomBytes;
  readonly now: () => number;
  readonly store: ClientStore;
  readonly inbox: MessageInbox;
  readonly active: Map<string, ClientSession>;
  readonly forward: (packet: MixPacket) => void;
  readonly logger: GatewayLogger;
  readonly emit: (event: GatewayServerEvent) => void;
  /** Fault injection: while true, requests are read and dropped unanswered. */
  readonly stalled: () => boolean;
  /** Runs `fn` while no other registration/authentication of the same identity runs. */
  readonly withLock: <T>(id: string, fn: () => Promise<T>) => Promise<T>;
}

type Liveness = "active" | "inactive" | "busy";

interface AuthenticatedClient {
  readonly identity: Uint8Array;
  readonly id: string;
  readonly sharedKey: Uint8Array;
  readonly sessionStartMs: number;
  readonly protocolVersion: number;
}

// A failure that ends the connection; `message` is sent to the client as an `error` response.
class SessionFailure extends Error {
  constructor(
    message: string,
    readonly kind?: GatewayProtocolErrorKind,
    readonly client?: Uint8Array,
  ) {
    super(message);
  }
}

function shortId(identity: Uint8Array): string {
  return toBase58(identity).slice(0, 10);
}

export class ClientSession {
  readonly #ctx: SessionContext;
  readonly #conn: Deno.Conn;
  readonly #peer: string;
  #ws: ServerWebSocket | undefined;
  #client: AuthenticatedClient | undefined;
  #bandwidth = 0;
  #pendingPing: { tag: Uint8Array; finish: (result: Liveness) => void } | undefined;
  /** Messages were stored because this connected client was behind on reading. */
  #storedWhileConnected = false;
  #shutdown: { code: number; reason: string } | undefined;
  #preAuthDeadline = Infinity;

  constructor(ctx: SessionContext, conn: Deno.Conn) {
    this.#ctx = ctx;
    this.#conn = conn;
    const addr = conn.remoteAddr as Deno.NetAddr;
    this.#peer = `${addr.hostname}:${addr.port}`;
  }

  get sessionStartMs(): number {
    return this.#client?.sessionStartMs ?? 0;
  }

  async run(): Promise<void> {
    const { config, logger } = this.#ctx;
    this.#preAuthDeadline = performance.now() + config.preAuthTimeoutMs;
    let ws: ServerWebSocket;
    try {
      ws = await ServerWebSocket.accept(this.#conn, {
        handshakeTimeoutMs: config.websocketHandshakeTimeoutMs,
        closeTimeoutMs: config.closeTimeoutMs,
        maxFrameSize: config.maxMessageSize,
        maxMessageSize: config.maxMessageSize,
        ...config.websocket,
      });
    } catch (error) {
      logger.warn(`WebSocket handshake with ${this.#peer} failed: ${(error as Error).message}`);
      return;
    }
    this.#ws = ws;
    if (this.#shutdown) {
      await ws.close(this.#shutdown.code, this.#shutdown.reason);
      return;
    }
    let closeCode = 1000;
    let closeReason = "";
    try {
      if (await this.#fresh(ws)) await this.#authenticated(ws);
      const error = ws.closeInfo?.error;
      if (error) logger.warn(`closing connection from ${this.#peer}: ${error.message}`);
      closeReason = error?.message ?? ws.closeInfo?.reason ?? "";
    } catch (error) {
      closeReason = error instanceof Error ? error.message : String(error);
      if (error instanceof WebSocketError && error.kind === "closed") {
        // the client closed while a response was being sent: a normal end
        logger.debug(`connection from ${this.#peer} closed while responding`);
        return;
      }
      closeCode = 1008;
      logger.warn(`closing connection from ${this.#peer}: ${closeReason}`);
      if (!this.#client) {
        // refused before authentication: the registration or authentication failed
        this.#ctx.emit({
          type: "rejected",
          client: error instanceof SessionFailure ? error.client : undefined,
          reason: closeReason,
          kind: error instanceof SessionFailure ? error.kind : undefined,
        });
      }
      if (!ws.closing) {
        await ws.sendText(encodeServerResponse({ type: "error", message: closeReason }))
          .catch(() => {});
      }
    } finally {
      this.#pendingPing?.finish("inactive");
      const client = this.#client;
      if (client) {
        if (this.#ctx.active.get(client.id) === this) this.#ctx.active.delete(client.id);
        await this.#ctx.store.update(client.identity, { bandwidth: this.#bandwidth })
          .catch((e) => logger.error(`cannot persist bandwidth: ${e}`));
      }
      const shutdown = this.#shutdown as { code: number; reason: string } | undefined;
      await ws.close(shutdown?.code ?? closeCode, shutdown?.reason ?? closeReason);
      this.#ctx.emit({ type: "closed", client: client?.identity, reason: closeReason });
      logger.debug(`connection from ${this.#peer} closed`);
    }
  }

  /** Closes this connection (server shutdown, or replaced by a newer session). */
  shutdown(code: number, reason: string): void {
    this.#shutdown ??= { code, reason };
    const client = this.#client;
    if (client && this.#ctx.active.get(client.id) === this) this.#ctx.active.delete(client.id);
    if (this.#ws) {
      this.#ws.close(code, reason).catch(() => {});
    } else {
      try {
        this.#conn.close();
      } catch { /* already closed */ }
    }
  }

  /** Pushes `message` to the client; false if this session cannot take it. */
  push(message: Uint8Array): boolean {
    const ws = this.#ws, client = this.#client;
    if (!ws || !client || ws.closing) return false;
    const frame = encodePushedMessageFrame(message, client.sharedKey, {
      crypto: this.#ctx.crypto,
      random: this.#ctx.random,
    });
    // a client that does not read its pushes gets them stored instead of buffered here; they
    // are pushed once its earlier pushes are written (see #drainStored)
    if (!ws.canSend(frame.length)) {
      this.#storedWhileConnected = true;
      return false;
    }
    ws.sendBinary(frame).then(() => this.#drainStored(), () => {
      // the connection broke under the push: keep it for the next session (restore ignores the
      // limits, since the message was already acknowledged to its sender)
      this.#ctx.inbox.restore(client.identity, [message]);
    });
    return true;
  }

  /**
   * Pushes what was stored while this client was connected but behind on reading, once a write
   * completed: without it those messages (already acknowledged to their senders) would wait for
   * the next session.
   */
  #drainStored(): void {
    if (!this.#storedWhileConnected) return;
    const ws = this.#ws, client = this.#client;
    if (!ws || !client || ws.closing) return;
    this.#storedWhileConnected = false;
    const messages = this.#ctx.inbox.take(client.identity);
    for (let i = 0; i < messages.length; i++) {
      if (!this.push(messages[i])) {
        this.#ctx.inbox.restore(client.identity, messages.slice(i));
        this.#storedWhileConnected = true;
        return;
      }
    }
  }

  /**
   * Nym's "is active" check: a Ping whose payload is a random u64 BE, answered `active` if the
   * matching Pong arrives within `timeoutMs`, `busy` if a check is already running.
   */
  checkAlive(timeoutMs: number): Promise<Liveness> {
    const ws = this.#ws;
    if (!ws || ws.closing) return Promise.resolve("inactive");
    if (this.#pendingPing) return Promise.resolve("busy");
    const tag = this.#ctx.random(8);
    return new Promise((resolve) => {
      const finish = (result: Liveness): void => {
        clearTimeout(timer);
        if (this.#pendingPing?.tag === tag) this.#pendingPing = undefined;
        resolve(result);
      };
      const timer = setTimeout(() => finish("inactive"), timeoutMs);
      this.#pendingPing = { tag, finish };
      ws.ping(tag).catch(() => finish("inactive"));
    });
  }

  async #receive(
    ws: ServerWebSocket,
    timeoutMs: number | undefined,
    timeoutMessage: string,
  ): Promise<ReceivedMessage | undefined> {
    let deadlineHit = false;
    try {
      for (;;) {
        let wait = timeoutMs;
        if (!this.#client && timeoutMs !== undefined) {
          // before authentication, every wait also ends at the absolute pre-auth deadline
          const left = this.#preAuthDeadline - performance.now();
          if (left <= 0) throw new WebSocketError("timeout", "pre-auth deadline");
          if (left < timeoutMs) {
            wait = Math.ceil(left);
            deadlineHit = true;
          }
        }
        const message = await ws.receive(wait);
        if (
          message && (message.type === "text" || message.type === "binary") && this.#ctx.stalled()
        ) {
          continue;
        }
        return message;
      }
    } catch (error) {
      if (error instanceof WebSocketError && error.kind === "timeout") {
        throw new SessionFailure(
          deadlineHit || performance.now() >= this.#preAuthDeadline
            ? `did not authenticate within ${this.#ctx.config.preAuthTimeoutMs} ms of connecting`
            : timeoutMessage,
        );
      }
      throw error;
    }
  }

  #send(ws: ServerWebSocket, response: ServerResponse): Promise<void> {
    return ws.sendText(this.#encode(response));
  }

  // nym-node 1.22's responses have no `upgrade_mode` (`types/text_response.rs` at v2025.21).
  #encode(response: ServerResponse): string {
    const text = encodeServerResponse(response);
    if (this.#ctx.config.generation !== "nym-node-1.22" || !("upgradeMode" in response)) {
      return text;
    }
    const { upgrade_mode: _, ...rest } = JSON.parse(text);
    return JSON.stringify(rest);
  }

  // ---- fresh (unauthenticated) phase -------------------------------------------------------

  async #fresh(ws: ServerWebSocket): Promise<boolean> {
    const { config } = this.#ctx;
    for (;;) {
      const message = await this.#receive(
        ws,
        config.initialMessageTimeoutMs,
        "timed out while waiting for initial data",
      );
      if (!message) return false;
      if (message.type === "binary") {
        throw new SessionFailure(
          "possibly received a sphinx packet without prior authentication. Request is going to be ignored",
        );
      }
      if (message.type !== "text") {
        throw new SessionFailure(
          `received a Message of type ${message.type} which was not expected in this context`,
        );
      }
      let request;
      try {
        request = decodeClientRequest(message.data);
      } catch (error) {
        throw new SessionFailure(
          `Only 'Register' or 'Authenticate' requests are allowed (${(error as Error).message})`,
        );
      }
      switch (request.type) {
        case "supportedProtocol":
          await this.#send(ws, { type: "supportedProtocol", version: config.protocolVersion });
          continue;
        case "authenticate":
          throw new SessionFailure(
            "the legacy authentication method is no longer supported. please update your client",
            "protocol-version",
          );
        case "authenticateV2": {
          const r = request.request;
          // The per-identity lock is taken only once the request proved possession of the
          // identity (its signature checks out), so strangers naming it cannot hold it.
          await this.#verifyAuthentication(r);
          await this.#ctx.withLock(toHex(r.clientIdentity), () => this.#authenticate(ws, r));
          return true;
        }
        case "registerHandshakeInitRequest": {
          const { protocolVersion, data } = request;
          if (data.length < 32) {
            throw new SessionFailure(
              "Failed to perform registration handshake: the received request is malformed",
              "length",
            );
          }
          await this.#register(ws, protocolVersion, data);
          return true;
        }
        default:
          throw new SessionFailure(
            `Only 'Register' or 'Authenticate' requests are allowed, not '${request.type}'`,
          );
      }
    }
  }

  async #receiveHandshake(ws: ServerWebSocket): Promise<Uint8Array> {
    const message = await this.#receive(
      ws,
      this.#ctx.config.handshakeStepTimeoutMs,
      "Failed to perform registration handshake: timed out waiting for a handshake message",
    );
    if (!message) throw new SessionFailure("the connection closed during the handshake");
    if (message.type !== "text") {
      throw new SessionFailure(
        `received a ${message.type} frame during the handshake`,
        "handshake",
      );
    }
    const text = decodeHandshakeText(message.data);
    if (text.type === "handshakeError") {
      throw new SessionFailure(
        `Failed to perform registration handshake: the client aborted: ${text.message}`,
        "handshake",
      );
    }
    return text.data;
  }

  async #register(ws: ServerWebSocket, proposed: number, init: Uint8Array): Promise<void> {
    const ctx = this.#ctx;
    const legacy = ctx.config.generation === "nym-node-1.22";
    if (legacy && proposed > ctx.config.protocolVersion) {
      // nym-node 1.22 refuses a future proposal (`negotiate_client_protocol`, fresh.rs)
      throw new SessionFailure(
        `Attempted to negotiate connection with client using incompatible protocol version. Ours is ${ctx.config.protocolVersion} and the client reports Some(${proposed})`,
        "protocol-version",
      );
    }
    // Nym's gateway adopts the client's proposal, or its own version for a future one.
    const version = Math.min(proposed, ctx.config.protocolVersion);
    // nym-node ≤ 1.22 writes protocol 3 into every handshake message (handshake/state.rs).
    const handshakeVersion = legacy ? 3 : version;
    const identity = init.slice(0, 32);
    const id = toHex(identity);
    if (ctx.active.has(id)) {
      throw new SessionFailure(
        "There is already an open connection to this client",
        "duplicate",
        identity,
      );
    }
    let sharedKey: Uint8Array;
    try {
      const state = respondToClientInit({
        init,
        identitySecretKey: ctx.identitySecretKey,
        crypto: ctx.crypto,
        random: ctx.random,
      });
      await ws.sendText(
        encodeHandshakeText({
          type: "handshakePayload",
          protocolVersion: handshakeVersion,
          data: state.material,
        }),
      );
      sharedKey = finishGatewayHandshake(state, await this.#receiveHandshake(ws), ctx.crypto);
    } catch (error) {
      if (error instanceof GatewayProtocolError) {
        const message = `Failed to perform registration handshake: ${error.message}`;
        await ws.sendText(encodeHandshakeText({ type: "handshakeError", message })).catch(() => {});
        throw new SessionFailure(message, error.kind, identity);
      }
      if (error instanceof SessionFailure) {
        throw new SessionFailure(error.message, error.kind ?? "handshake", identity);
      }
      throw error;
    }
    // The client's signature over the handshake proved it holds the identity: only now may it
    // take the identity's lock (never while a stranger's handshake is pending).
    await ctx.withLock(
      id,
      () => this.#completeRegistration(ws, identity, sharedKey, version, handshakeVersion),
    );
  }

  async #completeRegistration(
    ws: ServerWebSocket,
    identity: Uint8Array,
    sharedKey: Uint8Array,
    version: number,
    handshakeVersion: number,
  ): Promise<void> {
    const ctx = this.#ctx;
    const id = toHex(identity);
    if (ctx.active.has(id)) {
      throw new SessionFailure(
        "There is already an open connection to this client",
        "duplicate",
        identity,
      );
    }
    await ws.sendText(encodeHandshakeText({
      type: "handshakePayload",
      protocolVersion: handshakeVersion,
      data: Uint8Array.of(1),
    }));
    await ctx.store.upsertSharedKey(identity, sharedKey);
    this.#bandwidth = (await ctx.store.get(identity))?.bandwidth ?? 0;
    this.#activate({
      identity,
      id,
      sharedKey,
      sessionStartMs: ctx.now(),
      protocolVersion: version,
    });
    await this.#pushStored(ws);
    await this.#send(ws, {
      type: "register",
      protocolVersion: version,
      status: true,
      upgradeMode: false,
    });
    ctx.logger.info(`registered client ${shortId(identity)} (protocol ${version})`);
    ctx.emit({ type: "registered", client: identity, protocolVersion: version });
  }

  async #authenticate(ws: ServerWebSocket, request: AuthenticateV2Request): Promise<void> {
    const ctx = this.#ctx;
    const identity = request.clientIdentity;
    const id = toHex(identity);
    // verified again under the lock: the stored timestamp may have moved meanwhile (replays)
    const { stored, version } = await this.#verifyAuthentication(request);
    const sessionStartMs = request.requestUnixTimestamp * 1000;
    const existing = ctx.active.get(id);
    if (existing) await this.#replaceDuplicate(existing, sessionStartMs, identity);
    await ctx.store.update(identity, { lastAuthTimestamp: request.requestUnixTimestamp });
    this.#bandwidth = (await ctx.store.get(identity))?.bandwidth ?? 0;
    this.#activate({
      identity,
      id,
      sharedKey: stored.sharedKey,
      sessionStartMs,
      protocolVersion: version,
    });
    await this.#pushStored(ws);
    await this.#send(ws, {
      type: "authenticate",
      protocolVersion: version,
      status: true,
      bandwidthRemaining: this.#bandwidth,
      upgradeMode: false,
    });
    ctx.logger.info(`authenticated client ${shortId(identity)} (protocol ${version})`);
    ctx.emit({ type: "authenticated", client: identity, protocolVersion: version });
  }

  /** Checks an `authenticateV2` request against the stored record; throws SessionFailure. */
  async #verifyAuthentication(
    request: AuthenticateV2Request,
  ): Promise<{ stored: StoredClient; version: number }> {
    const ctx = this.#ctx;
    const identity = request.clientIdentity;
    const stored = await ctx.store.get(identity);
    let version: number;
    try {
      version = verifyAuthenticateV2Request(request, {
        stored,
        nowMs: ctx.now(),
        maxSkewSeconds: ctx.config.maxRequestTimestampSkewSeconds,
        maxProtocolVersion: ctx.config.protocolVersion,
        crypto: ctx.crypto,
      });
    } catch (error) {
      if (!(error instanceof GatewayProtocolError)) throw error;
      const message = error.kind === "protocol-version"
        ? `Attempted to negotiate connection with client using incompatible protocol version. Ours is ${ctx.config.protocolVersion} and the client reports ${request.protocolVersion}`
        : `failed to authenticate the client: ${error.message}`;
      throw new SessionFailure(message, error.kind, identity);
    }
    return { stored: stored!, version };
  }

  async #replaceDuplicate(
    existing: ClientSession,
    sessionStartMs: number,
    identity: Uint8Array,
  ): Promise<void> {
    const ctx = this.#ctx;
    if (sessionStartMs <= existing.sessionStartMs) {
      throw new SessionFailure(
        "attempted to overwrite client session with a stale authentication",
        "duplicate",
        identity,
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const liveness = await Promise.race([
      existing.checkAlive(ctx.config.pingTimeoutMs),
      new Promise<Liveness>((resolve) => {
        timer = setTimeout(() => resolve("inactive"), ctx.config.duplicateCheckTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (liveness !== "inactive") {
      throw new SessionFailure(
        "There is already an open connection to this client",
        "duplicate",
        identity,
      );
    }
    ctx.logger.info(`dropping the unresponsive old session of ${shortId(identity)}`);
    existing.shutdown(1008, "replaced by a newer session");
  }

  #activate(client: AuthenticatedClient): void {
    const current = this.#ctx.active.get(client.id);
    if (current && current !== this) {
      throw new SessionFailure(
        "There is already an open connection to this client",
        "duplicate",
        client.identity,
      );
    }
    this.#client = client;
    this.#ctx.active.set(client.id, this);
  }

  async #pushStored(ws: ServerWebSocket): Promise<void> {
    const client = this.#client!;
    const messages = this.#ctx.inbox.take(client.identity);
    const delayMs = this.#ctx.config.storedMessageDelayMs;
    for (let i = 0; i < messages.length; i++) {
      if (delayMs > 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const frame = encodePushedMessageFrame(messages[i], client.sharedKey, {
        crypto: this.#ctx.crypto,
        random: this.#ctx.random,
      });
      try {
        await ws.sendBinary(frame);
      } catch {
        this.#ctx.inbox.restore(client.identity, messages.slice(i));
        throw new SessionFailure("failed to push stored messages");
      }
    }
  }

  // ---- authenticated phase ------------------------------------------------------------------

  async #authenticated(ws: ServerWebSocket): Promise<void> {
    for (;;) {
      const message = await ws.receive();
      if (!message) return;
      if ((message.type === "text" || message.type === "binary") && this.#ctx.stalled()) continue;
      switch (message.type) {
        case "pong":
          this.#onPong(message.data);
          break;
        case "ping":
          break; // answered by the WebSocket layer
        case "text":
          await this.#onText(ws, message.data);
          break;
        case "binary":
          await this.#onBinary(ws, message.data);
          break;
      }
    }
  }

  #onPong(data: Uint8Array): void {
    const pending = this.#pendingPing;
    if (pending && constantTimeEqual(pending.tag, data)) pending.finish("active");
    else this.#ctx.logger.debug(`unexpected pong from ${this.#peer}`);
  }

  async #onText(ws: ServerWebSocket, text: string): Promise<void> {
    const ctx = this.#ctx, client = this.#client!;
    let request;
    try {
      request = decodeClientRequest(text);
    } catch (error) {
      throw new SessionFailure(`Provided text request was malformed - ${(error as Error).message}`);
    }
    switch (request.type) {
      case "claimFreeTestnetBandwidth": {
        if (ctx.config.enforceCredentials) {
          return this.#send(ws, { type: "error", message: ONLY_CREDENTIALS_MESSAGE });
        }
        // Saturating: a total past 2^53 − 1 would lose precision (and could not be persisted).
        this.#bandwidth = addBandwidth(this.#bandwidth, ctx.config.freeBandwidthBytes);
        await ctx.store.update(client.identity, { bandwidth: this.#bandwidth });
        await this.#send(ws, {
          type: "bandwidth",
          availableTotal: this.#bandwidth,
          upgradeMode: false,
        });
        ctx.emit({
          type: "bandwidthClaimed",
          client: client.identity,
          availableTotal: this.#bandwidth,
        });
        return;
      }
      case "supportedProtocol":
        return this.#send(ws, { type: "supportedProtocol", version: ctx.config.protocolVersion });
      case "authenticate":
      case "authenticateV2":
      case "registerHandshakeInitRequest":
        return this.#send(ws, {
          type: "error",
          message:
            `The received request is not valid in the current context: received illegal message of type ${request.type} in an authenticated client`,
        });
      case "bandwidthCredential":
      case "bandwidthCredentialV2":
        return this.#send(ws, {
          type: "error",
          message:
            "The received request is not valid in the current context: coconut credential are not longer supported",
        });
      default:
        return this.#send(ws, {
          type: "error",
          message: `${request.type} is not supported by this gateway`,
        });
    }
  }

  async #onBinary(ws: ServerWebSocket, frame: Uint8Array): Promise<void> {
    const ctx = this.#ctx, client = this.#client!;
    let request;
    try {
      request = decodeBinaryRequest(frame, client.sharedKey, { crypto: ctx.crypto });
    } catch (error) {
      throw new SessionFailure(
        `Provided binary request was malformed - ${(error as Error).message}`,
      );
    }
    const required = request.packet.packet.length;
    if (this.#bandwidth < required) {
      return this.#send(ws, {
        type: "typedError",
        error: { kind: "outOfBandwidth", required, available: this.#bandwidth },
      });
    }
    this.#bandwidth -= required;
    try {
      ctx.forward(request.packet);
    } catch (error) {
      ctx.logger.error(`forwarding a packet failed: ${error}`);
    }
    ctx.emit({
      type: "forwarded",
      client: client.identity,
      frameVersion: request.version,
      packet: request.packet,
    });
    await this.#send(ws, { type: "send", remainingBandwidth: this.#bandwidth, upgradeMode: false });
  }
}
