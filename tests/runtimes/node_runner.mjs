// The shared cases under Node's test runner: `node --test tests/runtimes/node_runner.mjs`
// (`scripts/test_runtimes.ts` sets the environment `cases.mjs` needs).
import { test } from "node:test";
import { cases } from "./cases.mjs";

for (const { name, run, skip } of cases) test(name, { skip: skip ?? false, timeout: 60_000 }, run);
