// `deno task test:runtimes`: the suite's portable test files (tests/runtimes/suite.ts) under
// Node's and Bun's own test runners, against the same JavaScript a browser or edge build ships.
//
// 1. bundles tests/runtimes/suite.ts to plain ESM with `deno bundle` into a temporary folder;
// 2. installs `ws` there for Node versions without a global WebSocket (Node 20), and Bun there
//    too when no `bun` is on PATH (both from the npm registry, through npm);
// 3. starts a localnet in this process (two gateways) and passes its nym-api URL and gateway
//    identities to the runners through the environment (for localnet_round_trip_test.ts);
// 4. runs `node --test` then `bun test` on the runners, which map `Deno.test` onto their own
//    test functions (tests/runtimes/_deno_test_shim.mjs) and import the bundle; stops the
//    localnet, prints `runtimes: N passed, N failed` and exits non-zero if either failed.
//
// Usage: deno run --allow-run --allow-read --allow-write --allow-net=127.0.0.1 \
//          scripts/test_runtimes.ts [node] [bun] [--keep]
//   (no runtime named: both; --keep leaves the temporary folder in place and prints its path)
import { startLocalnet } from "../localnet/mod.ts";

const BUN_VERSION = "1.3.14";
const WS_VERSION = "8.18.3";
const root = new URL("..", import.meta.url).pathname;
const wanted = Deno.args.filter((a) => !a.startsWith("--"));
const runtimes = wanted.length > 0 ? wanted : ["node", "bun"];
const keep = Deno.args.includes("--keep");
for (const name of runtimes) {
  if (name !== "node" && name !== "bun") throw new Error(`unknown runtime ${name}`);
}

async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; quiet?: boolean } = {},
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(command, {
    args,
    cwd: root,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      output += decoder.decode(chunk, { stream: true });
      if (!options.quiet) await sink.write(chunk);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  return { code: status.code, output };
}

async function which(command: string): Promise<string | undefined> {
  try {
    const { code, output } = await run(command, ["--version"], { quiet: true });
    return code === 0 ? output.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function npmInstall(dir: string, packages: string[]): Promise<void> {
  const { code, output } = await run("npm", [
    "install",
    "--prefix",
    dir,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    ...packages,
  ], { quiet: true });
  if (code !== 0) throw new Error(`npm install ${packages.join(" ")} failed:\n${output}`);
}

/** Counts from the closing lines of Node's spec reporter or Bun's runner. */
function counts(
  runtime: string,
  output: string,
): { passed: number; failed: number; skipped: number } {
  const n = (re: RegExp) => Number(output.match(re)?.[1] ?? 0);
  return runtime === "node"
    ? { passed: n(/^ℹ pass (\d+)/m), failed: n(/^ℹ fail (\d+)/m), skipped: n(/^ℹ skipped (\d+)/m) }
    : {
      passed: n(/^\s*(\d+) pass$/m),
      failed: n(/^\s*(\d+) fail$/m),
      skipped: n(/^\s*(\d+) skip$/m),
    };
}

const t0 = performance.now();
const dir = await Deno.makeTempDir({ prefix: "nym-runtimes-" });
const results: { runtime: string; version: string; ok: boolean; ms: number; summary: string }[] =
  [];
let totals = { passed: 0, failed: 0, skipped: 0 };
try {
  await Deno.writeTextFile(`${dir}/package.json`, '{ "private": true, "type": "module" }\n');
  const bundled = await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "esm",
    "-o",
    `${dir}/suite.mjs`,
    "tests/runtimes/suite.ts",
  ]);
  if (bundled.code !== 0) throw new Error("deno bundle failed");
  const size = (await Deno.stat(`${dir}/suite.mjs`)).size;
  console.log(`bundled tests/runtimes/suite.ts: ${(size / 1024).toFixed(1)} KiB in ${dir}`);

  const nodeVersion = runtimes.includes("node") ? await which("node") : undefined;
  if (runtimes.includes("node")) {
    if (!nodeVersion) throw new Error("node is not on PATH");
    const major = Number(nodeVersion.replace(/^v/, "").split(".")[0]);
    if (major < 20) throw new Error(`node ${nodeVersion} is older than 20`);
  }
  let bun = "bun";
  let bunVersion = runtimes.includes("bun") ? await which("bun") : undefined;
  const installs = [`ws@${WS_VERSION}`];
  if (runtimes.includes("bun") && !bunVersion) installs.push(`bun@${BUN_VERSION}`);
  console.log(`npm install ${installs.join(" ")}`);
  await npmInstall(dir, installs);
  if (runtimes.includes("bun") && !bunVersion) {
    bun = `${dir}/node_modules/.bin/bun`;
    bunVersion = await which(bun);
    if (!bunVersion) throw new Error("bun did not install");
  }

  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  console.log(`localnet: nym-api ${net.nymApiUrl}`);
  const env = {
    NYM_RUNTIMES_DIR: dir,
    NYM_API_URL: net.nymApiUrl,
    NYM_GATEWAYS: net.gateways.map((g) => g.identity).join(","),
    NO_COLOR: "1",
  };
  for (const runtime of runtimes) {
    const version = runtime === "node" ? nodeVersion! : bunVersion!;
    console.log(`\n=== ${runtime} ${version} ===`);
    const start = performance.now();
    const { code, output } = runtime === "node"
      ? await run("node", ["--test", "--test-reporter=spec", "tests/runtimes/node_runner.mjs"], {
        env,
      })
      : await run(bun, ["test", "./tests/runtimes/bun_runner.mjs"], { env });
    const ms = performance.now() - start;
    const c = counts(runtime, output);
    const ok = code === 0 && c.failed === 0 && c.passed > 0;
    totals = {
      passed: totals.passed + c.passed,
      failed: totals.failed + c.failed + (ok || c.failed > 0 ? 0 : 1),
      skipped: totals.skipped + c.skipped,
    };
    results.push({
      runtime,
      version,
      ok,
      ms,
      summary: `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`,
    });
  }
} finally {
  if (keep) console.log(`kept ${dir}`);
  else await Deno.remove(dir, { recursive: true });
}

console.log("");
for (const r of results) {
  console.log(
    `${r.ok ? "ok    " : "FAILED"} ${r.runtime} ${r.version}: ${r.summary} in ${
      (r.ms / 1000).toFixed(2)
    } s`,
  );
}
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`runtimes: ${totals.passed} passed, ${totals.failed} failed`);
if (results.some((r) => !r.ok) || results.length !== runtimes.length) Deno.exit(1);
