/**
 * `localnet`: a whole Nym network on loopback until SIGINT/SIGTERM. Prints one line per
 * endpoint: `nym-api <url>`, then `gateway <identity> <ws-url>` for each gateway.
 *
 * @module
 */
import {
  LOCALNET_GATEWAY_KINDS,
  type LocalnetGatewayKind,
  type LocalnetKeyRotationOptions,
  startLocalnet,
} from "../localnet/mod.ts";
import { ArgsError, intFlag, parseArgs, portFlag } from "./_args.ts";
import { aborted, type CliIo } from "./cli_io.ts";

/** Usage of `localnet`. */
export const LOCALNET_USAGE = `Usage: nym-client localnet [options]

Runs a Nym network on loopback (nym-api, three mixnode layers, gateways) until Ctrl-C.

Options:
  --api-port <n>              nym-api port (default 0: any free port)
  --mixnodes-per-layer <n>    mixnodes in each of the three layers (default 1)
  --gateways <n>              gateways (default 1, or as many as --gateway-kinds names)
  --gateway-kinds <k,k,…>     how each gateway behaves, by index: ${
  LOCALNET_GATEWAY_KINDS.join(", ")
}
  --backlog-delay-ms <n>      pause between stored messages of a backlog gateway (default 50)
  --epoch-ms <n>              rotate Sphinx keys: an epoch every <n> ms (default: no rotation)
  --rotation-epochs <n>       epochs per key rotation (default 2; needs --epoch-ms)
  --data-dir <dir>            keep node keys and registrations here across runs`;

function keyRotationFlags(
  parsed: ReturnType<typeof parseArgs>,
  io: CliIo,
): LocalnetKeyRotationOptions | undefined {
  const epochMs = intFlag(parsed, "epoch-ms", 100, 86_400_000);
  const validityEpochs = intFlag(parsed, "rotation-epochs", 1, 1000);
  if (epochMs === undefined) {
    if (validityEpochs !== undefined) throw new ArgsError("--rotation-epochs needs --epoch-ms");
    return undefined;
  }
  return {
    epochMs,
    validityEpochs,
    onEpoch: (e) => io.print(`epoch ${e.epochId} key-rotation ${e.keyRotationId}`),
  };
}

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
    string: [
      "api-port",
      "mixnodes-per-layer",
      "gateways",
      "gateway-kinds",
      "backlog-delay-ms",
      "epoch-ms",
      "rotation-epochs",
      "data-dir",
    ],
  });
  const kinds = parsed.strings["gateway-kinds"]?.split(",").map((k) => k.trim());
  for (const kind of kinds ?? []) {
    if (!LOCALNET_GATEWAY_KINDS.includes(kind as LocalnetGatewayKind)) {
      throw new ArgsError(
        `--gateway-kinds: unknown kind "${kind}" (one of ${LOCALNET_GATEWAY_KINDS.join(", ")})`,
      );
    }
  }
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const net = await startLocalnet({
    apiPort: portFlag(parsed, "api-port"),
    mixnodesPerLayer: intFlag(parsed, "mixnodes-per-layer", 1, 100),
    gateways: intFlag(parsed, "gateways", Math.max(1, kinds?.length ?? 0), 100),
    gatewayKinds: kinds as LocalnetGatewayKind[] | undefined,
    backlogDelayMs: intFlag(parsed, "backlog-delay-ms", 0, 60_000),
    keyRotation: keyRotationFlags(parsed, io),
    dataDir: parsed.strings["data-dir"],
  });
  try {
    io.print(`nym-api ${net.nymApiUrl}`);
    for (const gateway of net.gateways) {
      const kind = gateway.kind === "current" ? "" : ` ${gateway.kind}`;
      io.print(`gateway ${gateway.identity} ${gateway.wsUrl}${kind}`);
    }
    io.writeError("localnet running; Ctrl-C stops it\n");
    await aborted(io.signal);
  } finally {
    await net.close();
  }
  io.writeError("localnet stopped\n");
  return 0;
}
