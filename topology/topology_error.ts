/**
 * The one error type of the topology module: directory (nym-api) responses, paging, routing
 * and gateway choice.
 *
 * @module
 */

/**
 * What went wrong:
 * - `json`: a response body is not valid JSON
 * - `shape`: valid JSON of the wrong shape: a missing field, a wrong type, an out-of-range
 *   number, bad base58, a key of the wrong length or not on the curve, a bad IP address, a bad
 *   performance decimal, a bad timestamp, or a paging total that cannot be reached
 * - `metadata-mismatch`: the pages of one listing, or the mixnode and gateway listings, disagree
 *   on `status`, `absolute_epoch_id` or `rotation_id`
 * - `not-routable`: the fetched topology lacks a node in some mix layer or has no gateways
 * - `http`: the nym-api answered with a non-2xx status (see {@linkcode TopologyError.status})
 * - `network`: the request failed before a response arrived
 * - `timeout`: the per-request timeout expired
 * - `aborted`: the caller's `AbortSignal` fired
 * - `config`: bad options (no base URL, an unparsable URL, a negative timeout, ...)
 * - `empty-topology`: route choice over a topology with no rewarded set or no nodes
 * - `no-mixnodes`: a mix layer has no node with known details
 * - `unknown-node`: the egress identity is not in the topology
 * - `invalid-egress`: the egress is a mixnode this epoch and egress roles are enforced
 * - `address`: a node's `mixHost` is not an `ip:port` socket address
 * - `no-entry`: a node has no client (WebSocket) entry details
 * - `no-tls`: TLS was required but the node has no hostname and `wss` port
 * - `no-gateway`: no gateway candidate is left to choose from (or none could be measured)
 */
export type TopologyErrorKind =
  | "json"
  | "shape"
  | "metadata-mismatch"
  | "not-routable"
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "config"
  | "empty-topology"
  | "no-mixnodes"
  | "unknown-node"
  | "invalid-egress"
  | "address"
  | "no-entry"
  | "no-tls"
  | "no-gateway";

/**
 * Thrown by every function of the topology module. Nothing else is thrown for data that comes
 * from the network.
 *
 * @example
 * ```ts
 * import { decodeRewardedSet, TopologyError } from "./mod.ts";
 * try {
 *   decodeRewardedSet({ epoch_id: 1 });
 * } catch (error) {
 *   if (error instanceof TopologyError) console.log(error.kind); // "shape"
 * }
 * ```
 */
export class TopologyError extends Error {
  /** The category of the failure. */
  readonly kind: TopologyErrorKind;
  /** The HTTP status for kind `http`, otherwise `undefined`. */
  readonly status: number | undefined;

  /** Builds an error of `kind` with a human-readable reason. */
  constructor(
    kind: TopologyErrorKind,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TopologyError";
    this.kind = kind;
    this.status = options?.status;
  }
}
