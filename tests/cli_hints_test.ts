// The CLI's errors say what to do: a nym-api that is not there, Nym mainnet used because no
// --nym-api was given, a port that is taken; `send` shows its progress and what an interrupted
// send got across; reconnect reasons are words.
import { MAINNET_NYM_API_URLS } from "../client/connect.ts";
import { describeClose } from "../client/_reconnect.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { CliError } from "../cli/cli_error.ts";
import type { CliIo } from "../cli/cli_io.ts";
import { initClient } from "../cli/init.ts";
import { localnetCommand } from "../cli/localnet.ts";
import { main } from "../cli/main.ts";
import { runClient } from "../cli/run.ts";
import { sendOnce } from "../cli/send.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

function testIo(home: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    print: (line) => out.push(line),
    writeError: (text) => err.push(text),
    isTerminal: false,
    env: (name) => (name === "NYM_HOME" ? home : undefined),
    signal: new AbortController().signal,
  };
}

/** A port nothing listens on: bound to port 0, then released. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function withHome(fn: (home: string) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "nym-cli-hints-" });
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("init against a nym-api that is not running names the URL, the cause and the fix", () =>
  withHome(async (home) => {
    const io = testIo(home);
    const url = `http://127.0.0.1:${closedPort()}/`;
    const code = await main(["init", "--id", "alice", "--nym-api", url], io);
    assertEquals(code, 1);
    const text = io.err.join("");
    assert(text.includes(`error: TopologyError: ${url}v1/nym-nodes/rewarded-set`), text);
    assert(/refused|connect/i.test(text), `the cause is shown: ${text}`);
    assert(text.includes("hint: is the localnet running? pass --nym-api <url>"), text);
    assert(!text.includes("using Nym mainnet"), "a given --nym-api is not mainnet");
  }));

Deno.test("without --nym-api the CLI says it uses Nym mainnet and lists every URL", () =>
  withHome(async (home) => {
    await using net = await startLocalnet({ logger: "silent" });
    const io = testIo(home);
    await initClient({ id: "alice", nymApiUrls: [net.nymApiUrl], env: io.env });
    const notices: string[] = [];
    const stop = new AbortController();
    stop.abort(); // stop before any request leaves: only the notice matters here
    await assertRejects(
      () =>
        sendOnce({
          id: "alice",
          to: "invalid",
          data: new Uint8Array(1),
          env: io.env,
          nymApiUrls: MAINNET_NYM_API_URLS,
          onNotice: (line) => notices.push(line),
          signal: stop.signal,
        }),
      CliError, // the recipient is checked first
    );
    assertEquals(notices, [], "an invalid --to fails before connecting");
    const to = (await initClient({ id: "bob", nymApiUrls: [net.nymApiUrl], env: io.env })).address;
    await assertRejects(
      () =>
        sendOnce({
          id: "alice",
          to,
          data: new Uint8Array(1),
          env: io.env,
          nymApiUrls: MAINNET_NYM_API_URLS,
          onNotice: (line) => notices.push(line),
          signal: stop.signal,
        }),
      Error,
    );
    assertEquals(notices.length, 1);
    assert(notices[0].startsWith("using Nym mainnet (no --nym-api given)"), notices[0]);
    for (const url of MAINNET_NYM_API_URLS) assert(notices[0].includes(url), url);
  }));

Deno.test("run on a port that is taken names the port and --port", () =>
  withHome(async (home) => {
    await using net = await startLocalnet({ logger: "silent" });
    const io = testIo(home);
    await initClient({ id: "alice", nymApiUrls: [net.nymApiUrl], noCover: true, env: io.env });
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (taken.addr as Deno.NetAddr).port;
    try {
      const error = await assertRejects(
        () => runClient({ id: "alice", port, env: io.env }),
        CliError,
      );
      assertEquals(error.kind, "address-in-use");
      assert(error.message.includes(`port ${port} is already in use`), error.message);
      assert(error.message.includes("pass another --port, or --port 0"), error.message);
    } finally {
      taken.close();
    }
  }));

Deno.test("localnet on a taken gateway port names the port and --gateway-port", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const error = await assertRejects(
      () => localnetCommand(["--gateway-port", `${port}`], testIo("/nonexistent")),
      CliError,
    );
    assertEquals(error.kind, "address-in-use");
    assert(error.message.includes(`port ${port} is already in use`), error.message);
    assert(error.message.includes("pass another --gateway-port"), error.message);
  } finally {
    taken.close();
  }
});

Deno.test("send reports progress as fragments acknowledged of the total", () =>
  withHome(async (home) => {
    await using net = await startLocalnet({ logger: "silent", maxPerHopDelayMs: 0 });
    const io = testIo(home);
    const { address } = await initClient({
      id: "alice",
      nymApiUrls: [net.nymApiUrl],
      noCover: true,
      env: io.env,
    });
    const progress: [number, number][] = [];
    const result = await sendOnce({
      id: "alice",
      to: address,
      data: new Uint8Array(20_000),
      noCover: true,
      env: io.env,
      progressMs: 5,
      onProgress: (acknowledged, total) => progress.push([acknowledged, total]),
    });
    const n = result.fragments;
    assert(n > 1, `several fragments: ${n}`);
    assert(progress.length >= 1);
    assertEquals(progress[progress.length - 1], [n, n], "the last report is complete");
    assert(progress.every(([a, t], i) => t === n && (i === 0 || a >= progress[i - 1][0])));
  }));

Deno.test("reconnect reasons are words, with the close code kept", () => {
  assertEquals(
    describeClose({ code: 1006, reason: "" }),
    "the connection was refused or lost: no answer from the gateway (code 1006)",
  );
  assertEquals(
    describeClose({ code: 1001, reason: "bye" }),
    "the gateway is going away (restart or shutdown, code 1001): bye",
  );
  assertEquals(describeClose({ code: 4321, reason: "" }), "the connection closed (code 4321)");
});
