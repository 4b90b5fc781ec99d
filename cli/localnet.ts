/**
 * `nym-client localnet`: the localnet's own command (`localnet/command.ts`), so that localnet/
 * never imports the CLI.
 *
 * @module
 */
export { LOCALNET_USAGE, localnetCommand } from "../localnet/command.ts";
