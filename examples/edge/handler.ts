/**
 * An edge function that sends every request through the Nym mixnet, using nothing but Web
 * `Request`/`Response`, `fetch` and `WebSocket`: the shape Deno Deploy, Cloudflare Workers,
 * Vercel/Netlify edge functions and Bun.serve take (`export default { fetch }`).
 *
 * The mixnet client is connected on the first request and reused by every later one (and by
 * concurrent ones); a failed connection is retried on the next request.
 *
 * - `GET /` → `200 {"address": "<the handler's Nym address>"}`
 * - `POST /?to=<nym address>` with the message as the body → `200 {"delivered": true,
 *   "fragments": n}` once the recipient's gateway acknowledged every packet; `400` for a missing
 *   or invalid recipient or an empty body, `413` above `maxBodyBytes`, `502` when delivery
 *   failed, `503` when the mixnet cannot be reached.
 *
 * @example Serve it locally against a localnet
 * ```ts ignore
 * import { createHandler } from "./handler.ts";
 * const handler = createHandler({ nymApiUrl: "http://127.0.0.1:8080/" });
 * Deno.serve(handler.fetch);
 * ```
 *
 * @module
 */
import {
  connect,
  type ConnectOptions,
  DeliveryError,
  type MixnetClient,
  Recipient,
} from "../../mod.ts";

/** Options of {@linkcode createHandler}: those of `connect()`, plus limits. */
export interface HandlerOptions extends ConnectOptions {
  /** The largest body sent, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Connects the client (default: `connect` from `@nym/mixnet`). */
  readonly connect?: (options: ConnectOptions) => Promise<MixnetClient>;
}

/** A fetch handler bound to one (lazily connected) mixnet client. */
export interface MixnetHandler {
  /** Answers one request; see the module documentation for the routes. */
  fetch(request: Request): Promise<Response>;
  /** Disconnects the client, if it was connected. */
  close(): Promise<void>;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

async function readBody(request: Request, limit: number): Promise<Uint8Array | "too large"> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return "too large";
  const body = new Uint8Array(await request.arrayBuffer());
  return body.length > limit ? "too large" : body;
}

/**
 * Builds a handler whose client connects with `options` on first use.
 *
 * @example
 * ```ts
 * import { createHandler } from "./handler.ts";
 * const handler = createHandler({ nymApiUrl: "http://127.0.0.1:9/" });
 * const response = await handler.fetch(new Request("http://edge/", { method: "DELETE" }));
 * console.log(response.status); // 405
 * ```
 */
export function createHandler(options: HandlerOptions = {}): MixnetHandler {
  const { maxBodyBytes = 1 << 20, connect: connectClient = connect, ...connectOptions } = options;
  let client: Promise<MixnetClient> | undefined;
  const connected = (): Promise<MixnetClient> =>
    client ??= connectClient(connectOptions).catch((error) => {
      client = undefined; // the next request tries again
      throw error;
    });
  const mixnet = async (): Promise<MixnetClient | Response> => {
    try {
      return await connected();
    } catch (error) {
      return json({ error: `mixnet unreachable: ${(error as Error).message}` }, 503);
    }
  };

  return {
    async fetch(request: Request): Promise<Response> {
      if (request.method === "GET") {
        const c = await mixnet();
        return c instanceof Response ? c : json({ address: c.address });
      }
      if (request.method !== "POST") {
        return json({ error: "use GET or POST" }, 405, { allow: "GET, POST" });
      }
      const to = new URL(request.url).searchParams.get("to");
      if (!to) return json({ error: "missing ?to=<nym address>" }, 400);
      try {
        Recipient.parse(to);
      } catch (error) {
        return json({ error: `invalid recipient: ${(error as Error).message}` }, 400);
      }
      const body = await readBody(request, maxBodyBytes);
      if (body === "too large") return json({ error: `body over ${maxBodyBytes} bytes` }, 413);
      if (body.length === 0) return json({ error: "empty body" }, 400);
      const c = await mixnet();
      if (c instanceof Response) return c;
      const handle = c.send(to, body);
      try {
        await handle;
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        return json({ error: error.message, kind: error.kind }, 502);
      }
      return json({ delivered: true, fragments: handle.fragments });
    },
    async close(): Promise<void> {
      const pending = client;
      client = undefined;
      const c = await pending?.catch(() => undefined);
      await c?.disconnect();
    },
  };
}

/** The handler on Nym mainnet with default settings: `export default { fetch }`. */
const handler: MixnetHandler = createHandler();
export default handler;
