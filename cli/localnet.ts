/**
 * `localnet`: a whole Nym network on loopback until SIGINT/SIGTERM. Prints one line per
 * endpoint: `nym-api <url>`, then `gateway <identity> <ws-url>` for each gateway.
 *
 * @module
 */
import { startLocalnet } from "../localnet/mod.ts";
import { ArgsError, intFlag, parseArgs, portFlag } from "./_args.ts";
import { aborted, type CliIo } from "./cli_io.ts";
import { addressInUse } from "./_hints.ts";
import { startLocalRequester } from "./_localnet_requester.ts";

/** Usage of `localnet`. */
export const LOCALNET_USAGE = `Usage: nym-client localnet [options]

Runs a Nym network on loopback (nym-api, three mixnode layers, gateways) until Ctrl-C.

Options:
  --api-port <n>              nym-api port (default: the one saved in --data-dir, else any free port)
  --gateway-port <n>          WebSocket port of the first gateway, the next ones count up
                              (default: the ones saved in --data-dir, else any free port)
  --mixnodes-per-layer <n>    mixnodes in each of the three layers (default 1)
  --gateways <n>              gateways (default 1)
  --data-dir <dir>            keep node keys, registrations and ports here across runs, so
                              clients reconnect after a restart as if nothing happened
  --network-requester         also run a network requester (loopback targets allowed) and
                              print 'network-requester <nym-address>'`;

/**
 * The `localnet` command.
 *
 * @example
 * ```ts ignore
 * import { localnetCommand } from "./localnet.ts";
 * import { denoIo } from "./cli_io.ts";
 * await localnetCommand(["--gateways", "2"], denoIo(new AbortController().signal));
 * ```
 */
export async function localnetCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["api-port", "gateway-port", "mixnodes-per-layer", "gateways", "data-dir"],
    boolean: ["network-requester"],
  });
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const gateways = intFlag(parsed, "gateways", 1, 100);
  const gatewayPort = intFlag(parsed, "gateway-port", 1, 65535 - (gateways ?? 1) + 1);
  const net = await startLocalnet({
    apiPort: portFlag(parsed, "api-port"),
    gatewayPort,
    mixnodesPerLayer: intFlag(parsed, "mixnodes-per-layer", 1, 100),
    gateways,
    dataDir: parsed.strings["data-dir"],
  }).catch((error) => {
    throw addressInUse(error, [
      ["--api-port", portFlag(parsed, "api-port")],
      ["--gateway-port", gatewayPort],
    ]);
  });
  let requester: { address: string; close(): Promise<void> } | undefined;
  try {
    io.print(`nym-api ${net.nymApiUrl}`);
    for (const gateway of net.gateways) io.print(`gateway ${gateway.identity} ${gateway.wsUrl}`);
    if (parsed.booleans["network-requester"]) {
      requester = await startLocalRequester(net.nymApiUrl, (line) => io.writeError(`${line}\n`));
      io.print(`network-requester ${requester.address}`);
    }
    io.writeError("localnet running; Ctrl-C stops it\n");
    await aborted(io.signal);
  } finally {
    await requester?.close();
    await net.close();
  }
  io.writeError("localnet stopped\n");
  return 0;
}
