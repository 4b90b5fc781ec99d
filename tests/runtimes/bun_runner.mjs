// The shared cases under Bun's test runner: `bun test ./tests/runtimes/bun_runner.mjs`
// (`scripts/test_runtimes.ts` sets the environment `cases.mjs` needs).
import { test } from "bun:test";
import { cases } from "./cases.mjs";

for (const { name, run, skip } of cases) {
  if (skip) test.skip(`${name} (${skip})`, run);
  else test(name, run, 60_000);
}
