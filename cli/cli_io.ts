/**
 * What a command uses of the outside world, so tests can run commands in-process: output
 * streams, environment variables and a shutdown signal (SIGINT/SIGTERM in the real CLI).
 *
 * @module
 */
import type { Clock } from "../internal/clock.ts";

/** The outside world of a command. */
export interface CliIo {
  /** Prints one line of results to stdout. */
  print(line: string): void;
  /** Writes raw text to stderr (log and status lines). */
  writeError(text: string): void;
  /** Whether stderr is a terminal (then a live status line is drawn). */
  readonly isTerminal: boolean;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** Aborted when the command should stop (SIGINT or SIGTERM). */
  readonly signal: AbortSignal;
  /** The clients' time and timers; the system clock when absent (tests inject one). */
  readonly clock?: Clock;
}

/**
 * The process's stdout, stderr and environment, stopping on `signal`.
 *
 * @example
 * ```ts
 * import { denoIo } from "./cli_io.ts";
 * const io = denoIo(new AbortController().signal);
 * io.print("hello"); // hello
 * ```
 */
export function denoIo(signal: AbortSignal): CliIo {
  const encoder = new TextEncoder();
  const write = (stream: { writeSync(p: Uint8Array): number }, text: string) => {
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += stream.writeSync(bytes.subarray(written));
    }
  };
  return {
    print: (line) => write(Deno.stdout, `${line}\n`),
    writeError: (text) => write(Deno.stderr, text),
    isTerminal: Deno.stderr.isTerminal(),
    env: (name) => {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined; // no --allow-env for this name
      }
    },
    signal,
  };
}

/**
 * Resolves when `signal` is aborted (at once if it already is).
 *
 * @example
 * ```ts
 * import { aborted } from "./cli_io.ts";
 * const controller = new AbortController();
 * controller.abort();
 * await aborted(controller.signal);
 * ```
 */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/**
 * A signal aborted by the first SIGINT or SIGTERM; a second one exits the process at once
 * (code 130), for when a graceful shutdown takes too long.
 *
 * @example
 * ```ts ignore
 * import { shutdownSignal } from "./cli_io.ts";
 * const signal = shutdownSignal();
 * signal.addEventListener("abort", () => console.log("stopping"));
 * ```
 */
export function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(name, () => {
        if (controller.signal.aborted) Deno.exit(130);
        controller.abort();
      });
    } catch {
      // SIGTERM cannot be listened to on Windows
    }
  }
  return controller.signal;
}
