/**
 * The error `connect()` throws when no gateway could be used: every candidate was tried and
 * each failed; `failures` says why, gateway by gateway.
 *
 * @module
 */

/** Why one gateway could not be used. */
export interface GatewayFailure {
  /** The gateway's Ed25519 identity, base58. */
  readonly gateway: string;
  /**
   * The failure's kind: a `GatewayProtocolError` kind (`credentials-required`, `timeout`,
   * `closed`, `protocol-version`, `gateway-error`, …), a `TopologyError` kind, or `error`.
   */
  readonly kind: string;
  /** A readable reason. */
  readonly message: string;
  /** The original error. */
  readonly cause: unknown;
}

/**
 * No gateway accepted this client: refusals, credential demands, unreachable hosts, or an
 * explicitly requested gateway that failed.
 *
 * @example
 * ```ts
 * import { GatewayConnectError } from "./gateway_connect_error.ts";
 * const error = new GatewayConnectError([
 *   { gateway: "5Xm…", kind: "credentials-required", message: "gateway error: …", cause: null },
 * ]);
 * console.log(error.failures.length, error.message.startsWith("no gateway")); // 1 true
 * ```
 */
export class GatewayConnectError extends Error {
  /** One entry per gateway tried, in the order they were tried. */
  readonly failures: readonly GatewayFailure[];

  /** Builds the error from the failures, which its message lists. */
  constructor(failures: readonly GatewayFailure[], options?: ErrorOptions) {
    const list = failures.map((f) => `${f.gateway}: ${f.kind}: ${f.message}`).join("; ");
    super(
      failures.length === 0
        ? "no gateway could be used: the topology offers no candidate"
        : `no gateway could be used (${failures.length} tried): ${list}`,
      options,
    );
    this.name = "GatewayConnectError";
    this.failures = failures;
  }
}
