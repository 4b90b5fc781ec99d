/**
 * The client side of the client ↔ gateway WebSocket protocol: negotiate the protocol version,
 * register (handshake) or authenticate (`authenticateV2`) with a stored key, claim free
 * bandwidth, send mix packets and receive pushed messages
 * (`common/client-libs/gateway-client/src/client/mod.rs`).
 *
 * One {@linkcode GatewayClient} drives one connection at a time. After the connection closes,
 * {@linkcode GatewayClient.connect} may be called again and authenticates with the stored key,
 * so reconnection with backoff can be layered on top.
 *
 * @module
 */
import { type Clock, systemClock } from "../internal/clock.ts";
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { createAuthenticateV2Request } from "./authenticate_v2.ts";
import { decodePushedMessageFrame, encodeForwardFrame } from "./binary_frame.ts";
import { encodeClientRequest } from "./client_request.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";
import { decodeHandshakeText, encodeHandshakeText } from "./handshake_text.ts";
import type { GatewayKeyStorage } from "./key_storage.ts";
import type { MixPacket } from "./mix_packet.ts";
import {
  AES_GCM_SIV_PROTOCOL_VERSION,
  AUTHENTICATE_V2_PROTOCOL_VERSION,
  CURRENT_PROTOCOL_VERSION,
  usesForwardSphinxV2,
} from "./protocol_version.ts";
import { decodeFinalization } from "./registration_handshake.ts";
import { respondToGatewayMaterial, startClientHandshake } from "./registration_handshake.ts";
import { decodeServerResponse, type ServerResponse } from "./server_response.ts";

/** Below this many bytes of bandwidth the client claims more (Nym's 40 MB threshold). */
export const DEFAULT_BANDWIDTH_THRESHOLD = 40_000_000;
/** How long each protocol step may take. */
export const DEFAULT_STEP_TIMEOUT_MS = 5_000;
/**
 * The longest wait for the `authenticate` / `register` response while the gateway keeps pushing
 * stored messages before it: 5 minutes, Nym's `DEFAULT_RESPONSE_TIMEOUT`
 * (`common/client-libs/gateway-client/src/client/config.rs`).
 *
 * @example
 * ```ts
 * import { DEFAULT_AUTHENTICATION_TIMEOUT_MS } from "./mod.ts";
 * console.log(DEFAULT_AUTHENTICATION_TIMEOUT_MS / 60_000); // 5
 * ```
 */
export const DEFAULT_AUTHENTICATION_TIMEOUT_MS = 300_000;

/** The part of the Web `WebSocket` API the client uses. */
export interface WebSocketLike {
  /** Set to `"arraybuffer"` by the client. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Called once the connection is open. */
  onopen: ((event: Event) => unknown) | null;
  /** Called for every text (string) or binary (ArrayBuffer) message. */
  onmessage: ((event: MessageEvent) => unknown) | null;
  /** Called once the connection is closed. */
  onclose: ((event: CloseEvent) => unknown) | null;
  /** Called on a connection failure (a close follows). */
  onerror: ((event: Event) => unknown) | null;
  /** Sends a text or binary message. */
  send(data: string | Uint8Array): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /**
   * Bytes queued by `send` and not yet written to the network (the Web API's attribute). The
   * client's backpressure reads it; a socket without it counts as always drained.
   */
  readonly bufferedAmount?: number;
}

/** A `WebSocket` constructor, e.g. `globalThis.WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** How a connection ended. */
export interface GatewayCloseEvent {
  /** The WebSocket close code (1006 when the connection dropped). */
  readonly code: number;
  /** The close reason sent by the gateway, if any. */
  readonly reason: string;
  /** True when {@linkcode GatewayClient.close} (or a failed `connect`) closed it. */
  readonly byClient: boolean;
}

/** Options of {@linkcode GatewayClient}. */
export interface GatewayClientOptions {
  /** The gateway's WebSocket URL, e.g. `ws://127.0.0.1:9000`. */
  readonly url: string;
  /**
   * URLs tried in order when `url` cannot be opened, e.g. `ws://<ip>:9000` after
   * `ws://<hostname>:9000` (Nym's `SelectedGateway` keeps the same primary/fallback pair,
   * `common/client-core/src/init/types.rs`).
   */
  readonly fallbackUrls?: readonly string[];
  /** The gateway's Ed25519 identity key, known from the topology; it signs the handshake. */
  readonly gatewayIdentity: Uint8Array;
  /** The client's 32-byte Ed25519 identity secret seed. */
  readonly identitySecretKey: Uint8Array;
  /** Where shared keys persist between connections. */
  readonly keyStorage: GatewayKeyStorage;
  /** The WebSocket constructor; `globalThis.WebSocket` by default. */
  readonly WebSocket?: WebSocketConstructor;
  /** Clock for timestamps and step timeouts; the platform clock by default. */
  readonly clock?: Clock;
  /** Primitive provider; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
  /** Random source for ephemeral keys, salts and nonces; the platform CSPRNG by default. */
  readonly random?: RandomBytes;
  /** Timeout of each step (open, each response, each handshake message); 5 s by default. */
  readonly stepTimeoutMs?: number;
  /**
   * The longest wait for the `authenticate` / `register` response. A gateway pushes a client's
   * whole stored backlog before answering (`fresh.rs`), so every pushed message restarts the
   * step timeout, up to this bound; 300 000 (Nym's 5 minutes) by default.
   */
  readonly authenticationTimeoutMs?: number;
  /** Claim free bandwidth below this many bytes; 40 000 000 by default. */
  readonly bandwidthThreshold?: number;
  /** Receives every message the gateway pushes (already decrypted). */
  readonly onMessage?: (message: Uint8Array) => void;
  /** Told when the connection closes, whoever closed it. */
  readonly onClose?: (event: GatewayCloseEvent) => void;
  /**
   * Told about non-fatal problems while connected: `error` / `typedError` messages from the
   * gateway (kind `gateway-error`) and pushed frames that fail to decrypt or parse.
   */
  readonly onError?: (error: GatewayProtocolError) => void;
}

/** The state of a {@linkcode GatewayClient}. */
export type GatewayClientState = "idle" | "connecting" | "ready" | "closing" | "closed";

/** What {@linkcode GatewayClient.connect} established. */
export interface GatewayConnection {
  /** True if this connection registered (new shared key), false if it authenticated. */
  readonly registered: boolean;
  /** The negotiated protocol version (4 to 6). */
  readonly protocolVersion: number;
  /** The gateway's version from `supportedProtocol`. */
  readonly gatewayProtocolVersion: number;
  /** Remaining bandwidth in bytes after any claim. */
  readonly bandwidthRemaining: number;
}

interface TextWaiter {
  resolve(text: string): void;
  reject(error: Error): void;
}

/**
 * A connection to one gateway.
 *
 * @example Register at a local gateway, send a packet, close
 * ```ts
 * import { GatewayClient, MemoryGatewayKeyStorage } from "./mod.ts";
 * import { startGatewayServer } from "../localnet/gateway/mod.ts";
 * import { encodeNodeAddress } from "../sphinx/mod.ts";
 * const gateway = await startGatewayServer({
 *   identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   forward: (packet) => console.log("forwarded", packet.packet.length), // 2413
 * });
 * const client = new GatewayClient({
 *   url: gateway.url,
 *   gatewayIdentity: gateway.identityKey, // from the topology in real use
 *   identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   keyStorage: new MemoryGatewayKeyStorage(),
 *   onMessage: (message) => console.log("pushed", message.length),
 * });
 * const info = await client.connect();
 * console.log(info.registered, info.protocolVersion); // true 6
 * await client.sendMixPacket({
 *   nextHop: encodeNodeAddress("127.0.0.1:1789"), packet: new Uint8Array(2413),
 *   keyRotation: 0, packetType: 0,
 * });
 * await client.claimBandwidth(); // answered after the packet's `send` response
 * await client.close();
 * await gateway.close();
 * ```
 */
export class GatewayClient {
  readonly #options: GatewayClientOptions;
  readonly #crypto: CryptoProvider;
  readonly #random: RandomBytes;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #authTimeoutMs: number;
  readonly #threshold: number;
  readonly #identity: Uint8Array;

  #state: GatewayClientState = "idle";
  #ws: WebSocketLike | undefined;
  #sharedKey: Uint8Array | undefined;
  #protocolVersion = 0;
  #bandwidth = 0;
  #texts: string[] = [];
  #waiter: TextWaiter | undefined;
  #closeError: GatewayProtocolError | undefined;
  #closedByClient = false;
  #closeWaiters: (() => void)[] = [];
  #control: Promise<unknown> = Promise.resolve();
  #claim: Promise<number> | undefined;
  /** Bytes of packets waiting for a bandwidth claim before they reach the socket. */
  #waitingBytes = 0;
  #lastPushAt = 0;
  #url = "";

  /** Creates a client; nothing happens until {@linkcode GatewayClient.connect}. */
  constructor(options: GatewayClientOptions) {
    this.#options = options;
    this.#crypto = options.crypto ?? defaultCrypto();
    this.#random = options.random ?? systemRandom;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.#authTimeoutMs = Math.max(
      this.#timeoutMs,
      options.authenticationTimeoutMs ?? DEFAULT_AUTHENTICATION_TIMEOUT_MS,
    );
    this.#threshold = options.bandwidthThreshold ?? DEFAULT_BANDWIDTH_THRESHOLD;
    this.#identity = this.#crypto.ed25519PublicKey(options.identitySecretKey);
  }

  /** The client's Ed25519 identity (its destination address at the gateway). */
  get identity(): Uint8Array {
    return new Uint8Array(this.#identity);
  }

  /** The URL the last successful open used (`url` or a fallback), `""` before. */
  get url(): string {
    return this.#url;
  }

  /** The connection state. */
  get state(): GatewayClientState {
    return this.#state;
  }

  /** The negotiated protocol version, 0 before the first successful `connect`. */
  get protocolVersion(): number {
    return this.#protocolVersion;
  }

  /** Remaining bandwidth in bytes, as last reported by the gateway. */
  get bandwidthRemaining(): number {
    return this.#bandwidth;
  }

  /**
   * Opens the WebSocket, negotiates the protocol version, then registers (no stored key) or
   * authenticates (stored key), and claims free bandwidth if below the threshold. Rejects with
   * {@linkcode GatewayProtocolError}; the socket is closed on failure.
   */
  async connect(): Promise<GatewayConnection> {
    if (this.#state !== "idle" && this.#state !== "closed") {
      throw new GatewayProtocolError("state", `cannot connect while ${this.#state}`);
    }
    this.#reset();
    this.#state = "connecting";
    try {
      await this.#open();
      const gatewayVersion = await this.#negotiate();
      const proposed = Math.min(gatewayVersion, CURRENT_PROTOCOL_VERSION);
      const storedKey = await this.#options.keyStorage.loadSharedKey(this.#options.gatewayIdentity);
      this.#ensureOpen();
      const registered = storedKey === undefined;
      if (storedKey === undefined) await this.#register(proposed);
      else await this.#authenticate(proposed, storedKey);
      this.#state = "ready";
      if (this.#bandwidth < this.#threshold) await this.claimBandwidth();
      return {
        registered,
        protocolVersion: this.#protocolVersion,
        gatewayProtocolVersion: gatewayVersion,
        bandwidthRemaining: this.#bandwidth,
      };
    } catch (error) {
      await this.#abort();
      throw error instanceof GatewayProtocolError
        ? error
        : new GatewayProtocolError("closed", "connection failed", { cause: error });
    }
  }

  /**
   * Encrypts `packet` into a `ForwardSphinxV2` frame (negotiated version ≥ 5) or a `ForwardSphinx`
   * frame and sends it, first claiming bandwidth when below the threshold.
   */
  sendMixPacket(packet: MixPacket): Promise<void> {
    try {
      this.#ensureReady();
      if (this.#bandwidth < this.#threshold) {
        const bytes = packet.packet.length;
        this.#waitingBytes += bytes;
        return this.claimBandwidth().finally(() => this.#waitingBytes -= bytes).then(() =>
          this.#sendPacket(packet)
        );
      }
      this.#sendPacket(packet);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Bytes of packets accepted and not yet written to the network: the socket's
   * `bufferedAmount` plus packets waiting for a bandwidth claim.
   */
  get bufferedAmount(): number {
    return (this.#ws?.bufferedAmount ?? 0) + this.#waitingBytes;
  }

  /**
   * Sends `claimFreeTestnetBandwidth` and returns the new total. Concurrent calls share one claim.
   */
  claimBandwidth(): Promise<number> {
    if (this.#claim) return this.#claim;
    const claim = this.#request({ type: "claimFreeTestnetBandwidth" }).then((response) => {
      if (response.type !== "bandwidth") throw unexpected(response, "bandwidth");
      this.#bandwidth = response.availableTotal;
      return response.availableTotal;
    }).finally(() => {
      this.#claim = undefined;
    });
    this.#claim = claim;
    return claim;
  }

  /**
   * A liveness probe: asks `supportedProtocol`, which gateways answer at any time, and resolves
   * with the version. Rejects with {@linkcode GatewayProtocolError} when the connection is not
   * ready or no answer comes within the step timeout.
   */
  ping(): Promise<number> {
    return this.#request({ type: "supportedProtocol" }).then((response) => {
      if (response.type !== "supportedProtocol") throw unexpected(response, "supportedProtocol");
      return response.version;
    });
  }

  /** Closes the connection and waits for the close to finish; safe to call at any time. */
  async close(): Promise<void> {
    const ws = this.#ws;
    if (!ws || this.#state === "closed" || this.#state === "idle") return;
    this.#closedByClient = true;
    this.#state = "closing";
    const closed = new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    if (ws.readyState === 0 || ws.readyState === 1) ws.close(1000);
    const timer = this.#clock.setTimeout(
      () => this.#onClose(1006, "close timed out"),
      this.#timeoutMs,
    );
    await closed;
    this.#clock.clearTimeout(timer);
  }

  #reset(): void {
    this.#texts = [];
    this.#waiter = undefined;
    this.#closeError = undefined;
    this.#closedByClient = false;
    this.#sharedKey = undefined;
    this.#control = Promise.resolve();
    this.#claim = undefined;
    this.#lastPushAt = 0;
  }

  async #abort(): Promise<void> {
    if (this.#state === "closed") return;
    await this.close();
  }

  // Opens `url`, then each fallback in turn until one opens (hostname → IP addresses).
  async #open(): Promise<void> {
    const urls = [this.#options.url, ...(this.#options.fallbackUrls ?? [])];
    const failures: string[] = [];
    for (let i = 0; i < urls.length; i++) {
      const last = i === urls.length - 1;
      try {
        await this.#openOne(urls[i], last);
        this.#url = urls[i];
        return;
      } catch (error) {
        failures.push(`${urls[i]}: ${(error as Error).message}`);
        if (last || this.#closedByClient) {
          if (failures.length === 1) throw error;
          throw new GatewayProtocolError(
            error instanceof GatewayProtocolError ? error.kind : "closed",
            `no URL of the gateway could be opened (${failures.join("; ")})`,
            { cause: error },
          );
        }
      }
    }
  }

  // Opens one URL. A URL with fallbacks left fails quietly: its socket is detached and closed
  // without reporting a close, since no connection was ever established.
  #openOne(url: string, last: boolean): Promise<void> {
    const Ctor = this.#options.WebSocket ??
      (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (cause) {
      throw new GatewayProtocolError("closed", `cannot open ${url}`, { cause });
    }
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    let opened = false;
    const discard = (): void => {
      ws.onopen =
        ws.onmessage =
        ws.onclose =
        ws.onerror =
          null;
      this.#ws = undefined;
      try {
        ws.close();
      } catch { /* never opened */ }
    };
    return new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        if (!last && !this.#closedByClient) discard();
        reject(new GatewayProtocolError("timeout", `timed out opening the WebSocket to ${url}`));
      }, this.#timeoutMs);
      ws.onopen = () => {
        opened = true;
        this.#clock.clearTimeout(timer);
        resolve();
      };
      ws.onmessage = (event) => this.#onMessage(event.data);
      ws.onerror = () => {};
      ws.onclose = (event) => {
        this.#clock.clearTimeout(timer);
        if (!last && !this.#closedByClient) {
          discard();
          reject(
            new GatewayProtocolError("closed", `cannot connect to ${url} (code ${event.code})`),
          );
          return;
        }
        this.#onClose(event.code, event.reason);
        reject(
          opened ? this.#closeError : new GatewayProtocolError(
            "closed",
            `cannot connect to the gateway at ${url}: refused or unreachable ` +
              `(the WebSocket closed with code ${event.code} before opening)`,
          ),
        );
      };
    });
  }

  #onClose(code: number, reason: string): void {
    if (this.#state === "closed") return;
    const ws = this.#ws;
    if (ws) {
      ws.onopen =
        ws.onmessage =
        ws.onclose =
        ws.onerror =
          null;
    }
    this.#state = "closed";
    this.#closeError = new GatewayProtocolError(
      "closed",
      `the connection closed (code ${code}${reason ? `: ${reason}` : ""})`,
    );
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#closeError);
    for (const resolve of this.#closeWaiters.splice(0)) resolve();
    this.#options.onClose?.({ code, reason, byClient: this.#closedByClient });
  }

  #onMessage(data: unknown): void {
    if (typeof data === "string") {
      this.#onText(data);
      return;
    }
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else return;
    this.#lastPushAt = this.#clock.now();
    const key = this.#sharedKey;
    if (!key) return; // nothing can be decrypted before a key exists (Nym drops it as well)
    let message: Uint8Array;
    try {
      message = decodePushedMessageFrame(bytes, key, { crypto: this.#crypto });
    } catch (error) {
      this.#options.onError?.(error as GatewayProtocolError);
      return;
    }
    this.#options.onMessage?.(message);
  }

  #onText(text: string): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve(text);
    } else if (this.#state === "ready") {
      this.#onListeningText(text);
    } else {
      this.#texts.push(text);
    }
  }

  // While listening (no request outstanding): `send` updates bandwidth, errors are reported.
  #onListeningText(text: string): void {
    let response: ServerResponse;
    try {
      response = decodeServerResponse(text);
    } catch (error) {
      this.#options.onError?.(error as GatewayProtocolError);
      return;
    }
    this.#noteResponse(response);
  }

  #noteResponse(response: ServerResponse): void {
    if (response.type === "send") {
      this.#bandwidth = response.remainingBandwidth;
    } else if (response.type === "error" || response.type === "typedError") {
      if (response.type === "typedError" && response.error.kind === "outOfBandwidth") {
        this.#bandwidth = response.error.available;
      }
      this.#options.onError?.(gatewayError(response));
    }
  }

  // The next text frame. With `patience`, pushed (binary) messages that keep arriving move the
  // deadline on by one step timeout each, up to `patience` ms after the wait began.
  #nextText(deadline: number, patience = 0): Promise<string> {
    if (this.#closeError) return Promise.reject(this.#closeError);
    const queued = this.#texts.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    const limit = this.#clock.now() + patience;
    return new Promise<string>((resolve, reject) => {
      let timer: unknown;
      const expire = (): void => {
        const now = this.#clock.now();
        const extended = Math.min(limit, this.#lastPushAt + this.#timeoutMs);
        if (extended > now) {
          timer = this.#clock.setTimeout(expire, extended - now);
          return;
        }
        this.#waiter = undefined;
        reject(new GatewayProtocolError("timeout", "timed out waiting for the gateway"));
      };
      timer = this.#clock.setTimeout(expire, Math.max(0, deadline - this.#clock.now()));
      this.#waiter = {
        resolve: (text) => {
          this.#clock.clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          this.#clock.clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  // The next response that is not about a packet (Nym matches responses this way: no ids).
  // `patience`: see #nextText (the authenticate / register response follows the backlog).
  async #readResponse(patience = 0): Promise<ServerResponse> {
    const deadline = this.#clock.now() + this.#timeoutMs;
    for (;;) {
      const response = decodeServerResponse(await this.#nextText(deadline, patience));
      // `send` and out-of-bandwidth answer earlier packets, never a control request
      const answersPacket = response.type === "send" ||
        (response.type === "typedError" && response.error.kind === "outOfBandwidth");
      if (answersPacket) this.#noteResponse(response);
      else return response;
    }
  }

  #send(data: string | Uint8Array): void {
    const ws = this.#ensureOpen();
    try {
      ws.send(data);
    } catch (cause) {
      throw new GatewayProtocolError("closed", "sending failed", { cause });
    }
  }

  // One control request at a time: responses carry no request id.
  #request(request: Parameters<typeof encodeClientRequest>[0]): Promise<ServerResponse> {
    const run = async (): Promise<ServerResponse> => {
      this.#ensureReady();
      this.#send(encodeClientRequest(request));
      const response = await this.#readResponse();
      if (response.type === "error" || response.type === "typedError") {
        if (response.type === "typedError" && response.error.kind === "outOfBandwidth") {
          this.#bandwidth = response.error.available;
        }
        throw gatewayError(response);
      }
      return response;
    };
    const result = this.#control.then(run, run);
    this.#control = result.catch(() => {});
    return result;
  }

  async #negotiate(): Promise<number> {
    this.#send(encodeClientRequest({ type: "supportedProtocol" }));
    const response = await this.#readResponse();
    if (response.type === "error" || response.type === "typedError") throw gatewayError(response);
    if (response.type !== "supportedProtocol") throw unexpected(response, "supportedProtocol");
    if (response.version < AUTHENTICATE_V2_PROTOCOL_VERSION) {
      throw new GatewayProtocolError(
        "protocol-version",
        `the gateway speaks protocol ${response.version}; at least ${AUTHENTICATE_V2_PROTOCOL_VERSION} is required`,
      );
    }
    return response.version;
  }

  #checkNegotiated(version: number, oldest = AUTHENTICATE_V2_PROTOCOL_VERSION): void {
    if (version < oldest || version > CURRENT_PROTOCOL_VERSION) {
      throw new GatewayProtocolError(
        "protocol-version",
        `the gateway insists on protocol ${version}; this client speaks ${oldest} to ${CURRENT_PROTOCOL_VERSION}`,
      );
    }
  }

  async #authenticate(proposed: number, sharedKey: Uint8Array): Promise<void> {
    this.#sharedKey = sharedKey; // stored messages may be pushed before the response
    const request = createAuthenticateV2Request({
      protocolVersion: proposed,
      sharedKey,
      identitySecretKey: this.#options.identitySecretKey,
      nowMs: this.#clock.now(),
      crypto: this.#crypto,
      random: this.#random,
    });
    this.#send(encodeClientRequest({ type: "authenticateV2", request }));
    const response = await this.#readResponse(this.#authTimeoutMs);
    if (response.type === "error" || response.type === "typedError") throw gatewayError(response);
    if (response.type !== "authenticate") throw unexpected(response, "authenticate");
    if (!response.status) {
      throw new GatewayProtocolError("gateway-error", "the gateway refused the authentication");
    }
    this.#checkNegotiated(response.protocolVersion);
    this.#protocolVersion = response.protocolVersion;
    this.#bandwidth = response.bandwidthRemaining;
  }

  // Reads the next handshake text frame, skipping text that is not part of the handshake (as
  // Nym does) but failing fast on a gateway `error` response.
  async #readHandshake(): Promise<{ data: Uint8Array; protocolVersion: number }> {
    const deadline = this.#clock.now() + this.#timeoutMs;
    for (;;) {
      const text = await this.#nextText(deadline);
      let message;
      try {
        message = decodeHandshakeText(text);
      } catch {
        let response: ServerResponse | undefined;
        try {
          response = decodeServerResponse(text);
        } catch { /* neither: skipped */ }
        if (response?.type === "error" || response?.type === "typedError") {
          throw gatewayError(response);
        }
        continue;
      }
      if (message.type === "handshakeError") {
        throw new GatewayProtocolError("handshake", `the gateway aborted: ${message.message}`);
      }
      return message;
    }
  }

  async #register(proposed: number): Promise<void> {
    const state = startClientHandshake({
      identitySecretKey: this.#options.identitySecretKey,
      crypto: this.#crypto,
      random: this.#random,
    });
    this.#send(encodeHandshakeText({
      type: "handshakePayload",
      protocolVersion: proposed,
      data: state.init,
    }));
    const reply = await this.#readHandshake();
    // Gateways up to nym-node 1.22 answer every handshake message with protocol 3 whatever was
    // proposed (`request_protocol_version` in `registration/handshake/state.rs` at
    // nym-binaries-v2025.21); Nym's client accepts any version it knows and continues the
    // handshake with the gateway's (`handshake/client.rs` on develop). 3 derives the same
    // AES-256-GCM-SIV key, so the handshake is unchanged.
    this.#checkNegotiated(reply.protocolVersion, AES_GCM_SIV_PROTOCOL_VERSION);
    let result;
    try {
      result = respondToGatewayMaterial(state, reply.data, this.#options.gatewayIdentity, {
        crypto: this.#crypto,
        random: this.#random,
      });
    } catch (error) {
      // Tell the gateway why, as Nym's client does, then give up.
      this.#send(encodeHandshakeText({
        type: "handshakeError",
        message: (error as Error).message,
      }));
      throw error;
    }
    this.#send(encodeHandshakeText({
      type: "handshakePayload",
      protocolVersion: reply.protocolVersion,
      data: result.material,
    }));
    const finalization = await this.#readHandshake();
    if (!decodeFinalization(finalization.data)) {
      throw new GatewayProtocolError("handshake", "the gateway reported a failed handshake");
    }
    this.#sharedKey = result.sharedKey;
    const response = await this.#readResponse(this.#authTimeoutMs);
    if (response.type === "error" || response.type === "typedError") throw gatewayError(response);
    if (response.type !== "register") throw unexpected(response, "register");
    if (!response.status) {
      throw new GatewayProtocolError("gateway-error", "the gateway refused the registration");
    }
    // The version the gateway serves this client with is the one in `register` (the proposal,
    // capped at its own: `negotiate_client_protocol` in `connection_handler/fresh.rs`); a reply
    // without one (0) keeps the handshake's.
    const negotiated = response.protocolVersion || reply.protocolVersion;
    this.#checkNegotiated(negotiated, AES_GCM_SIV_PROTOCOL_VERSION);
    await this.#options.keyStorage.storeSharedKey(this.#options.gatewayIdentity, result.sharedKey);
    this.#protocolVersion = negotiated;
    this.#bandwidth = 0; // a new registration starts without bandwidth
  }

  #sendPacket(packet: MixPacket): void {
    this.#ensureReady();
    const version = usesForwardSphinxV2(this.#protocolVersion) ? 2 : 1;
    this.#send(encodeForwardFrame(packet, version, this.#sharedKey!, {
      crypto: this.#crypto,
      random: this.#random,
    }));
  }

  #ensureOpen(): WebSocketLike {
    const ws = this.#ws;
    if (this.#closeError || !ws || ws.readyState !== 1) {
      throw this.#closeError ?? new GatewayProtocolError("closed", "the connection is not open");
    }
    return ws;
  }

  #ensureReady(): void {
    if (this.#state !== "ready") {
      throw this.#closeError ??
        new GatewayProtocolError("state", `the client is ${this.#state}, not ready`);
    }
  }
}

/**
 * Nym's `OnlyCoconutCredentials` error text, sent by gateways that enforce zk-nym credentials.
 *
 * @example
 * ```ts
 * import { ONLY_CREDENTIALS_MESSAGE } from "./mod.ts";
 * console.log(ONLY_CREDENTIALS_MESSAGE.includes("credentials")); // true
 * ```
 */
export const ONLY_CREDENTIALS_MESSAGE =
  "This gateway is only accepting coconut credentials for bandwidth";

function gatewayError(
  response: Extract<ServerResponse, { type: "error" | "typedError" }>,
): GatewayProtocolError {
  if (response.type === "error") {
    // A gateway with `enforce_zk_nyms` refuses the free claim with `OnlyCoconutCredentials`
    // (`common/credential-verification/src/{bandwidth_storage_manager,error}.rs`).
    const kind = response.message.includes(ONLY_CREDENTIALS_MESSAGE)
      ? "credentials-required"
      : "gateway-error";
    return new GatewayProtocolError(kind, `gateway error: ${response.message}`);
  }
  const e = response.error;
  return new GatewayProtocolError(
    "gateway-error",
    e.kind === "outOfBandwidth"
      ? `out of bandwidth: required ${e.required} B, available ${e.available} B`
      : "the ticket was already spent at this gateway",
  );
}

function unexpected(response: ServerResponse, expected: string): GatewayProtocolError {
  return new GatewayProtocolError(
    "unexpected-response",
    `expected a "${expected}" response, got "${response.type}"`,
  );
}
