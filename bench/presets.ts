// deno run -A bench/presets.ts [--kb 250] [--latency 15] [--idle-seconds 4]
//
// What each traffic preset costs, measured in one run through one localnet (real per-hop delays
// as each preset asks for them; the localnet, both clients and the sender share this process):
// - throughput: one message of --kb KB from alice to bob, send() to delivery at bob;
// - latency: one 100-byte message at a time, send → received, median of --latency;
// - idle traffic: packets per second an idle client sends (cover), and the bandwidth that is.
// Prints a Markdown table for the README.
import { connect } from "../client/connect.ts";
import type { MixnetClient } from "../client/mixnet_client.ts";
import { trafficConfig, type TrafficPreset } from "../client/traffic.ts";
import { startLocalnet } from "../localnet/mod.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}
const kilobytes = Number(arg("kb", "250"));
const latencySamples = Number(arg("latency", "15"));
const idleSeconds = Number(arg("idle-seconds", "4"));
const PACKET_BYTES = 2413; // a regular Sphinx packet on the wire

async function receiveOne(client: MixnetClient): Promise<Uint8Array> {
  const reader = client.messages.getReader();
  try {
    const { value } = await reader.read();
    return value!.data;
  } finally {
    reader.releaseLock();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await using net = await startLocalnet({ mixnodesPerLayer: 1, logger: "silent" });
const rows: string[][] = [];
for (const preset of ["default", "fast", "noCover"] as TrafficPreset[]) {
  const config = trafficConfig(preset);
  const alice = await connect({ nymApiUrl: net.nymApiUrl, traffic: preset });
  const bob = await connect({ nymApiUrl: net.nymApiUrl, traffic: preset });
  try {
    // Idle traffic first, while nothing else is sent.
    const before = alice.stats;
    await wait(idleSeconds * 1000);
    const after = alice.stats;
    const idlePps = (after.coverPacketsSent - before.coverPacketsSent +
      after.realPacketsSent - before.realPacketsSent) / idleSeconds;

    // Warm-up, then latency one message at a time.
    await alice.send(bob.address, "warm-up");
    await receiveOne(bob);
    const latencies: number[] = [];
    for (let i = 0; i < latencySamples; i++) {
      const t0 = performance.now();
      alice.send(bob.address, new Uint8Array(100));
      await receiveOne(bob);
      latencies.push(performance.now() - t0);
    }

    // Throughput: one large message.
    const data = new Uint8Array(kilobytes * 1000).map((_, i) => (i * 7919) & 0xff);
    const t0 = performance.now();
    const handle = alice.send(bob.address, data);
    const got = await receiveOne(bob);
    const seconds = (performance.now() - t0) / 1000;
    await handle;
    if (got.length !== data.length) throw new Error(`${preset}: wrong length ${got.length}`);
    const mbps = data.length / 1e6 / seconds;
    rows.push([
      `\`${preset}\``,
      config.poisson ? `Poisson, ${config.messageSendingAverageDelayMs} ms mean gap` : "off",
      config.loopCover && config.loopCoverAverageDelayMs < 1e6
        ? `every ${config.loopCoverAverageDelayMs} ms`
        : "off",
      `${config.averagePacketDelayMs} ms`,
      `${mbps.toFixed(3)} MB/s (${handle.fragments} packets in ${seconds.toFixed(1)} s)`,
      `${median(latencies).toFixed(0)} ms`,
      `${idlePps.toFixed(1)} packets/s (${(idlePps * PACKET_BYTES / 1024).toFixed(0)} KiB/s)`,
    ]);
    console.error(`${preset}: done`);
  } finally {
    await alice.disconnect({ timeoutMs: 2000 });
    await bob.disconnect({ timeoutMs: 2000 });
  }
}

console.log(
  `| preset | main stream | loop cover | delay per hop (mean) | throughput, one ${kilobytes} KB message | latency p50, 100 B | idle client sends |`,
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log(
  `\nDeno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, ${
    new Date().toISOString().slice(0, 10)
  }; ` +
    "one process holds the localnet and both clients.",
);
