// The suite (tests/runtimes/suite.ts, bundled) under Node's test runner:
// `node --test tests/runtimes/node_runner.mjs`, with NYM_RUNTIMES_DIR naming the folder that
// holds the bundle `suite.mjs` and the `ws` package (`scripts/test_runtimes.ts` sets it up).
import { test } from "node:test";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installDenoTest } from "./_deno_test_shim.mjs";

const dir = process.env.NYM_RUNTIMES_DIR;
if (!dir) throw new Error("NYM_RUNTIMES_DIR is not set: run `deno task test:runtimes`");
// Node 20 has no global WebSocket: give it the `ws` package's, as a Node application would.
if (!globalThis.WebSocket) {
  globalThis.WebSocket = createRequire(join(dir, "package.json"))("ws").WebSocket;
  console.log("node: WebSocket from the ws package");
}
installDenoTest(
  (name, fn, ignore) => test(name, { skip: ignore ? "ignored" : false, timeout: 120_000 }, fn),
  { runtime: "node", env: (name) => process.env[name] },
);
await import(pathToFileURL(join(dir, "suite.mjs")).href);
