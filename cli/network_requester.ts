/**
 * `network-requester`: runs Nym's exit service on an initialised client: TCP connections for
 * SOCKS5 clients and mixFetch, within a Tor-style exit policy (non-global addresses refused
 * unless `--allow-local-ips`). Prints `network-requester <nym-address>`.
 *
 * @module
 */
import { denoTransport, ExitPolicy, serveNetworkRequester } from "../exit/mod.ts";
import type { NetworkRequesterEvent } from "../exit/mod.ts";
import { ArgsError, parseArgs } from "./_args.ts";
import { connectStoredClient } from "./_exit_client.ts";
import { aborted, type CliIo } from "./cli_io.ts";
import { StatusLine } from "./status_line.ts";

/** Usage of `network-requester`. */
export const NETWORK_REQUESTER_USAGE = `Usage: nym-client network-requester --id <id> [options]

Runs a network requester (the mixnet's exit) on an initialised client until Ctrl-C.

Options:
  --id <id>                 client id given to init
  --allow-local-ips         allow loopback, private and other non-global targets
  --exit-policy <file>      torrc-style rules (accept|reject[6] <ip>/<mask>:<ports>), first
                            match wins; default: accept every (global) address
  --nym-api <url>           nym-api endpoint (overrides the config)
  --no-cover                no cover traffic (debugging only)`;

/** One log line per requester event (no payloads). */
export function describeRequesterEvent(event: NetworkRequesterEvent): string {
  switch (event.type) {
    case "connected":
      return `connection ${event.connectionId} to ${event.remote}`;
    case "refused":
      return `refused ${event.remote} (${event.reason})`;
    case "unreachable":
      return `could not connect to ${event.remote}`;
    case "closed":
      return `connection ${event.connectionId} closed: ${event.reason} (${event.bytesIn} B in, ${event.bytesOut} B out)`;
    case "malformed":
      return `dropped a malformed request: ${event.error.message}`;
    case "dropped":
      return `dropped: ${event.reason}`;
  }
}

/**
 * The `network-requester` command.
 *
 * @example
 * ```ts ignore
 * import { networkRequesterCommand } from "./network_requester.ts";
 * import { denoIo } from "./cli_io.ts";
 * await networkRequesterCommand(["--id", "exit"], denoIo(new AbortController().signal));
 * ```
 */
export async function networkRequesterCommand(
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["id", "exit-policy"],
    list: ["nym-api"],
    boolean: ["allow-local-ips", "no-cover"],
  });
  const id = parsed.strings.id;
  if (id === undefined) throw new ArgsError("--id is required");
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const policyFile = parsed.strings["exit-policy"];
  const exitPolicy = policyFile === undefined
    ? undefined
    : ExitPolicy.parse(await Deno.readTextFile(policyFile));
  io.writeError(`Starting network requester ${id}...\n`);
  const client = await connectStoredClient({
    id,
    env: io.env,
    nymApiUrls: parsed.lists["nym-api"],
    noCover: parsed.booleans["no-cover"],
    signal: io.signal,
  });
  const ref: { status?: StatusLine } = {};
  const log = (line: string) => ref.status ? ref.status.log(line) : io.writeError(`${line}\n`);
  const requester = serveNetworkRequester(client, {
    transport: denoTransport(),
    allowLocalIps: parsed.booleans["allow-local-ips"],
    exitPolicy,
    exitPolicyUpstream: policyFile ?? "",
    onEvent: (event) => log(describeRequesterEvent(event)),
  });
  io.print(`network-requester ${client.address}`);
  const status = ref.status = new StatusLine({
    client,
    write: io.writeError,
    tty: io.isTerminal,
    extra: () => `${requester.connections} connections`,
  });
  status.start();
  await aborted(io.signal);
  status.stop();
  status.log("shutting down");
  await requester.close();
  await client.disconnect();
  io.writeError("network requester stopped\n");
  return 0;
}
