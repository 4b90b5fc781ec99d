/**
 * The localnet directory's opt-in client list, for the seed API's `getClients`: `init --public`
 * posts its address, and `GET` lists them. Nym's nym-api has no such list (clients are not
 * published on mainnet); the 2019 seed listed the clients registered at each provider.
 *
 * @module
 */
import { Recipient } from "../../message/mod.ts";

/** Most addresses kept (the oldest is forgotten first). */
export const MAX_PUBLIC_CLIENTS = 1000;

/** Largest `POST` body read, in bytes. */
const MAX_BODY = 4096;

/** The body as text, or `undefined` (and the rest cancelled) once it passes MAX_BODY bytes. */
async function readCapped(request: Request): Promise<string | undefined> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * A bounded, de-duplicated list of Nym addresses served as `{"clients":[…]}`.
 *
 * @example
 * ```ts
 * import { PublicClients } from "./public_clients.ts";
 * const list = new PublicClients();
 * const response = await list.handle(new Request("http://x/v1/localnet/clients"));
 * console.log(await response.json()); // { clients: [] }
 * ```
 */
export class PublicClients {
  readonly #addresses: string[] = [];
  readonly #max: number;

  /** A list keeping at most `max` addresses. */
  constructor(max: number = MAX_PUBLIC_CLIENTS) {
    this.#max = max;
  }

  /** The listed addresses, oldest first. */
  get addresses(): readonly string[] {
    return [...this.#addresses];
  }

  /** Adds `address` (a Nym address); throws on anything else. */
  add(address: string): void {
    Recipient.parse(address);
    const index = this.#addresses.indexOf(address);
    if (index >= 0) this.#addresses.splice(index, 1);
    this.#addresses.push(address);
    if (this.#addresses.length > this.#max) this.#addresses.shift();
  }

  /** Serves `GET` (the list) and `POST {"address": "…"}` (opt in). */
  async handle(request: Request): Promise<Response> {
    if (request.method === "GET") return json({ clients: this.#addresses });
    if (request.method !== "POST") {
      return json({ message: `method ${request.method} not allowed` }, 405);
    }
    const length = Number(request.headers.get("content-length") ?? "0");
    if (!(length <= MAX_BODY)) {
      await request.body?.cancel();
      return json({ message: `body over ${MAX_BODY} bytes` }, 413);
    }
    const text = await readCapped(request);
    if (text === undefined) return json({ message: `body over ${MAX_BODY} bytes` }, 413);
    let address: unknown;
    try {
      address = (JSON.parse(text) as { address?: unknown })?.address;
      if (typeof address !== "string") throw new Error("no address");
      this.add(address);
    } catch (error) {
      return json(
        { message: `expected {"address": "<nym address>"}: ${(error as Error).message}` },
        400,
      );
    }
    return json({ clients: this.#addresses.length });
  }
}
