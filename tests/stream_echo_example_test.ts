// examples/echo: its functions over a localnet, and its two scripts run as its README says.
import { connect } from "../client/connect.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { systemRandom } from "../internal/random.ts";
import { echo } from "../examples/echo/client.ts";
import { serveEcho } from "../examples/echo/server.ts";
import { assert, assertEquals } from "./_assert.ts";

Deno.test("the echo server returns every stream's bytes, text and binary, to its opener", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const traffic = { preset: "noCover" as const, averagePacketDelayMs: 0, averageAckDelayMs: 0 };
  const server = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[0].identity,
  });
  const client = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[1].identity,
  });
  const stop = new AbortController();
  try {
    const serving = serveEcho(server, stop.signal);
    const text = new TextEncoder().encode("hello through the mixnet");
    const binary = systemRandom(100_000);
    const [a, b] = await Promise.all([
      echo(client, server.address, text),
      echo(client, server.address, binary),
    ]);
    assertEquals(a, text);
    assertEquals(b, binary);
    stop.abort();
    assertEquals(await serving, 2);
  } finally {
    await client.disconnect();
    await server.disconnect();
  }
});

/** Lines of a child's stdout, as they come. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      yield buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
    }
  }
  if (buffer) yield buffer;
}

async function runClient(args: string[]): Promise<{ code: number; out: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "examples/echo/client.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, out: new TextDecoder().decode(output.stdout) };
}

Deno.test("the echo example runs as its README says: server with a localnet, client, Ctrl-C", async () => {
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "examples/echo/server.ts"],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const out = lines(server.stdout);
  try {
    const api = (await out.next()).value as string;
    const address = (await out.next()).value as string;
    assert(api.startsWith("nym-api: http://127.0.0.1:"), api);
    assert(address.startsWith("echo server address: "), address);
    const nymApi = api.slice("nym-api: ".length);
    const target = address.slice("echo server address: ".length);

    const text = await runClient(["--nym-api", nymApi, target, "hello"]);
    assertEquals(text.code, 0);
    assert(/^echo: hello \(\d+ ms\)\n$/.test(text.out), text.out);

    const bulk = await runClient(["--nym-api", nymApi, "--no-cover", target, "--bytes", "100000"]);
    assertEquals(bulk.code, 0);
    assert(/^echoed 100000 bytes in \d+ ms, identical: true\n$/.test(bulk.out), bulk.out);

    server.kill("SIGINT");
    assertEquals((await out.next()).value, "served 2 stream(s)");
  } finally {
    try {
      server.kill("SIGKILL");
    } catch {
      // already exited
    }
    for await (const _ of out) {
      // drain stdout so the child's pipe closes
    }
    await server.status;
  }
});
