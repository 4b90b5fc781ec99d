/**
 * The `localnet` command (`deno task localnet`, and `nym-client localnet` in the CLI): a whole Nym
 * network on loopback until SIGINT/SIGTERM. Prints one line per
 * endpoint: `nym-api <url>`, then `gateway <identity> <ws-url>` for each gateway.
 *
 * @module
 */
import { ArgsError, intFlag, parseArgs, portFlag } from "../internal/args.ts";
import { startLocalRequester } from "./_requester.ts";
import {
  LOCALNET_GATEWAY_KINDS,
  type LocalnetGatewayKind,
  type LocalnetKeyRotationOptions,
  startLocalnet,
} from "./localnet.ts";

export { ArgsError };

/** What the command uses of the outside world (the CLI's `CliIo` has it). */
export interface LocalnetIo {
  /** Prints one line to stdout. */
  print(line: string): void;
  /** Writes raw text to stderr. */
  writeError(text: string): void;
  /** Aborted when the network should stop. */
  readonly signal: AbortSignal;
  /**
   * Maps an error of starting the network to the one to throw, given the port flags in use (the
   * CLI names the flag to change when a port is taken). The error itself by default.
   */
  describeStartError?(
    error: unknown,
    flags: readonly (readonly [flag: string, port: number | undefined])[],
  ): unknown;
}

/** Usage of `localnet`. */
export const LOCALNET_USAGE = `Usage: nym-client localnet [options]

Runs a Nym network on loopback (nym-api, three mixnode layers, gateways) until Ctrl-C.

Options:
  --api-port <n>              nym-api port (default: the one saved in --data-dir, else any free port)
  --gateway-port <n>          WebSocket port of the first gateway, the next ones count up
                              (default: the ones saved in --data-dir, else any free port)
  --mixnodes-per-layer <n>    mixnodes in each of the three layers (default 1)
  --gateways <n>              gateways (default 1, or as many as --gateway-kinds names)
  --gateway-kinds <k,k,…>     how each gateway behaves, by index: ${
  LOCALNET_GATEWAY_KINDS.join(", ")
}
  --backlog-delay-ms <n>      pause between stored messages of a backlog gateway (default 50)
  --epoch-ms <n>              rotate Sphinx keys: an epoch every <n> ms (default: no rotation)
  --rotation-epochs <n>       epochs per key rotation (default 2; needs --epoch-ms)
  --data-dir <dir>            keep node keys, registrations and ports here across runs, so
                              clients reconnect after a restart as if nothing happened
  --network-requester         also run a network requester (loopback targets allowed) and
                              print 'network-requester <nym-address>'`;

function keyRotationFlags(
  parsed: ReturnType<typeof parseArgs>,
  io: LocalnetIo,
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
    string: [
      "api-port",
      "gateway-port",
      "mixnodes-per-layer",
      "gateways",
      "gateway-kinds",
      "backlog-delay-ms",
      "epoch-ms",
      "rotation-epochs",
      "data-dir",
    ],
    boolean: ["network-requester"],
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
  const gateways = intFlag(parsed, "gateways", Math.max(1, kinds?.length ?? 0), 100) ??
    (kinds?.length || undefined);
  const gatewayPort = intFlag(parsed, "gateway-port", 1, 65535 - (gateways ?? 1) + 1);
  const net = await startLocalnet({
    apiPort: portFlag(parsed, "api-port"),
    gatewayPort,
    mixnodesPerLayer: intFlag(parsed, "mixnodes-per-layer", 1, 100),
    gateways,
    gatewayKinds: kinds as LocalnetGatewayKind[] | undefined,
    backlogDelayMs: intFlag(parsed, "backlog-delay-ms", 0, 60_000),
    keyRotation: keyRotationFlags(parsed, io),
    dataDir: parsed.strings["data-dir"],
  }).catch((error) => {
    const flags = [["--api-port", portFlag(parsed, "api-port")], [
      "--gateway-port",
      gatewayPort,
    ]] as const;
    throw io.describeStartError ? io.describeStartError(error, flags) : error;
  });
  let requester: { address: string; close(): Promise<void> } | undefined;
  try {
    io.print(`nym-api ${net.nymApiUrl}`);
    for (const gateway of net.gateways) {
      const kind = gateway.kind === "current" ? "" : ` ${gateway.kind}`;
      io.print(`gateway ${gateway.identity} ${gateway.wsUrl}${kind}`);
    }
    if (parsed.booleans["network-requester"]) {
      requester = await startLocalRequester(net.nymApiUrl, (line) => io.writeError(`${line}\n`));
      io.print(`network-requester ${requester.address}`);
    }
    io.writeError("localnet running; Ctrl-C stops it\n");
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await requester?.close();
    await net.close();
  }
  io.writeError("localnet stopped\n");
  return 0;
}
