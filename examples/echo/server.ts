// An echo server over Nym streams: every byte a peer writes to a stream comes back on it, and
// the stream ends when the peer ends its side. The server never learns who its peers are: they
// open streams with reply SURBs and it answers through them.
//
//   deno run --allow-net --allow-env examples/echo/server.ts                 # own localnet
//   deno run --allow-net --allow-env examples/echo/server.ts --nym-api URL   # an existing network
//
// It prints the nym-api URL and its Nym address; see README.md for the client.
import { connect, type MixnetClient } from "../../mod.ts";
import { listen, multiplexer } from "../../stream/mod.ts";

/** Echoes every stream opened to `client` until `signal` aborts; returns the streams served. */
export async function serveEcho(client: MixnetClient, signal?: AbortSignal): Promise<number> {
  const listener = listen(client);
  signal?.addEventListener("abort", () => listener.close(), { once: true });
  const running = new Set<Promise<void>>();
  let served = 0;
  for await (const stream of listener) {
    served++;
    const echo = stream.readable.pipeTo(stream.writable).catch(() => {
      // the peer reset the stream or went away: nothing to do but forget it
    });
    running.add(echo);
    echo.then(() => running.delete(echo));
  }
  await Promise.all(running);
  return served;
}

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const { startLocalnet } = await import("../../localnet/mod.ts");
  let nymApiUrl = option("--nym-api");
  const net = nymApiUrl ? undefined : await startLocalnet({ logger: "silent" });
  nymApiUrl ??= net!.nymApiUrl;
  const traffic = Deno.args.includes("--no-cover") || net ? "noCover" : "default";
  const client = await connect({ nymApiUrl, traffic });
  multiplexer(client).on(
    "error",
    ({ error }) => console.error(`dropped a frame: ${error.message}`),
  );
  console.log(`nym-api: ${nymApiUrl}`);
  console.log(`echo server address: ${client.address}`);
  const stop = new AbortController();
  Deno.addSignalListener("SIGINT", () => stop.abort());
  const served = await serveEcho(client, stop.signal);
  console.log(`served ${served} stream(s)`);
  await client.disconnect();
  await net?.[Symbol.asyncDispose]();
}
