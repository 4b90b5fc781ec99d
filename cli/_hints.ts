/**
 * Errors and notices that say what to do: a directory that cannot be reached, Nym mainnet used
 * because no `--nym-api` was given, a port that is taken.
 *
 * @module
 */
import { MAINNET_NYM_API_URLS } from "../client/connect.ts";
import { TopologyError } from "../topology/mod.ts";
import { CliError } from "./cli_error.ts";

const UNREACHABLE = new Set(["network", "timeout", "http", "json"]);

/**
 * The line a command prints for a failure: the error, and for a nym-api that could not be
 * reached, the likely fix.
 *
 * @example
 * ```ts
 * import { describeError } from "./_hints.ts";
 * console.log(describeError(new Error("boom"))); // "Error: boom"
 * ```
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof TopologyError && UNREACHABLE.has(error.kind)) {
    return `${text}\nhint: is the localnet running? pass --nym-api <url> (the nym-api URL ` +
      "that `deno task localnet` prints), or check the URLs in config.toml";
  }
  return text;
}

/**
 * A notice when every nym-api URL is one of Nym mainnet's, i.e. no `--nym-api` was given: a
 * newcomer who meant a localnet sees at once where the client goes. `undefined` otherwise.
 *
 * @example
 * ```ts
 * import { mainnetNotice } from "./_hints.ts";
 * console.log(mainnetNotice(["http://127.0.0.1:8080/"])); // undefined
 * ```
 */
export function mainnetNotice(urls: readonly string[]): string | undefined {
  const norm = (url: string) => url.replace(/\/+$/, "");
  const mainnet = new Set(MAINNET_NYM_API_URLS.map(norm));
  if (urls.length === 0 || !urls.every((url) => mainnet.has(norm(url)))) return undefined;
  return `using Nym mainnet (no --nym-api given), nym-api tried in turn: ${urls.join(", ")}; ` +
    "for a localnet pass --nym-api <url>";
}

/**
 * Turns `Deno.errors.AddrInUse` into a {@linkcode CliError} naming the port and the flag that
 * chooses it; any other error is returned unchanged. `flags` are the command's port flags with
 * the port each asked for (`undefined`: not given).
 *
 * @example
 * ```ts
 * import { addressInUse } from "./_hints.ts";
 * const error = addressInUse(new Deno.errors.AddrInUse("in use"), [["--port", 1977]]);
 * console.log((error as Error).message.includes("port 1977")); // true
 * ```
 */
export function addressInUse(
  error: unknown,
  flags: readonly (readonly [flag: string, port: number | undefined])[],
): unknown {
  if (!(error instanceof Deno.errors.AddrInUse)) return error;
  const given = flags.filter(([, port]) => port !== undefined && port !== 0);
  const named = given.find(([, port]) => error.message.includes(`port ${port}`)) ??
    (given.length === 1 ? given[0] : undefined);
  if (named) {
    const [flag, port] = named;
    return new CliError(
      "address-in-use",
      `port ${port} is already in use (${error.message}); is another instance running? ` +
        `pass another ${flag}${
          flag === "--gateway-port" ? "" : `, or ${flag} 0 for any free port`
        }`,
      { cause: error },
    );
  }
  return new CliError(
    "address-in-use",
    `${error.message}; choose ports with ${flags.map(([flag]) => flag).join(" or ")}`,
    { cause: error },
  );
}
