// deno run -A bench/exit_download.ts [--runs 3] [--latency 10]
//
// A 1 MB download through the mixnet exit vs the same download directly, in one run: a localnet
// (per-hop delays as the client chooses), our network requester on its own client, and a user
// client fetching from a loopback HTTP origin with mixFetch: anonymous (replies through SURBs,
// the default) and with a return address (as mix-fetch 1.x); with the `noCover` preset (no
// Poisson delay, no cover: the tests' settings) and with Nym's default traffic (a 20 ms Poisson
// stream with cover, 15 ms mean per hop). Latency is a small GET, request to last byte.
import { connect } from "../client/connect.ts";
import type { TrafficPreset } from "../client/traffic.ts";
import { createMixFetch, denoTransport, serveNetworkRequester } from "../exit/mod.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { markdownTable, median } from "./_proc.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const runs = Number(arg("runs", "3"));
const latencyRuns = Number(arg("latency", "10"));
const SIZE = 1_000_000;
const payload = new Uint8Array(SIZE);
for (let at = 0; at < SIZE; at += 65536) crypto.getRandomValues(payload.subarray(at, at + 65536));

const origin = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  (request) =>
    new URL(request.url).pathname === "/1mb" ? new Response(payload) : new Response("ok"),
);
const base = `http://127.0.0.1:${origin.addr.port}`;

async function time(fn: () => Promise<number>): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const bytes = await fn();
  return { ms: performance.now() - start, bytes };
}

const rows: string[][] = [];
const row = (what: string, ms: number[], lat: number[]) => {
  const m = median(ms);
  rows.push([
    what,
    `${m.toFixed(0)} ms`,
    `${(SIZE / 1e6 / (m / 1000)).toFixed(2)} MB/s`,
    lat.length ? `${median(lat).toFixed(1)} ms` : "",
  ]);
  return m;
};

// Direct.
const direct: number[] = [], directLatency: number[] = [];
for (let i = 0; i < runs; i++) {
  direct.push(
    (await time(async () => (await (await fetch(`${base}/1mb`)).arrayBuffer()).byteLength)).ms,
  );
}
for (let i = 0; i < latencyRuns; i++) {
  directLatency.push((await time(async () => (await (await fetch(`${base}/`)).text()).length)).ms);
}
const directMs = row("direct fetch (loopback)", direct, directLatency);

for (const preset of ["noCover", "default"] as TrafficPreset[]) {
  const net = await startLocalnet({ logger: "silent" });
  const exitClient = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: { preset, poisson: false }, // Nym's requester: disable_poisson_rate = true
  });
  const requester = serveNetworkRequester(exitClient, {
    transport: denoTransport(),
    allowLocalIps: true,
  });
  const user = await connect({ nymApiUrl: net.nymApiUrl, traffic: preset });
  try {
    for (const anonymous of [true, false]) {
      const mixFetch = createMixFetch({ client: user, requester: exitClient.address, anonymous });
      await (await mixFetch(`${base}/`)).text(); // warm-up
      const ms: number[] = [], lat: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await time(async () =>
          (await (await mixFetch(`${base}/1mb`)).arrayBuffer()).byteLength
        );
        if (r.bytes !== SIZE) throw new Error(`got ${r.bytes} bytes`);
        ms.push(r.ms);
      }
      for (let i = 0; i < latencyRuns; i++) {
        lat.push((await time(async () => (await (await mixFetch(`${base}/`)).text()).length)).ms);
      }
      const m = row(
        `mixFetch, ${preset}, ${anonymous ? "anonymous (SURBs)" : "return address"}`,
        ms,
        lat,
      );
      rows[rows.length - 1][0] += ` — ${(m / directMs).toFixed(0)}× direct`;
    }
  } finally {
    await requester.close();
    await user.disconnect({ timeoutMs: 1000 });
    await exitClient.disconnect({ timeoutMs: 1000 });
    await net.close();
  }
}
await origin.shutdown();
console.log(`1 MB download, median of ${runs}; latency: small GET, median of ${latencyRuns}\n`);
console.log(markdownTable(["path", "1 MB", "throughput", "small GET"], rows));
