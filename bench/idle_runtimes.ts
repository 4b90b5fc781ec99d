// deno run -A bench/idle_runtimes.ts [--rounds 3] [--seconds 10] [--node-dir DIR]
//
// CPU of one idle connected client with Nym's default cover traffic, in Deno and in Node, side
// by side in one run against one localnet process: the client code is the browser bundle of
// connect() (what a Node user gets from the npm build), run by `node` with `ws` as WebSocket.
// `--node-dir` names a folder whose node_modules holds `ws` (install it there with
// `npm install ws`); without it, Node is skipped. Bun is run the same way when `bun` is on PATH.
import { startLocalnetProcess } from "./_localnet_process.ts";
import { cpuSeconds, markdownTable, median, sleep } from "./_proc.ts";
import { startClientProcess } from "./_client_process.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const rounds = Number(arg("rounds", "3"));
const seconds = Number(arg("seconds", "10"));
const nodeDir = arg("node-dir", "");
const root = new URL("..", import.meta.url).pathname;

async function has(command: string): Promise<boolean> {
  try {
    return (await new Deno.Command(command, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).code === 0;
  } catch {
    return false;
  }
}

/** Writes the bundle of connect() and a runner script into `dir`; returns the runner's path. */
async function prepare(dir: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--format",
      "esm",
      "scripts/_size_entry.ts",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(new TextDecoder().decode(stderr));
  await Deno.writeFile(`${dir}/connect.mjs`, stdout);
  const runner = `${dir}/idle_client.mjs`;
  await Deno.writeTextFile(
    runner,
    `import { connect } from "./connect.mjs";
if (typeof WebSocket === "undefined") {
  const { WebSocket } = await import("ws");
  globalThis.WebSocket = WebSocket;
}
const [nymApiUrl, gateway] = process.argv.slice(2);
await connect({ nymApiUrl, gateway, traffic: "default" });
console.log("ready");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`,
  );
  return runner;
}

const net = await startLocalnetProcess({ maxPerHopDelayMs: 0 });
const { nymApiUrl } = net.info;
const gateway = net.info.gateways[0];
const runtimes: string[] = ["deno"];
if (nodeDir && await has("node")) runtimes.push("node");
if (nodeDir && await has("bun")) runtimes.push("bun");
const runner = nodeDir ? await prepare(nodeDir) : "";
const results: Record<string, number[]> = {};
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...runtimes].reverse() : runtimes;
    for (const runtime of order) {
      let pid: number;
      let stop: () => Promise<void>;
      if (runtime === "deno") {
        const { child } = await startClientProcess({ nymApiUrl, gateway, traffic: "default" });
        pid = child.pid;
        stop = () => child.close();
      } else {
        const child = new Deno.Command(runtime, {
          args: [runner, nymApiUrl, gateway],
          cwd: nodeDir,
          stdin: "piped",
          stdout: "piped",
          stderr: "inherit",
        }).spawn();
        const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        while (!text.includes("ready")) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`${runtime} client exited`);
          text += value;
        }
        pid = child.pid;
        stop = async () => {
          await child.stdin.close();
          await child.status;
          await reader.cancel();
        };
      }
      await sleep(1000);
      const c0 = cpuSeconds(pid);
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const percent = 100 * (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
      (results[runtime] ??= []).push(percent);
      console.log(`  round ${round + 1} ${runtime.padEnd(5)}: ${percent.toFixed(1)} % of a core`);
      await stop();
    }
  }
} finally {
  await net.close();
}
const deno = median(results.deno);
console.log(
  `\n### Idle client, default cover traffic, % of one core (median of ${rounds} × ${seconds} s)\n\n` +
    markdownTable(
      ["runtime", "% of one core", "relative to Deno"],
      runtimes.map((r) => [
        r,
        median(results[r]).toFixed(1),
        `${(median(results[r]) / deno).toFixed(2)}×`,
      ]),
    ),
);
