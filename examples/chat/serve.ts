/**
 * Serves the chat page on loopback next to a localnet: `index.html`, `app.js` (app.ts bundled
 * for the browser by `deno bundle`) and `/api/*`, a same-origin proxy to the localnet's nym-api
 * (which sends no CORS headers). Used by `scripts/demo_web.ts` and the browser test.
 *
 * @example
 * ```ts ignore
 * import { serveChat } from "./serve.ts";
 * await using chat = await serveChat({ port: 8000 });
 * console.log(chat.pageUrl(0), chat.pageUrl(1));
 * ```
 *
 * @module
 */
import { type Localnet, type LocalnetOptions, startLocalnet } from "../../localnet/mod.ts";

/** Options of {@linkcode serveChat}. */
export interface ServeChatOptions {
  /** Interface to bind (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port to bind (default 0: any free port). */
  readonly port?: number;
  /** Options of the localnet started with the page (default: two gateways, silent). */
  readonly localnet?: LocalnetOptions;
  /** Minify the bundle (default true). */
  readonly minify?: boolean;
}

/** A running chat demo. */
export interface ChatServer {
  /** The page's base URL, e.g. `http://127.0.0.1:8000/`. */
  readonly url: string;
  /** The localnet the pages talk through. */
  readonly localnet: Localnet;
  /** Size of the served `app.js` in bytes. */
  readonly bundleSize: number;
  /** The page URL for a client registered at gateway `index` (with extra query parameters). */
  pageUrl(index: number, query?: Record<string, string>): string;
  /** Stops the HTTP server and the localnet. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Bundles `app.ts` for the browser with the running Deno's `deno bundle`; returns the script. */
export async function bundleChatApp(minify = true): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      ...(minify ? ["--minify"] : []),
      new URL("./app.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

/** Starts a localnet and serves the chat page for it. */
export async function serveChat(options: ServeChatOptions = {}): Promise<ChatServer> {
  const [app, html] = await Promise.all([
    bundleChatApp(options.minify ?? true),
    Deno.readFile(new URL("./index.html", import.meta.url)),
  ]);
  const localnet = await startLocalnet(options.localnet ?? { gateways: 2, logger: "silent" });
  const api = new URL(localnet.nymApiUrl);

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname === "/" || url.pathname === "/index.html") {
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (url.pathname === "/app.js") {
      return new Response(app, { headers: { "content-type": "text/javascript; charset=utf-8" } });
    }
    if (url.pathname.startsWith("/api/") && request.method === "GET") {
      const target = new URL(url.pathname.slice("/api/".length) + url.search, api);
      const upstream = await fetch(target, {
        headers: { accept: request.headers.get("accept") ?? "*/*" },
      });
      const headers = new Headers();
      const type = upstream.headers.get("content-type");
      if (type) headers.set("content-type", type);
      return new Response(upstream.body, { status: upstream.status, headers });
    }
    return new Response("not found", { status: 404 });
  };

  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      onListen: () => {},
    }, handler);
  } catch (error) {
    await localnet.close();
    throw error;
  }
  const { hostname, port } = server.addr;
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= (async () => {
      await server.shutdown();
      await localnet.close();
    })();
  return {
    url,
    localnet,
    bundleSize: new TextEncoder().encode(app).length,
    pageUrl(index, query = {}) {
      const page = new URL(url);
      page.searchParams.set("gateway", localnet.gateways[index].identity);
      for (const [k, v] of Object.entries(query)) page.searchParams.set(k, v);
      return page.href;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
