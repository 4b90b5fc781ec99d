/**
 * The `nym-client` commands, for running them in-process (tests, embedding): `init`, `run`,
 * `send`, `localnet`, the dispatcher `main`, and what they share (I/O, errors, the status line).
 * Not part of the published `@nym/mixnet/cli` surface, which holds the codecs, config, PEM and
 * storage only.
 *
 * @example
 * ```ts ignore
 * import { denoIo, main, shutdownSignal } from "./commands.ts";
 * Deno.exit(await main(Deno.args, denoIo(shutdownSignal())));
 * ```
 *
 * @module
 */
export { StatusLine, type StatusLineOptions, type StatusSource } from "./status_line.ts";
export { CliError, type CliErrorKind } from "./cli_error.ts";
export { aborted, type CliIo, denoIo, shutdownSignal } from "./cli_io.ts";
export { INIT_USAGE, initClient, initCommand, type InitOptions, type InitResult } from "./init.ts";
export { RUN_USAGE, runClient, runCommand, type RunningClient, type RunOptions } from "./run.ts";
export {
  SEND_USAGE,
  sendCommand,
  sendOnce,
  type SendOnceOptions,
  type SendOnceResult,
} from "./send.ts";
export { LOCALNET_USAGE, localnetCommand } from "./localnet.ts";
export { TCPSOCKET_USAGE, tcpsocketCommand, WEBSOCKET_USAGE, websocketCommand } from "./run.ts";
export { main, USAGE } from "./main.ts";
