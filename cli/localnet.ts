/**
 * `nym-client localnet`: the localnet's own command (`localnet/command.ts`, so that localnet/
 * never imports the CLI), with the CLI's hint when a port is taken.
 *
 * @module
 */
import { localnetCommand as runLocalnet } from "../localnet/command.ts";
import { addressInUse } from "./_hints.ts";
import type { CliIo } from "./cli_io.ts";

export { LOCALNET_USAGE } from "../localnet/command.ts";

/**
 * The `localnet` command: a whole Nym network on loopback until the signal. A taken port becomes
 * a `CliError` of kind `address-in-use` naming the flag to change.
 *
 * @example
 * ```ts ignore
 * import { localnetCommand } from "./localnet.ts";
 * import { denoIo } from "./cli_io.ts";
 * await localnetCommand(["--gateways", "2"], denoIo(new AbortController().signal));
 * ```
 */
export function localnetCommand(args: readonly string[], io: CliIo): Promise<number> {
  return runLocalnet(args, { ...io, describeStartError: addressInUse });
}
