/**
 * `mixFetch`: `fetch` through the mixnet and a network requester. `http:` works everywhere;
 * `https:` runs TLS end to end with the origin over the exit connection (the requester only
 * sees `host:port` and ciphertext, as with Nym's mix-fetch): `node:tls` where the runtime has it,
 * or an injected {@linkcode TlsUpgrade}. HTTP/1.1, one connection per request.
 *
 * @module
 */
import { type ExitClient, openConnection, type OpenConnectionOptions } from "./connection.ts";
import { MixFetchError } from "./exit_error.ts";
import { bodyStream, ByteReader, readHead, writeRequest } from "./_http1.ts";
import { nodeTls, type TlsUpgrade } from "./tls.ts";

/** Options of {@linkcode createMixFetch}. */
export interface MixFetchOptions {
  /** A connected client. */
  readonly client: ExitClient;
  /** The network requester's Nym address. */
  readonly requester: string;
  /** Hide our address from the requester (default true). */
  readonly anonymous?: boolean;
  /** Extra trusted CA certificates (PEM) for `https:`. */
  readonly ca?: string | readonly string[];
  /** TLS implementation for `https:` (default: `node:tls`). */
  readonly tls?: TlsUpgrade;
  /** Redirects followed at most (default 20, as `fetch`). */
  readonly maxRedirects?: number;
  /** Passed to each `openConnection`. */
  readonly connection?: Omit<OpenConnectionOptions, "anonymous" | "signal">;
}

/** The `fetch` signature. */
export type MixFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Creates a `fetch` that goes through the mixnet.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { createMixFetch } from "@nym/mixnet/exit";
 * const client = await connect();
 * const mixFetch = createMixFetch({ client, requester: "<network requester address>" });
 * const response = await mixFetch("https://example.com/");
 * console.log(response.status, await response.text());
 * ```
 */
export function createMixFetch(options: MixFetchOptions): MixFetch {
  const tls = options.tls ?? nodeTls;
  const maxRedirects = options.maxRedirects ?? 20;

  async function once(request: Request, body: Uint8Array | ReadableStream<Uint8Array> | null) {
    const url = new URL(request.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new MixFetchError("unsupportedScheme", `${url.protocol} is not supported`);
    }
    const https = url.protocol === "https:";
    const port = url.port || (https ? "443" : "80");
    const connection = openConnection(
      options.client,
      options.requester,
      `${url.hostname}:${port}`,
      {
        ...options.connection,
        anonymous: options.anonymous,
        signal: request.signal,
      },
    );
    let streams: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } =
      connection;
    try {
      if (https) {
        const servername = url.hostname.replace(/^\[|\]$/g, "");
        streams = await tls(connection, { servername, ca: options.ca });
      }
      const writer = streams.writable.getWriter();
      const reader = new ByteReader(streams.readable);
      // The response may start before the body is sent (e.g. an early error): read the head
      // while writing.
      const writing = writeRequest(writer, url, request.method, request.headers, body);
      writing.catch(() => {});
      const head = await readHead(reader);
      const finish = () => {
        writer.close().catch(() => {});
      };
      const stream = bodyStream(reader, head, request.method, finish);
      const response = new Response(stream, {
        status: head.status,
        statusText: head.statusText,
        headers: head.headers,
      });
      Object.defineProperty(response, "url", { value: url.href });
      return response;
    } catch (error) {
      connection.abort(error);
      if (request.signal.aborted) {
        throw new MixFetchError("aborted", "the request was aborted", { cause: error });
      }
      throw error;
    }
  }

  return async (input, init) => {
    let request = new Request(input, init);
    const streaming = init?.body instanceof ReadableStream;
    let body: Uint8Array | ReadableStream<Uint8Array> | null = request.body === null
      ? null
      : streaming
      ? request.body
      : new Uint8Array(await request.arrayBuffer());
    for (let redirects = 0;; redirects++) {
      const response = await once(request, body);
      const location = response.headers.get("location");
      if (
        request.redirect === "manual" || location === null ||
        ![301, 302, 303, 307, 308].includes(response.status)
      ) return response;
      await response.body?.cancel();
      if (request.redirect === "error") {
        throw new MixFetchError("tooManyRedirects", `redirected to ${location}`);
      }
      if (redirects >= maxRedirects) {
        throw new MixFetchError("tooManyRedirects", `more than ${maxRedirects} redirects`);
      }
      const toGet = response.status === 303 ||
        ((response.status === 301 || response.status === 302) && request.method === "POST");
      if (streaming && !toGet) return response;
      const next = new URL(location, request.url);
      request = new Request(next, {
        method: toGet ? "GET" : request.method,
        headers: request.headers,
        signal: request.signal,
      });
      if (toGet) body = null;
    }
  };
}
