/**
 * What the gateway link says and does between reconnect attempts: a close code in words, and a
 * fresh look at the gateway's address after a failed attempt (a gateway restarted on a new port
 * is found through the directory, as a fresh `connect()` would find it).
 *
 * @module
 */
import { findNodeByIdentity, type Topology, wsEntryUrls } from "../topology/mod.ts";

/**
 * A WebSocket close, in words (RFC 6455 §7.4.1 codes; 0 and 1006 carry no close frame, which is
 * what a refused or dropped connection looks like).
 *
 * @example
 * ```ts
 * import { describeClose } from "./_reconnect.ts";
 * console.log(describeClose({ code: 1001, reason: "" })); // "the gateway is going away (restart or shutdown, code 1001)"
 * ```
 */
export function describeClose(event: { readonly code: number; readonly reason: string }): string {
  const words: Record<number, string> = {
    0: "the connection was refused or lost: no answer from the gateway",
    1000: "the gateway closed the connection",
    1001: "the gateway is going away (restart or shutdown",
    1002: "the gateway saw a protocol error",
    1005: "the gateway closed the connection without a status",
    1006: "the connection was refused or lost: no answer from the gateway",
    1008: "the gateway refused this client (policy",
    1009: "the gateway found a message too big",
    1011: "the gateway hit an internal error",
    1012: "the gateway is restarting",
    1013: "the gateway is overloaded, try again later",
  };
  const text = words[event.code] ?? "the connection closed";
  const code = text.endsWith("(restart or shutdown") || text.endsWith("(policy")
    ? `, code ${event.code})`
    : ` (code ${event.code})`;
  return `${text}${code}${event.reason ? `: ${event.reason}` : ""}`;
}

/**
 * The gateway's WebSocket URL, looked up again in a freshly fetched topology.
 */
export interface GatewayAddress {
  /** The URL to connect to now. */
  readonly url: string;
  /**
   * Fetches the topology again and takes the gateway's current URL from it. Resolves to the new
   * URL when it changed, otherwise `undefined` (also when the fetch failed or the gateway is no
   * longer listed: the old URL is kept).
   */
  refresh(): Promise<string | undefined>;
}

/**
 * A {@linkcode GatewayAddress} for the gateway with `identity`, starting at `url`; `fetch`
 * returns a fresh topology (or the one in use when the directory cannot be reached).
 *
 * @example
 * ```ts
 * import { gatewayAddress } from "./_reconnect.ts";
 * const address = gatewayAddress("ws://127.0.0.1:9000", new Uint8Array(32), () =>
 *   Promise.resolve(undefined));
 * console.log(address.url, await address.refresh()); // "ws://127.0.0.1:9000" undefined
 * ```
 */
export function gatewayAddress(
  url: string,
  identity: Uint8Array,
  fetch: () => Promise<Topology | undefined>,
  options: { readonly forceTls?: boolean } = {},
): GatewayAddress {
  let current = url;
  return {
    get url(): string {
      return current;
    },
    async refresh(): Promise<string | undefined> {
      const topology = await fetch().catch(() => undefined);
      const node = topology && findNodeByIdentity(topology, identity);
      if (!node?.entry) return undefined;
      const fresh = wsEntryUrls(node, options).primary;
      if (fresh === current) return undefined;
      current = fresh;
      return fresh;
    },
  };
}
