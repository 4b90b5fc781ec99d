/**
 * Structured log lines of the local network's nodes.
 *
 * @module
 */

/** Severity of a {@linkcode LogEntry}. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** One log line. */
export interface LogEntry {
  /** Severity. */
  readonly level: LogLevel;
  /** A stable dotted name, e.g. `"packet.dropped.replay"` (Nym's event names where they exist). */
  readonly event: string;
  /** Human-readable text. */
  readonly message: string;
  /** The peer's `ip:port`, when the line is about a connection. */
  readonly peer?: string;
}

/** Receives every log line of a node. */
export type Logger = (entry: LogEntry) => void;

/**
 * A {@linkcode Logger} that prints `warn` and `error` lines (or every line at or above
 * `minimum`) to `console.error`, prefixed with `prefix`.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "./mod.ts";
 * const log = consoleLogger("[mix1]", "info");
 * log({ level: "info", event: "node.started", message: "listening on 127.0.0.1:1789" });
 * ```
 */
export function consoleLogger(prefix: string, minimum: LogLevel = "warn"): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return (entry) => {
    if (order[entry.level] < order[minimum]) return;
    const peer = entry.peer ? ` peer=${entry.peer}` : "";
    console.error(`${prefix} ${entry.level} ${entry.event}${peer}: ${entry.message}`);
  };
}

/**
 * A {@linkcode Logger} that discards everything.
 *
 * @example
 * ```ts
 * import { silentLogger } from "./mod.ts";
 * silentLogger({ level: "error", event: "x", message: "never shown" });
 * ```
 */
export const silentLogger: Logger = (): void => {};
