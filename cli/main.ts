/**
 * `nym-client` in TypeScript: a drop-in for the native client's `init`, `run` (with its
 * WebSocket API on `ws://127.0.0.1:1977`), plus `send` (one message) and `localnet` (a Nym
 * network on loopback).
 *
 * ```sh
 * deno run -A cli/main.ts init --id alice --nym-api http://127.0.0.1:8080/
 * deno run -A cli/main.ts run --id alice
 * ```
 *
 * @module
 */
import { ArgsError } from "./_args.ts";
import { describeError } from "./_hints.ts";
import { type CliIo, denoIo, shutdownSignal } from "./cli_io.ts";
import { INIT_USAGE, initCommand } from "./init.ts";
import { LOCALNET_USAGE, localnetCommand } from "./localnet.ts";
import {
  RUN_USAGE,
  runCommand,
  TCPSOCKET_USAGE,
  tcpsocketCommand,
  WEBSOCKET_USAGE,
  websocketCommand,
} from "./run.ts";
import { SEND_USAGE, sendCommand } from "./send.ts";
import { SOCKS5_USAGE, socks5Command } from "./socks5.ts";
import { NETWORK_REQUESTER_USAGE, networkRequesterCommand } from "./network_requester.ts";

const COMMANDS: Record<
  string,
  { run: (args: readonly string[], io: CliIo) => Promise<number>; usage: string }
> = {
  init: { run: initCommand, usage: INIT_USAGE },
  run: { run: runCommand, usage: RUN_USAGE },
  send: { run: sendCommand, usage: SEND_USAGE },
  websocket: { run: websocketCommand, usage: WEBSOCKET_USAGE },
  tcpsocket: { run: tcpsocketCommand, usage: TCPSOCKET_USAGE },
  localnet: { run: localnetCommand, usage: LOCALNET_USAGE },
  socks5: { run: socks5Command, usage: SOCKS5_USAGE },
  "network-requester": { run: networkRequesterCommand, usage: NETWORK_REQUESTER_USAGE },
};

/** Top-level usage. */
export const USAGE = `Usage: nym-client <command> [options]

Commands:
  init       create a client: keys, gateway registration, config.toml
  run        run a client and serve the native WebSocket API
  send       send one message and wait for its delivery
  websocket  run a client with the seed's socket API on ws://…/mix (pull mode)
  tcpsocket  run a client with the seed's TCP socket API (length-prefixed protobuf)
  localnet   run a Nym network on loopback
  socks5     a SOCKS5 proxy through the mixnet to a network requester
  network-requester  run the mixnet exit (TCP for SOCKS5 clients and mixFetch)

Files live in $NYM_HOME/clients/<id>/ (default $HOME/.nym/clients/<id>/).
Run 'nym-client <command> --help' for a command's options.`;

/**
 * Runs the CLI with `args`; resolves to the process exit code (0 ok, 1 failure, 2 usage).
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const lines: string[] = [];
 * const code = await main(["help"], {
 *   print: (line) => lines.push(line),
 *   writeError: () => {},
 *   isTerminal: false,
 *   env: () => undefined,
 *   signal: new AbortController().signal,
 * });
 * console.log(code, lines[0]); // 0 "Usage: nym-client <command> [options]"
 * ```
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    for (const line of USAGE.split("\n")) io.print(line);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.writeError(`unknown command '${name}'\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    for (const line of command.usage.split("\n")) io.print(line);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof ArgsError) {
      io.writeError(`error: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.writeError(`error: ${describeError(error)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, denoIo(shutdownSignal())));
}
