/**
 * The seed's request handler (`nymtech/nym-mixnet` `client/rpc/requesthandler/requesthandler.go`),
 * independent of the transport: `send` queues a message and answers once queued; `fetch`
 * returns and clears what arrived since the last fetch (pull mode); `clients` lists the
 * directory's opt-in clients; `details` describes us; `flush` is a TCP-only request; anything
 * else is `exception{"Invalid server request"}`.
 *
 * Received messages wait in a bounded buffer (10 000 messages, 64 MiB by default); when it
 * overflows the oldest are dropped, the drop is reported as an event, and the next 0.x `fetch`
 * answer carries `"dropped": n`.
 *
 * Differences from the seed, on purpose: a `send` without a recipient is an exception (the Go
 * handler answered `send{}` and dropped it), and `ClientConfig.Id` carries a full Nym address.
 *
 * @module
 */
import type { ReceivedMessage, SendOptions } from "../client/mixnet_client.ts";
import { toBase58 } from "../internal/encoding.ts";
import { Recipient } from "../message/mod.ts";
import { decodeSeedText, encodeSeedJsonpb, encodeSeedLegacy, SeedJsonError } from "./seed_json.ts";
import {
  decodeSeedRequest,
  encodeSeedResponse,
  type SeedClientConfig,
  SeedProtobufError,
  type SeedRequest,
  type SeedResponse,
} from "./seed_protobuf.ts";

/** What the seed API needs of a client; a `MixnetClient` is one. */
export interface SeedApiClient {
  /** Our Nym address. */
  readonly address: string;
  /** Queues a message. */
  send(recipient: Recipient, data: Uint8Array, options?: SendOptions): unknown;
}

/** Something the seed API did, for logs. */
export type SeedApiEvent =
  | { readonly type: "request"; readonly request: SeedRequest["type"] | "invalid" }
  | { readonly type: "received"; readonly buffered: number }
  | { readonly type: "dropped"; readonly messages: number }
  | { readonly type: "clientsUnavailable"; readonly error: string };

/** Options of {@linkcode SeedApi}. */
export interface SeedApiOptions {
  /** The client behind the API. */
  readonly client: SeedApiClient;
  /** The addresses the directory lists (default: none, as on Nym mainnet). */
  readonly listClients?: () => Promise<readonly string[]>;
  /** Messages kept between fetches (default 10 000; oldest dropped). */
  readonly maxMessages?: number;
  /** Bytes kept between fetches (default 64 MiB; oldest dropped). */
  readonly maxBytes?: number;
  /** Reports what happens. */
  readonly onEvent?: (event: SeedApiEvent) => void;
  /** Where our gateway listens, for `details` (`Provider.Host`/`Port`). */
  readonly gatewayListener?: string;
}

/** The transport a request came over (`flush` is only served on TCP). */
export type SeedTransport = "tcp" | "websocket";

/** The seed's "anything else" answer. */
export const INVALID_SERVER_REQUEST = "Invalid server request";

/**
 * A `ClientConfig` for a Nym address: `Id` the address, `PubKey` its identity key, `Provider`
 * its gateway (`Id` base58, `PubKey` the key bytes, `Host`/`Port` from `gatewayListener`).
 *
 * @example
 * ```ts
 * import { seedClientConfig } from "./seed_api.ts";
 * import { Recipient } from "../message/mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const key = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
 * const address = new Recipient(key, new Uint8Array(32), key);
 * console.log(seedClientConfig(address.toString()).provider?.pubKey?.length); // 32
 * ```
 */
export function seedClientConfig(address: string, gatewayListener?: string): SeedClientConfig {
  const recipient = Recipient.parse(address);
  let where: { host?: string; port?: string } = {};
  if (gatewayListener) {
    try {
      const url = new URL(gatewayListener);
      const port = url.port || (url.protocol === "wss:" ? "443" : "80");
      where = { host: url.hostname.replace(/^\[|\]$/g, ""), port };
    } catch {
      // not a URL: left out
    }
  }
  return {
    id: address,
    pubKey: recipient.identity,
    provider: { id: toBase58(recipient.gateway), ...where, pubKey: recipient.gateway },
  };
}

/**
 * The seed API's state (the fetch buffer) and request handling.
 *
 * @example
 * ```ts
 * import { SeedApi } from "./seed_api.ts";
 * import { Recipient } from "../message/mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const key = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
 * const address = new Recipient(key, new Uint8Array(32), key).toString();
 * const api = new SeedApi({ client: { address, send: () => {} } });
 * api.deliver({ data: new TextEncoder().encode("hi"), kind: "plain" });
 * console.log(await api.handleText('{"type":"fetch"}')); // '{"type":"fetch","messages":["hi"]}'
 * ```
 */
export class SeedApi {
  readonly #client: SeedApiClient;
  readonly #listClients: () => Promise<readonly string[]>;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #emit: (event: SeedApiEvent) => void;
  readonly #gatewayListener: string | undefined;
  #buffer: Uint8Array[] = [];
  #bytes = 0;
  #dropped = 0;

  /** A handler for `options.client`. */
  constructor(options: SeedApiOptions) {
    this.#client = options.client;
    this.#listClients = options.listClients ?? (() => Promise.resolve([]));
    this.#maxMessages = options.maxMessages ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#gatewayListener = options.gatewayListener;
    this.#emit = (event) => {
      try {
        options.onEvent?.(event);
      } catch {
        // a failing listener must not break the API
      }
    };
  }

  /** Messages waiting for `fetch`. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Messages dropped since the last `fetch`. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Keeps a received message for the next `fetch`. */
  deliver(message: ReceivedMessage): void {
    this.#buffer.push(message.data);
    this.#bytes += message.data.length;
    let dropped = 0;
    while (
      this.#buffer.length > this.#maxMessages ||
      (this.#bytes > this.#maxBytes && this.#buffer.length > 1)
    ) {
      this.#bytes -= this.#buffer.shift()!.length;
      dropped++;
    }
    if (dropped > 0) {
      this.#dropped += dropped;
      this.#emit({ type: "dropped", messages: dropped });
    }
    this.#emit({ type: "received", buffered: this.#buffer.length });
  }

  /** Reads `messages` into the buffer until the stream ends or the returned stop is called. */
  pump(messages: ReadableStream<ReceivedMessage>): () => Promise<void> {
    const reader = messages.getReader();
    const done = (async () => {
      for (;;) {
        let next: ReadableStreamReadResult<ReceivedMessage>;
        try {
          next = await reader.read();
        } catch {
          return;
        }
        if (next.done) return;
        this.deliver(next.value);
      }
    })();
    return async () => {
      reader.releaseLock();
      await done;
    };
  }

  /** Answers one request. */
  async handle(request: SeedRequest, transport: SeedTransport): Promise<SeedResponse> {
    this.#emit({ type: "request", request: request.type });
    switch (request.type) {
      case "send": {
        if (!request.recipient?.id) {
          return { type: "exception", error: "send needs a recipient (ClientConfig.Id)" };
        }
        let recipient: Recipient;
        try {
          recipient = Recipient.parse(request.recipient.id);
        } catch (error) {
          return { type: "exception", error: `invalid recipient: ${(error as Error).message}` };
        }
        try {
          this.#client.send(recipient, request.message ?? new Uint8Array(0));
        } catch (error) {
          return { type: "exception", error: (error as Error).message };
        }
        return { type: "send" };
      }
      case "fetch": {
        const messages = this.#buffer;
        this.#buffer = [];
        this.#bytes = 0;
        this.#dropped = 0;
        return { type: "fetch", messages };
      }
      case "clients": {
        let addresses: readonly string[];
        try {
          addresses = await this.#listClients();
        } catch (error) {
          // as the seed: a failed refresh is an empty list
          this.#emit({ type: "clientsUnavailable", error: (error as Error).message });
          addresses = [];
        }
        const clients: SeedClientConfig[] = [];
        for (const address of addresses) {
          try {
            clients.push(seedClientConfig(address));
          } catch {
            // the directory listed something that is not an address: leave it out
          }
        }
        return { type: "clients", clients };
      }
      case "details":
        return {
          type: "details",
          details: seedClientConfig(this.#client.address, this.#gatewayListener),
        };
      case "flush":
        if (transport === "tcp") return { type: "flush" };
        return { type: "exception", error: INVALID_SERVER_REQUEST };
      case "none":
        return { type: "exception", error: INVALID_SERVER_REQUEST };
    }
  }

  /** Answers a protobuf `Request`; malformed bytes get an `exception`. */
  async handleBinary(bytes: Uint8Array, transport: SeedTransport): Promise<Uint8Array> {
    let request: SeedRequest;
    try {
      request = decodeSeedRequest(bytes);
    } catch (error) {
      if (!(error instanceof SeedProtobufError)) throw error;
      this.#emit({ type: "request", request: "invalid" });
      return encodeSeedResponse({
        type: "exception",
        error: `malformed request: ${error.message}`,
      });
    }
    return encodeSeedResponse(await this.handle(request, transport));
  }

  /** Answers a text request (0.x JSON or jsonpb) in its own form. */
  async handleText(text: string): Promise<string> {
    let decoded;
    try {
      decoded = decodeSeedText(text);
    } catch (error) {
      if (!(error instanceof SeedJsonError)) throw error;
      this.#emit({ type: "request", request: "invalid" });
      const response: SeedResponse = {
        type: "exception",
        error: error.form === "legacy"
          ? `received invalid request. err: ${error.message}`
          : `malformed request: ${error.message}`,
      };
      return error.form === "legacy" ? encodeSeedLegacy(response) : encodeSeedJsonpb(response);
    }
    const dropped = this.#dropped;
    const response = await this.handle(decoded.request, "websocket");
    return decoded.form === "legacy"
      ? encodeSeedLegacy(response, response.type === "fetch" ? dropped : 0)
      : encodeSeedJsonpb(response);
  }
}
