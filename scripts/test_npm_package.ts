// `deno task test:npm`: what a Node.js or Bun user does with the npm package.
//
// 1. builds and packs it (scripts/build_npm.ts);
// 2. starts a localnet in this process;
// 3. in a fresh Node project: `npm install <tarball> ws typescript`, type-checks
//    examples/npm/types_check.ts against the package's .d.ts with `tsc`, and runs
//    examples/npm/hello.mjs (on Node 20 it first checks the MissingWebSocketError);
// 4. in a fresh Bun project: `npm install <tarball>` and `bun hello.mjs` (Bun from PATH, else
//    from the npm registry, as scripts/test_runtimes.ts does);
// and fails unless each runtime printed the message it received over the localnet.
//
// Usage: deno run -A scripts/test_npm_package.ts [node] [bun] [--keep]
import { startLocalnet } from "../localnet/mod.ts";

const BUN_VERSION = "1.3.14";
const WS_VERSION = "8.18.3";
const TYPESCRIPT_VERSION = "5.9.3";
const root = new URL("..", import.meta.url).pathname;
const wanted = Deno.args.filter((a) => !a.startsWith("--"));
const runtimes = wanted.length > 0 ? wanted : ["node", "bun"];
const keep = Deno.args.includes("--keep");

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ ok: boolean; output: string }> {
  const result = await new Deno.Command(command, {
    args,
    cwd: options.cwd ?? root,
    env: options.env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(result.stdout) +
    new TextDecoder().decode(result.stderr);
  return { ok: result.success, output };
}

async function must(command: string, args: string[], cwd?: string): Promise<string> {
  const { ok, output } = await run(command, args, { cwd });
  if (!ok) throw new Error(`${command} ${args.join(" ")} failed:\n${output}`);
  return output;
}

async function version(command: string): Promise<string | undefined> {
  try {
    const { ok, output } = await run(command, ["--version"]);
    return ok ? output.trim() : undefined;
  } catch {
    return undefined;
  }
}

async function freshProject(dir: string, packages: string[]): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/package.json`,
    '{ "name": "fresh-app", "private": true, "type": "module" }\n',
  );
  await must("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packages], dir);
  await Deno.copyFile(`${root}examples/npm/hello.mjs`, `${dir}/hello.mjs`);
}

const built = await must(Deno.execPath(), [
  "run",
  "--allow-run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "scripts/build_npm.ts",
]);
const tarball = built.trim().split("\n").pop()!;
console.log(built.trim());

const work = await Deno.makeTempDir({ prefix: "nym-npm-package-" });
const results: string[] = [];
let failed = 0;
try {
  await using net = await startLocalnet({ logger: "silent" });
  const env = { NYM_API_URL: net.nymApiUrl, NO_COLOR: "1" };
  for (const runtime of runtimes) {
    const dir = `${work}/${runtime}-app`;
    let line: string;
    if (runtime === "node") {
      const node = await version("node");
      if (!node) throw new Error("node is not on PATH");
      await freshProject(dir, [tarball, `ws@${WS_VERSION}`, `typescript@${TYPESCRIPT_VERSION}`]);
      await Deno.copyFile(`${root}examples/npm/types_check.ts`, `${dir}/types_check.ts`);
      const tsc = await run(`${dir}/node_modules/.bin/tsc`, [
        "--noEmit",
        "--strict",
        "--target",
        "ES2022",
        "--module",
        "NodeNext",
        "--moduleResolution",
        "NodeNext",
        "--lib",
        "ES2022,DOM,DOM.Iterable,ESNext.Disposable",
        "types_check.ts",
      ], { cwd: dir });
      if (!tsc.ok) {
        failed++;
        console.log(`node: tsc against the package's types failed:\n${tsc.output}`);
      } else console.log("node: examples/npm/types_check.ts type-checks against the .d.ts");
      const { ok, output } = await run("node", ["hello.mjs"], { cwd: dir, env });
      line = `node ${node}: ${ok ? "ok" : "FAILED"}`;
      console.log(output.trim());
      if (!ok || !output.includes(`received "hello from node ${node}"`)) failed++;
      if (
        Number(node.replace(/^v/, "").split(".")[0]) < 22 &&
        !output.includes("connect({ WebSocket })")
      ) {
        failed++;
        console.log("node < 22 without WebSocket: the MissingWebSocketError was not reported");
      }
    } else if (runtime === "bun") {
      let bun = "bun";
      let bunVersion = await version(bun);
      const packages = [tarball];
      if (!bunVersion) packages.push(`bun@${BUN_VERSION}`);
      await freshProject(dir, packages);
      if (!bunVersion) {
        bun = `${dir}/node_modules/.bin/bun`;
        bunVersion = await version(bun);
        if (!bunVersion) throw new Error("bun did not install");
      }
      const { ok, output } = await run(bun, ["hello.mjs"], { cwd: dir, env });
      line = `bun ${bunVersion}: ${ok ? "ok" : "FAILED"}`;
      console.log(output.trim());
      if (!ok || !output.includes(`received "hello from bun ${bunVersion}"`)) failed++;
    } else {
      throw new Error(`unknown runtime ${runtime}`);
    }
    results.push(line);
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else await Deno.remove(work, { recursive: true });
}
console.log(`npm package: ${results.join(", ")}; ${failed === 0 ? "passed" : `${failed} failed`}`);
Deno.exit(failed === 0 ? 0 : 1);
