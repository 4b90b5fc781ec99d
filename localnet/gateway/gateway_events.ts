/**
 * What the localnet gateway reports: log lines through an injected logger, and structured
 * events for tests and metrics.
 *
 * @module
 */
import type { GatewayProtocolErrorKind, MixPacket } from "../../gateway/mod.ts";

/** Where the gateway writes log lines. */
export interface GatewayLogger {
  /** Detail useful when debugging. */
  debug(message: string): void;
  /** Normal operation (registrations, authentications). */
  info(message: string): void;
  /** A connection was closed because of the client (malformed input, failed authentication). */
  warn(message: string): void;
  /** Something went wrong on the gateway's side. */
  error(message: string): void;
}

/**
 * The default logger: warnings and errors to `console.error`, nothing else.
 *
 * @example
 * ```ts
 * import { consoleGatewayLogger } from "./mod.ts";
 * consoleGatewayLogger.info("not printed");
 * ```
 */
export const consoleGatewayLogger: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: (message) => console.error(`[gateway] ${message}`),
  error: (message) => console.error(`[gateway] ERROR ${message}`),
};

/** One thing the gateway did. */
export type GatewayServerEvent =
  | {
    /** A client completed the registration handshake. */
    readonly type: "registered";
    readonly client: Uint8Array;
    readonly protocolVersion: number;
  }
  | {
    /** A client authenticated with `authenticateV2`. */
    readonly type: "authenticated";
    readonly client: Uint8Array;
    readonly protocolVersion: number;
  }
  | {
    /** A registration or authentication was refused; the connection was closed. */
    readonly type: "rejected";
    readonly client?: Uint8Array;
    readonly reason: string;
    readonly kind?: GatewayProtocolErrorKind;
  }
  | {
    /** A client claimed free bandwidth. */
    readonly type: "bandwidthClaimed";
    readonly client: Uint8Array;
    readonly availableTotal: number;
  }
  | {
    /** A packet was handed to `forward`; `frameVersion` 2 is `ForwardSphinxV2`. */
    readonly type: "forwarded";
    readonly client: Uint8Array;
    readonly frameVersion: 1 | 2;
    readonly packet: MixPacket;
  }
  | {
    /** A connection ended; `client` is set if it had authenticated. */
    readonly type: "closed";
    readonly client?: Uint8Array;
    readonly reason: string;
  };
