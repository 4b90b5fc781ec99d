// deno run --allow-net=127.0.0.1 --allow-env bench/stream_throughput.ts [MB]
//
// One stream through a localnet (three mixnode layers, two gateways, all in this process):
// Alice writes MB megabytes (default 2), Bob reads them to the end and answers with their
// SHA-256. Prints MB/s and CPU seconds per MB for per-hop delays of 0 and of Nym's default
// 15 ms (both without cover traffic or Poisson sending, so the figures are the stream's and
// the network's, not the traffic shaping's), then the same at Nym's full default traffic.
// CPU time is the whole process: both clients and every node.
import { connect } from "../mod.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { listen, openStream } from "../stream/mod.ts";
import process from "node:process";

/** User + system CPU seconds of this process (Node's `process.cpuUsage`, no permission). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function random(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

interface Run {
  name: string;
  megabytes: number;
  seconds: number;
  cpu: number;
  packets: number;
  retransmissions: number;
}

async function run(
  name: string,
  megabytes: number,
  traffic: "noCover" | "default",
  perHopMs: number,
): Promise<Run> {
  await using net = await startLocalnet({
    mixnodesPerLayer: 2,
    gateways: 2,
    logger: "silent",
    maxPerHopDelayMs: perHopMs === 0 ? 0 : 10_000,
  });
  const options = {
    preset: traffic,
    averagePacketDelayMs: perHopMs,
    averageAckDelayMs: perHopMs,
  };
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: options,
    gateway: net.gateways[0].identity,
  });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: options,
    gateway: net.gateways[1].identity,
  });
  try {
    const size = Math.round(megabytes * 1e6);
    const data = random(size);
    const listener = listen(bob);
    const serving = (async () => {
      const stream = (await listener.accept())!;
      const received = new Uint8Array(await new Response(stream.readable).arrayBuffer());
      const writer = stream.writable.getWriter();
      await writer.write(new Uint8Array(await crypto.subtle.digest("SHA-256", received)));
      await writer.close();
    })();
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const stream = openStream(alice, bob.address);
    const writer = stream.writable.getWriter();
    const writing = (async () => {
      for (let i = 0; i < size; i += 65536) await writer.write(data.subarray(i, i + 65536));
      await writer.close();
    })();
    const digest = new Uint8Array(await new Response(stream.readable).arrayBuffer());
    await writing;
    await serving;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0;
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    if (!digest.every((b, i) => b === expected[i])) throw new Error(`${name}: digest mismatch`);
    listener.close();
    return {
      name,
      megabytes,
      seconds,
      cpu,
      packets: alice.stats.realPacketsSent,
      retransmissions: alice.stats.retransmissions,
    };
  } finally {
    await alice.disconnect({ timeoutMs: 2000 });
    await bob.disconnect({ timeoutMs: 2000 });
  }
}

const megabytes = Number(Deno.args[0] ?? 2);
const runs = [
  await run("per-hop delay 0 ms, no cover", megabytes, "noCover", 0),
  await run("per-hop delay 15 ms, no cover", megabytes, "noCover", 15),
  await run(
    "Nym default traffic (Poisson 20 ms, cover, 15 ms)",
    Math.min(megabytes, 0.5),
    "default",
    15,
  ),
];
console.log("| run | MB | s | MB/s | CPU s | CPU s per MB | packets | retransmitted |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of runs) {
  console.log(
    `| ${r.name} | ${r.megabytes} | ${r.seconds.toFixed(1)} | ${
      (r.megabytes / r.seconds).toFixed(3)
    } | ` +
      `${r.cpu.toFixed(1)} | ${
        (r.cpu / r.megabytes).toFixed(2)
      } | ${r.packets} | ${r.retransmissions} |`,
  );
}
