/**
 * `deno task localnet`: a Nym network on loopback until Ctrl-C, one line per endpoint
 * (`nym-api <url>`, `gateway <identity> <ws-url> [kind]`). Options: `--api-port`,
 * `--mixnodes-per-layer`, `--gateways`, `--gateway-kinds`, `--backlog-delay-ms`, `--data-dir`. The
 * same as `nym-client localnet`.
 *
 * @module
 */
import { ArgsError, LOCALNET_USAGE, localnetCommand } from "./command.ts";

if (import.meta.main) {
  const stop = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(name, () => stop.signal.aborted ? Deno.exit(130) : stop.abort());
    } catch {
      // SIGTERM cannot be listened to on Windows
    }
  }
  const encoder = new TextEncoder();
  try {
    Deno.exit(
      await localnetCommand(Deno.args, {
        print: (line) => console.log(line),
        writeError: (text) => Deno.stderr.writeSync(encoder.encode(text)),
        signal: stop.signal,
      }),
    );
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    Deno.stderr.writeSync(encoder.encode(`error: ${error.message}\n\n${LOCALNET_USAGE}\n`));
    Deno.exit(2);
  }
}
