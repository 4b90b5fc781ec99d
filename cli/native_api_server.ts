/**
 * The native `nym-client` WebSocket API on loopback (`clients/native/src/websocket/*`): one
 * application at a time; binary and text (JSON) requests; every response in the form of its
 * request; received messages pushed in the form of the last request (binary before any), and
 * kept while no application is connected.
 *
 * Differences from Nym, on purpose: peers that are not loopback addresses are refused even when
 * the server binds another interface, and so are browser pages from other origins (cross-site
 * WebSocket hijacking) unless listed in `allowedOrigins`. `closedConnection` is accepted and
 * has no effect (Nym drops the lane's queued packets).
 *
 * @module
 */
import type { ReceivedMessage, SendOptions } from "../client/mixnet_client.ts";
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";
import { isAllowedOrigin, isLoopbackAddress } from "./_loopback.ts";
import { NativeApiError } from "./native_api_error.ts";
import type { SeedApi } from "./seed_api.ts";
import {
  decodeBinaryRequest,
  decodeTextRequest,
  type NativeApiRequest,
} from "./native_api_requests.ts";
import {
  encodeBinaryResponse,
  encodeTextResponse,
  errorResponse,
  type NativeApiResponse,
} from "./native_api_responses.ts";

/** What the server needs of a client; a `MixnetClient` is one. */
export interface NativeApiClient {
  /** Our Nym address. */
  readonly address: string;
  /** Messages for us; the server reads them all. */
  readonly messages: ReadableStream<ReceivedMessage>;
  /** Packets queued over all lanes. */
  readonly queueLength: number;
  /** Queues a message. */
  send(recipient: Recipient, data: Uint8Array, options: SendOptions): unknown;
  /** Queues a reply through a sender's SURBs. */
  reply(senderTag: AnonymousSenderTag, data: Uint8Array): unknown;
  /** Packets queued in one lane (the total queue length is used if absent). */
  laneQueueLength?(lane: string): number;
}

/** Something the server did, for logs and the status line. */
export type NativeApiEvent =
  | { readonly type: "appConnected"; readonly remote: string }
  | { readonly type: "appDisconnected"; readonly remote: string }
  | { readonly type: "refused"; readonly remote: string; readonly reason: string }
  | { readonly type: "request"; readonly request: NativeApiRequest["type"] | "invalid" }
  | { readonly type: "dropped"; readonly messages: number };

/** Options of {@linkcode serveNativeApi}. */
export interface NativeApiServerOptions {
  /** The client behind the API. */
  readonly client: NativeApiClient;
  /** Address to bind (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port to bind (default 1977; 0 picks a free one). */
  readonly port?: number;
  /** Browser origins allowed besides pages served from loopback (`*` for any). */
  readonly allowedOrigins?: readonly string[];
  /** Messages kept while no application is connected (default 10 000; oldest dropped). */
  readonly maxBufferedMessages?: number;
  /** Bytes kept while no application is connected (default 64 MiB; oldest dropped). */
  readonly maxBufferedBytes?: number;
  /** Most reply SURBs one `sendAnonymous` may ask for (default 10 000). */
  readonly maxReplySurbs?: number;
  /** Reports what happens. */
  readonly onEvent?: (event: NativeApiEvent) => void;
  /**
   * The seed's API, served on `/mix` (loopback peers only, at most
   * {@linkcode MAX_MIX_SESSIONS} at once). From the first `/mix` connection on (or from the
   * start with `seedPullOnly`), received messages are kept for its `fetch` instead of being
   * pushed on `/`.
   */
  readonly seed?: SeedApi;
  /** Keep every received message for the seed's `fetch` (the `websocket` command). */
  readonly seedPullOnly?: boolean;
}

/** Most `/mix` (seed API) connections served at once. */
export const MAX_MIX_SESSIONS = 16;

/** A running API server. */
export interface NativeApiServer {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** `ws://host:port`. */
  readonly url: string;
  /** Whether an application is connected. */
  readonly appConnected: boolean;
  /** Messages waiting for an application. */
  readonly buffered: number;
  /** Closes the application's socket and the listener. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The lane of a connection id, as passed to `send()`.
 *
 * @example
 * ```ts
 * import { connectionLane } from "./native_api_server.ts";
 * console.log(connectionLane(7n)); // "connection:7"
 * ```
 */
export function connectionLane(connectionId: bigint): string {
  return `connection:${connectionId}`;
}

interface Session {
  readonly socket: WebSocket;
  readonly remote: string;
  format: "binary" | "text";
  open: boolean;
}

/**
 * Starts the native WebSocket API for `client`.
 *
 * @example
 * ```ts
 * import { serveNativeApi } from "./native_api_server.ts";
 * import { Recipient } from "../message/mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const key = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
 * const server = serveNativeApi({
 *   client: {
 *     address: new Recipient(key, new Uint8Array(32), key).toString(),
 *     messages: new ReadableStream(),
 *     queueLength: 0,
 *     send: () => {},
 *     reply: () => {},
 *   },
 *   port: 0,
 * });
 * console.log(server.url.startsWith("ws://127.0.0.1:")); // true
 * await server.close();
 * ```
 */
export function serveNativeApi(options: NativeApiServerOptions): NativeApiServer {
  const { client } = options;
  const emit = (event: NativeApiEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a failing listener must not break the API
    }
  };
  const maxMessages = options.maxBufferedMessages ?? 10_000;
  const maxBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const maxReplySurbs = options.maxReplySurbs ?? 10_000;
  const allowedOrigins = options.allowedOrigins ?? [];
  const buffer: ReceivedMessage[] = [];
  let bufferedBytes = 0;
  let session: Session | undefined;
  let closing: Promise<void> | undefined;

  /** Sends one frame if the socket is open; false if it could not be sent. */
  const write = (s: Session, frame: string | Uint8Array): boolean => {
    if (!s.open || s.socket.readyState !== WebSocket.OPEN) return false;
    try {
      s.socket.send(frame);
      return true;
    } catch {
      return false; // closing under us
    }
  };

  const push = (s: Session, message: ReceivedMessage): boolean => {
    const response: NativeApiResponse = {
      type: "received",
      message: message.data,
      ...(message.senderTag ? { senderTag: AnonymousSenderTag.parse(message.senderTag) } : {}),
    };
    return write(
      s,
      s.format === "text" ? encodeTextResponse(response) : encodeBinaryResponse(response),
    );
  };

  let seedPull = options.seedPullOnly === true;
  const mixSockets = new Set<WebSocket>();
  const deliver = (message: ReceivedMessage) => {
    if (options.seed && seedPull) return options.seed.deliver(message);
    if (session && push(session, message)) return;
    buffer.push(message);
    bufferedBytes += message.data.length;
    let dropped = 0;
    while (buffer.length > maxMessages || (bufferedBytes > maxBytes && buffer.length > 1)) {
      bufferedBytes -= buffer.shift()!.data.length;
      dropped++;
    }
    if (dropped > 0) emit({ type: "dropped", messages: dropped });
  };

  const flush = (s: Session) => {
    while (buffer.length > 0 && session === s && push(s, buffer[0])) {
      bufferedBytes -= buffer.shift()!.data.length;
    }
  };

  const reader = client.messages.getReader();
  const pump = (async () => {
    for (;;) {
      let next: ReadableStreamReadResult<ReceivedMessage>;
      try {
        next = await reader.read();
      } catch {
        return; // released on close
      }
      if (next.done) return;
      deliver(next.value);
    }
  })();

  const laneLength = (id: bigint): NativeApiResponse => ({
    type: "laneQueueLength",
    lane: id,
    queueLength: client.laneQueueLength?.(connectionLane(id)) ?? client.queueLength,
  });

  const handle = (request: NativeApiRequest): NativeApiResponse | undefined => {
    emit({ type: "request", request: request.type });
    switch (request.type) {
      case "send":
      case "sendAnonymous": {
        const surbs = request.type === "sendAnonymous" ? request.replySurbs : 0;
        if (surbs > maxReplySurbs) {
          return errorResponse(
            new NativeApiError("other", `at most ${maxReplySurbs} reply SURBs per message`),
          );
        }
        const lane = request.connectionId === undefined
          ? undefined
          : connectionLane(request.connectionId);
        client.send(request.recipient, request.message, {
          ...(surbs > 0 ? { replySurbs: surbs } : {}),
          ...(lane ? { lane } : {}),
        });
        return request.connectionId === undefined ? undefined : laneLength(request.connectionId);
      }
      case "reply":
        client.reply(request.senderTag, request.message);
        return request.connectionId === undefined ? undefined : laneLength(request.connectionId);
      case "selfAddress":
        return { type: "selfAddress", address: Recipient.parse(client.address) };
      case "closedConnection":
        return undefined;
      case "getLaneQueueLength":
        return laneLength(request.connectionId);
    }
  };

  const onRequest = (s: Session, data: unknown) => {
    const text = typeof data === "string";
    s.format = text ? "text" : "binary";
    let response: NativeApiResponse | undefined;
    try {
      const request = text
        ? decodeTextRequest(data)
        : decodeBinaryRequest(new Uint8Array(data as ArrayBuffer));
      response = handle(request);
    } catch (error) {
      const apiError = error instanceof NativeApiError
        ? error
        : new NativeApiError("other", (error as Error)?.message ?? String(error));
      emit({ type: "request", request: "invalid" });
      response = errorResponse(apiError);
    }
    if (response) write(s, text ? encodeTextResponse(response) : encodeBinaryResponse(response));
  };

  const refuse = (remote: string, status: number, reason: string) => {
    emit({ type: "refused", remote, reason });
    return new Response(`${reason}\n`, { status });
  };

  /** `/mix`: one seed request per frame, one response per request, in order. */
  const serveMix = (seed: SeedApi, request: Request, remote: string): Response => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(remote, 426, "this is the seed API (WebSocket)");
    }
    if (closing || mixSockets.size >= MAX_MIX_SESSIONS) {
      return refuse(remote, 409, `at most ${MAX_MIX_SESSIONS} /mix connections`);
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    mixSockets.add(socket);
    seedPull = true;
    let chain: Promise<void> = Promise.resolve();
    socket.onopen = () => emit({ type: "appConnected", remote: `${remote}/mix` });
    socket.onmessage = (event) => {
      const data = event.data;
      chain = chain.then(async () => {
        const answer = typeof data === "string"
          ? await seed.handleText(data)
          : await seed.handleBinary(new Uint8Array(data as ArrayBuffer), "websocket");
        if (socket.readyState === WebSocket.OPEN) socket.send(answer);
      }).catch(() => {});
    };
    socket.onclose = () => {
      mixSockets.delete(socket);
      emit({ type: "appDisconnected", remote: `${remote}/mix` });
    };
    socket.onerror = () => {};
    return response;
  };

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 1977,
    onListen: () => {},
  }, (request, info) => {
    const addr = info.remoteAddr as Deno.NetAddr;
    const remote = `${addr.hostname}:${addr.port}`;
    if (!isLoopbackAddress(addr.hostname)) {
      return refuse(remote, 403, "only local applications may use this API");
    }
    if (!isAllowedOrigin(request.headers.get("origin"), allowedOrigins)) {
      return refuse(remote, 403, `origin ${request.headers.get("origin")} is not allowed`);
    }
    const seed = options.seed;
    if (seed && new URL(request.url).pathname === "/mix") {
      return serveMix(seed, request, remote);
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(remote, 426, "this is the Nym client WebSocket API");
    }
    if (session || closing) {
      return refuse(remote, 409, "another application is connected");
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    const s: Session = { socket, remote, format: "binary", open: false };
    session = s;
    socket.onopen = () => {
      s.open = true;
      emit({ type: "appConnected", remote });
      flush(s);
    };
    socket.onmessage = (event) => onRequest(s, event.data);
    socket.onclose = () => {
      const wasOpen = s.open;
      s.open = false;
      if (session === s) session = undefined;
      if (wasOpen) emit({ type: "appDisconnected", remote });
    };
    socket.onerror = () => {};
    return response;
  });

  const closeSocket = async (socket: WebSocket): Promise<void> => {
    if (socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => {
      socket.addEventListener("close", () => resolve(), { once: true });
    });
    try {
      socket.close(1001, "the client is shutting down");
    } catch {
      // not open yet
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => timer = setTimeout(resolve, 2000))]);
    clearTimeout(timer);
  };

  const addr = server.addr as Deno.NetAddr;
  const hostname = addr.hostname;
  const api: NativeApiServer = {
    hostname,
    port: addr.port,
    url: `ws://${hostname.includes(":") ? `[${hostname}]` : hostname}:${addr.port}`,
    get appConnected() {
      return session?.open ?? false;
    },
    get buffered() {
      return buffer.length;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...mixSockets].map((socket) => closeSocket(socket)));
        const s = session;
        if (s) {
          const closed = new Promise<void>((resolve) => {
            s.socket.addEventListener("close", () => resolve(), { once: true });
          });
          if (s.socket.readyState !== WebSocket.CLOSED) {
            try {
              s.socket.close(1001, "the client is shutting down");
            } catch {
              // not open yet
            }
            // A peer that never answers our Close must not hold the shutdown.
            let timer: ReturnType<typeof setTimeout> | undefined;
            await Promise.race([
              closed,
              new Promise<void>((resolve) => timer = setTimeout(resolve, 2000)),
            ]);
            clearTimeout(timer);
          }
        }
        await server.shutdown();
        reader.releaseLock();
        await pump;
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return api.close();
    },
  };
  return api;
}
