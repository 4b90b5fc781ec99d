// Smoke tests of the bench scripts and their helpers (bench/): the helpers compute what they
// claim, and the multi-process scripts run end to end with tiny workloads. (The TCP_NODELAY
// WebSocket the scripts used to carry is now websocket/, tested in websocket_deno_test.ts.)
import { assert, assertEquals } from "./_assert.ts";
import { lineChart } from "../bench/_svg.ts";
import { markdownTable, median, percentile } from "../bench/_proc.ts";

const bench = (name: string) => new URL(`../bench/${name}`, import.meta.url).pathname;

async function runScript(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, out: text.decode(stdout), err: text.decode(stderr) };
}

Deno.test("the bench statistics and table helpers compute medians, percentiles and rows", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 3, 2]), 2.5);
  assert(Number.isNaN(median([])));
  assertEquals(percentile([5, 1, 4, 2, 3], 95), 5);
  assertEquals(percentile([5, 1, 4, 2, 3], 40), 2);
  assertEquals(markdownTable(["a", "b"], [["1", "2"]]), "| a | b |\n| --- | --- |\n| 1 | 2 |");
});

Deno.test("the bench SVG chart draws one line and one legend entry per series, in its box", () => {
  const svg = lineChart({
    title: "t <1>",
    xLabel: "x",
    yLabel: "y",
    xLog: true,
    yLog: true,
    series: [
      { name: "a", points: [[1e3, 2], [1e6, 1.2]] },
      { name: "b", points: [[1e3, 3], [1e4, 2.5], [1e6, 1.5]] },
    ],
  });
  assert(svg.startsWith("<svg ") && svg.trimEnd().endsWith("</svg>"));
  assert(svg.includes("t &lt;1&gt;"), "the title is escaped");
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]);
  assertEquals(lines.length, 2);
  assertEquals(lines[1].split(" ").length, 3);
  for (const point of lines.flatMap((l) => l.split(" "))) {
    const [x, y] = point.split(",").map(Number);
    assert(x >= 80 && x <= 530 && y >= 40 && y <= 360, `point ${point} inside the plot`);
  }
  assertEquals([...svg.matchAll(/<circle /g)].length, 5);
});

Deno.test({
  name: "bench/versus_official.ts runs both clients through one localnet and prints the ratios",
  // needs the official client from the npm registry, like tests/interop/
  // deno-lint-ignore no-import-prefix
  ignore: await import("npm:@nymproject/nym-client-wasm@1.4.1").then(() => false, () => true),
  async fn() {
    const { code, out, err } = await runScript([
      bench("versus_official.ts"),
      "--rounds",
      "1",
      "--messages",
      "20",
      "--latency",
      "2",
      "--idle-seconds",
      "0",
    ]);
    assertEquals(code, 0, err);
    assert(/round 1 official: 20\/20/.test(out), out);
    assert(/round 1 ours {4}: 20\/20/.test(out), out);
    const row = out.split("\n").find((l) => l.startsWith("| client CPU-seconds per 1,000"));
    assert(row !== undefined, out);
    const [ours, official, ratio] = row.split("|").slice(2, 5).map((c) => parseFloat(c));
    assert(ours > 0 && official > 0, row);
    assert(Math.abs(ratio - ours / official) < 0.02, row);
  },
});

Deno.test("bench/scaling.ts measures sizes and client counts and writes its two plots", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, out, err } = await runScript([
      bench("scaling.ts"),
      "--max-mb",
      "0.001",
      "--clients",
      "1,2",
      "--messages",
      "20",
      "--out",
      dir,
    ]);
    assertEquals(code, 0, err);
    assert(out.includes("| 1 KB | 200 | 1 |"), out);
    assert(/\n\| 2 \| [\d.]+ \| \d+ \|/.test(out), out);
    for (const name of ["scaling_size.svg", "scaling_clients.svg"]) {
      const svg = await Deno.readTextFile(`${dir}/${name}`);
      assert(svg.includes("<polyline"), name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
