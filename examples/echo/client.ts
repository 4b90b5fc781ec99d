// Opens a stream to an echo server, writes a message (or N random bytes), closes its side and
// reads the echo back to the end of the stream.
//
//   deno run --allow-net --allow-env examples/echo/client.ts --nym-api URL ADDRESS "hello"
//   deno run --allow-net --allow-env examples/echo/client.ts --nym-api URL ADDRESS --bytes 100000
import { connect, type MixnetClient } from "../../mod.ts";
import { openStream } from "../../stream/mod.ts";

/** Writes `data` to a new stream to `server`, ends it, and returns everything read back. */
export async function echo(
  client: MixnetClient,
  server: string,
  data: Uint8Array,
): Promise<Uint8Array> {
  const stream = openStream(client, server);
  const writer = stream.writable.getWriter();
  const writing = writer.write(data).then(() => writer.close());
  const reply = new Uint8Array(await new Response(stream.readable).arrayBuffer());
  await writing;
  await stream.closed;
  return reply;
}

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const nymApiUrl = option("--nym-api");
  const count = option("--bytes");
  const withValue = new Set(["--nym-api", "--bytes"]);
  const positional = Deno.args.filter((arg, i) =>
    !arg.startsWith("--") && !withValue.has(Deno.args[i - 1])
  );
  const [server, message = "hello through the mixnet"] = positional;
  if (!server) {
    console.error("usage: client.ts [--nym-api URL] [--no-cover] ADDRESS [MESSAGE | --bytes N]");
    Deno.exit(2);
  }
  const traffic = Deno.args.includes("--no-cover") ? "noCover" : "default";
  const client = await connect({ nymApiUrl, traffic });
  const data = count ? randomBytes(Number(count)) : new TextEncoder().encode(message);
  const started = performance.now();
  const reply = await echo(client, server, data);
  const ms = performance.now() - started;
  const same = reply.length === data.length && reply.every((b, i) => b === data[i]);
  if (count) console.log(`echoed ${reply.length} bytes in ${ms.toFixed(0)} ms, identical: ${same}`);
  else console.log(`echo: ${new TextDecoder().decode(reply)} (${ms.toFixed(0)} ms)`);
  await client.disconnect();
  if (!same) Deno.exit(1);
}
