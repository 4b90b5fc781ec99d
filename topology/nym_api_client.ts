/**
 * A small nym-api (directory) client: the endpoints a Nym client needs, JSON only, with paging,
 * failover between several base URLs and a per-request timeout
 * (`common/client-libs/validator-client/src/nym_api/mod.rs`).
 *
 * @module
 */
import { type Clock, systemClock } from "../internal/clock.ts";
import { parseJson } from "./_json.ts";
import { fetchTopology, type FetchTopologyOptions } from "./fetch_topology.ts";
import { decodeKeyRotationInfo, type KeyRotationInfo } from "./key_rotation_info.ts";
import {
  decodeNodesPage,
  type NodesPage,
  type NodesResponseMetadata,
  sameNodesMetadata,
} from "./nodes_page.ts";
import { decodeRewardedSet, type RewardedSet } from "./rewarded_set.ts";
import type { SkimmedNode } from "./skimmed_node.ts";
import type { Topology } from "./topology.ts";
import { TopologyError } from "./topology_error.ts";

/** The subset of `fetch` the client uses; inject a stub in tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** nym-api paths used by clients. */
export const NYM_API_PATHS = {
  keyRotationInfo: "/v1/epoch/key-rotation-info",
  rewardedSet: "/v1/nym-nodes/rewarded-set",
  activeMixnodes: "/v2/unstable/nym-nodes/skimmed/mixnodes/active",
  entryGateways: "/v2/unstable/nym-nodes/skimmed/entry-gateways",
  allNodes: "/v2/unstable/nym-nodes/skimmed",
} as const;

/** Options of {@linkcode NymApiClient}. */
export interface NymApiClientOptions {
  /** One or more nym-api base URLs, e.g. `https://validator.nymtech.net/api/`. */
  urls: string | readonly string[];
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchLike;
  /** Timeout of each request, body included, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** `per_page` to ask for when paging (default: not sent, the server decides). */
  perPage?: number;
  /** Most pages read for one listing before giving up with `shape` (default 10 000). */
  maxPages?: number;
  /** Timers for the timeout (default: the platform's). */
  clock?: Clock;
}

/** Options of a single call. */
export interface RequestOptions {
  /** Aborts the call (and its retries); it then rejects with kind `aborted`. */
  signal?: AbortSignal;
}

/** All nodes of a listing with the metadata every page agreed on. */
export interface NodesWithMetadata {
  /** The first page's metadata. */
  readonly metadata: NodesResponseMetadata;
  /** The nodes of all pages, in order. */
  readonly nodes: readonly SkimmedNode[];
}

/** Errors that make the client try the next base URL. */
const FAILOVER_KINDS = new Set(["network", "timeout", "http"]);

function normalizeBase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TopologyError("config", `not a URL: ${url}`, { cause });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TopologyError("config", `nym-api URL must be http(s): ${url}`);
  }
  parsed.search = "";
  parsed.hash = "";
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return parsed.href;
}

/**
 * A nym-api client. Requests go to the current base URL; on a network error, timeout or HTTP
 * error status the next URL is tried (and kept if it answers). Every failure is a
 * {@linkcode TopologyError}.
 *
 * @example
 * ```ts
 * import { NymApiClient } from "./mod.ts";
 * const fakeFetch = (url: string) =>
 *   Promise.resolve(Response.json(
 *     new URL(url).pathname.endsWith("/rewarded-set")
 *       ? { epoch_id: 7, entry_gateways: [4], exit_gateways: [4], layer1: [1], layer2: [2], layer3: [3], standby: [] }
 *       : {},
 *   ));
 * const client = new NymApiClient({ urls: "http://127.0.0.1:8080/api/", fetch: fakeFetch });
 * console.log((await client.getRewardedSet()).epochId); // 7
 * ```
 */
export class NymApiClient {
  readonly #urls: readonly string[];
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #perPage: number | undefined;
  readonly #maxPages: number;
  readonly #clock: Clock;
  #current = 0;

  /** Builds a client; throws {@linkcode TopologyError} of kind `config` on bad options. */
  constructor(options: NymApiClientOptions) {
    const urls = typeof options.urls === "string" ? [options.urls] : [...options.urls];
    if (urls.length === 0) throw new TopologyError("config", "no nym-api URL given");
    this.#urls = urls.map(normalizeBase);
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    if (!(this.#timeoutMs > 0)) throw new TopologyError("config", "timeoutMs must be positive");
    this.#perPage = options.perPage;
    if (this.#perPage !== undefined && !(Number.isInteger(this.#perPage) && this.#perPage > 0)) {
      throw new TopologyError("config", "perPage must be a positive integer");
    }
    this.#maxPages = options.maxPages ?? 10_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** The base URLs, normalized to end with `/`. */
  get urls(): readonly string[] {
    return this.#urls;
  }

  /** The base URL requests go to first. */
  get currentUrl(): string {
    return this.#urls[this.#current];
  }

  /** Moves to the next base URL (Nym does this after a failed topology refresh). */
  useNextUrl(): void {
    this.#current = (this.#current + 1) % this.#urls.length;
  }

  /** `GET /v1/nym-nodes/rewarded-set`. */
  async getRewardedSet(options: RequestOptions = {}): Promise<RewardedSet> {
    return decodeRewardedSet(await this.getJson(NYM_API_PATHS.rewardedSet, {}, options));
  }

  /** `GET /v1/epoch/key-rotation-info`. */
  async getKeyRotationInfo(options: RequestOptions = {}): Promise<KeyRotationInfo> {
    return decodeKeyRotationInfo(await this.getJson(NYM_API_PATHS.keyRotationInfo, {}, options));
  }

  /** All pages of `GET /v2/unstable/nym-nodes/skimmed/mixnodes/active`. */
  getActiveMixnodes(options: RequestOptions = {}): Promise<NodesWithMetadata> {
    return this.getAllPages(NYM_API_PATHS.activeMixnodes, options);
  }

  /** All pages of `GET /v2/unstable/nym-nodes/skimmed/entry-gateways`. */
  getEntryGateways(options: RequestOptions = {}): Promise<NodesWithMetadata> {
    return this.getAllPages(NYM_API_PATHS.entryGateways, options);
  }

  /** All pages of `GET /v2/unstable/nym-nodes/skimmed` (every bonded node). */
  getAllNodes(options: RequestOptions = {}): Promise<NodesWithMetadata> {
    return this.getAllPages(NYM_API_PATHS.allNodes, options);
  }

  /** Fetches and assembles a routable topology; see {@linkcode fetchTopology}. */
  fetchTopology(options: FetchTopologyOptions = {}): Promise<Topology> {
    return fetchTopology(this, options);
  }

  /** One page of a v2 `skimmed` listing at `path`. */
  async getNodesPage(path: string, page: number, options: RequestOptions = {}): Promise<NodesPage> {
    const params: Record<string, string> = { page: String(page) };
    if (this.#perPage !== undefined) params.per_page = String(this.#perPage);
    return decodeNodesPage(await this.getJson(path, params, options));
  }

  /**
   * Every page of a listing: pages 0, 1, … until `pagination.total` nodes are collected. Each
   * page's metadata must match page 0's (`metadata-mismatch` otherwise), and an empty page
   * before the total is reached is a `shape` error.
   */
  async getAllPages(path: string, options: RequestOptions = {}): Promise<NodesWithMetadata> {
    const first = await this.getNodesPage(path, 0, options);
    const metadata = first.metadata;
    const nodes = [...first.data];
    let total = first.pagination.total;
    for (let page = 1; nodes.length < total; page++) {
      if (page >= this.#maxPages) {
        throw new TopologyError("shape", `${path}: more than ${this.#maxPages} pages`);
      }
      const next = await this.getNodesPage(path, page, options);
      if (!sameNodesMetadata(metadata, next.metadata)) {
        throw new TopologyError(
          "metadata-mismatch",
          `${path}: page ${page} has different metadata than page 0`,
        );
      }
      if (next.data.length === 0) {
        throw new TopologyError(
          "shape",
          `${path}: page ${page} is empty with ${nodes.length} of ${next.pagination.total} nodes read`,
        );
      }
      nodes.push(...next.data);
      total = next.pagination.total;
    }
    return { metadata, nodes };
  }

  /**
   * `GET {base}{path}?{params}` parsed as JSON, with failover over the base URLs. A non-JSON
   * body is a `json` error and does not fail over.
   */
  async getJson(
    path: string,
    params: Record<string, string> = {},
    options: RequestOptions = {},
  ): Promise<unknown> {
    const failures: TopologyError[] = [];
    for (let attempt = 0; attempt < this.#urls.length; attempt++) {
      const index = (this.#current + attempt) % this.#urls.length;
      try {
        const value = await this.#request(this.#urls[index], path, params, options.signal);
        if (attempt > 0) this.#current = index;
        return value;
      } catch (error) {
        if (!(error instanceof TopologyError) || !FAILOVER_KINDS.has(error.kind)) throw error;
        failures.push(error);
      }
    }
    throw allFailed(failures);
  }

  async #request(
    base: string,
    path: string,
    params: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const url = new URL(path.replace(/^\/+/, ""), base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const target = url.href;
    if (signal?.aborted) throw new TopologyError("aborted", `${target}: aborted`);

    const controller = new AbortController();
    let timedOut = false;
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => {
        reject(
          timedOut
            ? new TopologyError("timeout", `${target}: no answer within ${this.#timeoutMs} ms`)
            : new TopologyError("aborted", `${target}: aborted`),
        );
      }, { once: true });
    });
    stopped.catch(() => {});
    const timer = this.#clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const guard = <T>(promise: Promise<T>, what: string): Promise<T> => {
      const wrapped = promise.catch((cause) => {
        if (controller.signal.aborted) return stopped;
        throw new TopologyError("network", `${target}: ${what} failed (${causeText(cause)})`, {
          cause,
        });
      });
      return Promise.race([wrapped, stopped]);
    };
    try {
      const response = await guard(
        Promise.resolve().then(() =>
          this.#fetch(target, {
            signal: controller.signal,
            headers: { accept: "application/json" },
          })
        ),
        "request",
      );
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new TopologyError("http", `${target}: HTTP ${response.status}`, {
          status: response.status,
        });
      }
      const text = await guard(response.text(), "reading the body");
      return parseJson(text, target);
    } finally {
      this.#clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (!controller.signal.aborted) controller.abort();
    }
  }
}

/** The innermost useful words of a fetch failure, e.g. "Connection refused (os error 111)". */
function causeText(cause: unknown): string {
  const texts: string[] = [];
  for (let c = cause, depth = 0; c !== undefined && c !== null && depth < 4; depth++) {
    const text = c instanceof Error ? c.message : String(c);
    if (text && !texts.some((t) => t.includes(text))) texts.push(text);
    c = c instanceof Error ? c.cause : undefined;
  }
  return texts.join(": ") || "unknown cause";
}

/**
 * One error for a request that failed at every base URL: each URL with its own cause, so a
 * directory that is down reads differently from one URL being wrong. The kind and `cause` are
 * those of the last failure; `failures` holds them all.
 */
function allFailed(failures: readonly TopologyError[]): TopologyError {
  const last = failures[failures.length - 1];
  if (failures.length === 1) return last;
  const lines = failures.map((f) => `  - ${f.message}`).join("\n");
  return new TopologyError(
    last.kind,
    `every nym-api URL failed (${failures.length} tried):\n${lines}`,
    { cause: last, status: last.status },
  );
}
