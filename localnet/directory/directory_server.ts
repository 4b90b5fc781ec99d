/**
 * A localnet nym-api: serves exactly the directory endpoints Nym clients use, over HTTP on
 * loopback, always as JSON (also when `output=bincode` is asked for; clients decode by
 * `Content-Type`).
 *
 * @module
 */
import { PublicClients } from "./public_clients.ts";
import {
  type DirectoryData,
  type Listing,
  listNodes,
  resolveKeyRotation,
} from "./directory_state.ts";
import {
  keyRotationInfoJson,
  type ListingContext,
  nodesPageJson,
  nodesPageV1Json,
  type PageRequest,
  rewardedSetJson,
} from "./directory_json.ts";

/** Options of {@linkcode startDirectory}. */
export interface StartDirectoryOptions extends DirectoryData {
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Port to bind (default 0: any free port). */
  port?: number;
  /** Page size used when a request gives no `per_page` (default: everything on page 0). */
  defaultPerPage?: number;
  /** Called with every request URL (for logs and tests). */
  onRequest?: (url: URL) => void;
}

/** A running directory. */
export interface Directory {
  /** Base URL to give clients, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The data currently served. */
  readonly data: DirectoryData;
  /**
   * Replaces parts of the served data; `refreshedAt` becomes now unless given. Throws
   * `RangeError` for a key-rotation clock with `validityEpochs` below 1.
   */
  update(data: Partial<DirectoryData>): void;
  /** Stops the server and waits until it is closed. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const V2 = "/v2/unstable/nym-nodes/skimmed";
const V1 = "/v1/unstable/nym-nodes/skimmed";

const LISTINGS: Record<string, { listing: Listing; v1: boolean }> = {
  [V2]: { listing: "all", v1: false },
  [`${V2}/mixnodes/active`]: { listing: "mixnodes-active", v1: false },
  [`${V2}/mixnodes/all`]: { listing: "mixnodes-all", v1: false },
  [`${V2}/entry-gateways`]: { listing: "entry-gateways", v1: false },
  [`${V2}/exit-gateways`]: { listing: "exit-gateways", v1: false },
  [V1]: { listing: "all", v1: true },
  [`${V1}/mixnodes/active`]: { listing: "mixnodes-active", v1: true },
  [`${V1}/mixnodes/all`]: { listing: "mixnodes-all", v1: true },
  [`${V1}/entry-gateways/all`]: { listing: "entry-gateways", v1: true },
  [`${V1}/exit-gateways/all`]: { listing: "exit-gateways", v1: true },
};

/** `?role=` of the full listing (`NodeRoleQueryParam`, kebab-case, with serde aliases). */
const ROLE_PARAM: Record<string, Listing> = {
  "active-mixnode": "mixnodes-active",
  "entry-gateway": "entry-gateways",
  "entry": "entry-gateways",
  "gateway": "entry-gateways",
  "exit-gateway": "exit-gateways",
  "exit": "exit-gateways",
};

/** The localnet's opt-in client list (`GET`, and `POST {"address"}` from loopback peers). */
export const LOCALNET_CLIENTS_PATH = "/v1/localnet/clients";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

class BadRequest extends Error {}

function readU32Param(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const value = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(value <= 0xffffffff)) throw new BadRequest(`${name} must be a u32, got "${text}"`);
  return value;
}

/**
 * Starts a directory on `Deno.serve`. Endpoints: `/v1/epoch/key-rotation-info`,
 * `/v1/nym-nodes/rewarded-set`, and the skimmed listings `/v2/unstable/nym-nodes/skimmed`
 * (optionally `?role=`), `…/mixnodes/active`, `…/mixnodes/all`, `…/entry-gateways`,
 * `…/exit-gateways`, plus their deprecated `/v1/unstable/…` forms; listings take `page` and
 * `per_page`. Unknown paths get a JSON 404, other methods a JSON 405, bad parameters a JSON 400.
 *
 * @example
 * ```ts
 * import { startDirectory } from "./mod.ts";
 * const directory = startDirectory({
 *   nodes: [],
 *   rewardedSet: { epochId: 100, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] },
 * });
 * const response = await fetch(new URL("v1/epoch/key-rotation-info", directory.url));
 * console.log((await response.json()).progress.current_key_rotation_id); // 4
 * await directory.close();
 * ```
 */
export function startDirectory(options: StartDirectoryOptions): Directory {
  const startedAt = new Date();
  let data: DirectoryData = {
    nodes: [...options.nodes],
    rewardedSet: options.rewardedSet,
    keyRotation: options.keyRotation,
    refreshedAt: options.refreshedAt ?? startedAt,
  };
  if (options.defaultPerPage !== undefined && !(options.defaultPerPage >= 1)) {
    throw new RangeError("defaultPerPage must be at least 1");
  }
  resolveKeyRotation(data.rewardedSet, data.keyRotation); // throws early on a bad clock
  const publicClients = new PublicClients();

  const handle = (request: Request): Response | Promise<Response> => {
    const url = new URL(request.url);
    options.onRequest?.(url);
    if (url.pathname.replace(/\/+$/, "") === LOCALNET_CLIENTS_PATH) {
      return publicClients.handle(request);
    }
    if (request.method !== "GET") {
      return json({ message: `method ${request.method} not allowed` }, 405);
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const clock = resolveKeyRotation(data.rewardedSet, data.keyRotation, startedAt);
    try {
      if (path === "/v1/epoch/key-rotation-info") return json(keyRotationInfoJson(clock));
      if (path === "/v1/nym-nodes/rewarded-set") return json(rewardedSetJson(data.rewardedSet));
      const route = LISTINGS[path];
      if (!route) return json({ message: "not found", path }, 404);
      let listing = route.listing;
      const role = url.searchParams.get("role");
      if (role !== null && listing === "all") {
        listing = ROLE_PARAM[role] ?? (() => {
          throw new BadRequest(`unknown role "${role}"`);
        })();
      }
      const perPage = readU32Param(url.searchParams, "per_page") ?? options.defaultPerPage;
      if (perPage === 0) throw new BadRequest("per_page must be at least 1");
      const page: PageRequest = { page: readU32Param(url.searchParams, "page") ?? 0, perPage };
      const context: ListingContext = {
        rewardedSet: data.rewardedSet,
        clock,
        refreshedAt: data.refreshedAt ?? startedAt,
        status: listing === "all" ? null : "fresh",
      };
      const nodes = listNodes(data.nodes, data.rewardedSet, listing);
      return json(
        route.v1 ? nodesPageV1Json(nodes, page, context) : nodesPageJson(nodes, page, context),
      );
    } catch (error) {
      if (error instanceof BadRequest) return json({ message: error.message }, 400);
      throw error;
    }
  };

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
  }, handle);
  const addr = server.addr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= server.shutdown();
    return closing;
  };
  return {
    url: `http://${host}:${addr.port}/`,
    port: addr.port,
    get data(): DirectoryData {
      return data;
    },
    update(next: Partial<DirectoryData>): void {
      const updated = { ...data, ...next, refreshedAt: next.refreshedAt ?? new Date() };
      resolveKeyRotation(updated.rewardedSet, updated.keyRotation);
      data = updated;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
