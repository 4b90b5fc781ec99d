/**
 * The `localnet` command (`deno task localnet`, and `nym-client localnet` in the CLI): a whole Nym
 * network on loopback until SIGINT/SIGTERM. Prints one line per
 * endpoint: `nym-api <url>`, then `gateway <identity> <ws-url>` for each gateway.
 *
 * @module
 */
import { ArgsError, intFlag, parseArgs, portFlag } from "../internal/args.ts";
import { startLocalnet } from "./localnet.ts";

export { ArgsError };

/** What the command uses of the outside world (the CLI's `CliIo` has it). */
export interface LocalnetIo {
  /** Prints one line to stdout. */
  print(line: string): void;
  /** Writes raw text to stderr. */
  writeError(text: string): void;
  /** Aborted when the network should stop. */
  readonly signal: AbortSignal;
}

/** Usage of `localnet`. */
export const LOCALNET_USAGE = `Usage: nym-client localnet [options]

Runs a Nym network on loopback (nym-api, three mixnode layers, gateways) until Ctrl-C.

Options:
  --api-port <n>              nym-api port (default 0: any free port)
  --mixnodes-per-layer <n>    mixnodes in each of the three layers (default 1)
  --gateways <n>              gateways (default 1)
  --data-dir <dir>            keep node keys and registrations here across runs`;

/**
 * The `localnet` command.
 *
 * @example
 * ```ts ignore
 * import { localnetCommand } from "./command.ts";
 * const stop = new AbortController();
 * await localnetCommand(["--gateways", "2"], {
 *   print: console.log,
 *   writeError: (text) => console.error(text.trimEnd()),
 *   signal: stop.signal,
 * });
 * ```
 */
export async function localnetCommand(args: readonly string[], io: LocalnetIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["api-port", "mixnodes-per-layer", "gateways", "data-dir"],
  });
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const net = await startLocalnet({
    apiPort: portFlag(parsed, "api-port"),
    mixnodesPerLayer: intFlag(parsed, "mixnodes-per-layer", 1, 100),
    gateways: intFlag(parsed, "gateways", 1, 100),
    dataDir: parsed.strings["data-dir"],
  });
  try {
    io.print(`nym-api ${net.nymApiUrl}`);
    for (const gateway of net.gateways) io.print(`gateway ${gateway.identity} ${gateway.wsUrl}`);
    io.writeError("localnet running; Ctrl-C stops it\n");
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await net.close();
  }
  io.writeError("localnet stopped\n");
  return 0;
}
