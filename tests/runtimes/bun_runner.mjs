// The suite (tests/runtimes/suite.ts, bundled) under Bun's test runner:
// `bun test ./tests/runtimes/bun_runner.mjs`, with NYM_RUNTIMES_DIR naming the folder that holds
// the bundle `suite.mjs` (`scripts/test_runtimes.ts` sets it up).
import { test } from "bun:test";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { installDenoTest } from "./_deno_test_shim.mjs";

const dir = process.env.NYM_RUNTIMES_DIR;
if (!dir) throw new Error("NYM_RUNTIMES_DIR is not set: run `deno task test:runtimes`");
installDenoTest((name, fn, ignore) => {
  if (ignore) test.skip(name, fn);
  else test(name, fn, 120_000);
}, { runtime: "bun", env: (name) => process.env[name] });
await import(pathToFileURL(join(dir, "suite.mjs")).href);
