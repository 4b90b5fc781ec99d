/**
 * `deno task localnet`: a Nym network on loopback until Ctrl-C, one line per endpoint
 * (`nym-api <url>`, `gateway <identity> <ws-url> [kind]`). Options: `--api-port`,
 * `--mixnodes-per-layer`, `--gateways`, `--gateway-kinds`, `--backlog-delay-ms`, `--data-dir`. The
 * same as `nym-client localnet`.
 *
 * @module
 */
import { main } from "../cli/main.ts";
import { denoIo, shutdownSignal } from "../cli/cli_io.ts";

if (import.meta.main) {
  Deno.exit(await main(["localnet", ...Deno.args], denoIo(shutdownSignal())));
}
