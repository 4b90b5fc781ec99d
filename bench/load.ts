// deno task bench:load [clients] [messages per client] — many clients through one localnet.
// Every client sends its messages to randomly chosen others; prints delivery, throughput,
// latency percentiles and peak memory. Exits non-zero if anything resolved was not delivered.
import { connect, type MixnetClient } from "../mod.ts";
import { startLocalnet } from "../localnet/mod.ts";

export interface LoadResult {
  clients: number;
  messages: number;
  delivered: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
  peakRssMiB: number;
  packetsSent: number;
  retransmissions: number;
}

export async function runLoad(clients: number, perClient: number): Promise<LoadResult> {
  await using net = await startLocalnet({ mixnodesPerLayer: 2, gateways: 2, logger: "silent" });
  let peak = Deno.memoryUsage().rss;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 100);
  const traffic = { preset: "noCover" as const, maximumRetransmissions: 40 };
  const nodes: MixnetClient[] = [];
  for (let i = 0; i < clients; i++) {
    nodes.push(
      await connect({ nymApiUrl: net.nymApiUrl, traffic, gateway: net.gateways[i % 2].identity }),
    );
  }
  const latencies: number[] = [];
  let delivered = 0;
  const expected = clients * perClient;
  let done!: () => void;
  const allIn = new Promise<void>((resolve) => done = resolve);
  const readers = nodes.map(async (node) => {
    for await (const message of node.messages) {
      const sentAt = new DataView(message.data.buffer, message.data.byteOffset).getFloat64(0);
      latencies.push(performance.now() - sentAt);
      if (++delivered === expected) done();
    }
  });
  const started = performance.now();
  const handles = [];
  for (let round = 0; round < perClient; round++) {
    for (let i = 0; i < clients; i++) {
      const to = nodes[(i + 1 + Math.floor(Math.random() * (clients - 1))) % clients];
      const body = new Uint8Array(200);
      new DataView(body.buffer).setFloat64(0, performance.now());
      handles.push(nodes[i].send(to.address, body));
    }
  }
  const settled = await Promise.allSettled(handles.map((h) => h.delivered));
  const failed = settled.filter((s) => s.status === "rejected").length;
  if (failed === 0) await allIn;
  const seconds = (performance.now() - started) / 1000;
  const sent = nodes.reduce((n, c) => n + c.stats.realPacketsSent, 0);
  if (Deno.env.get("LOAD_DEBUG")) {
    for (const m of [...net.mixnodes.map((x) => x.node), ...net.gateways.map((g) => g.node)]) {
      const {
        framesReceived,
        droppedReplay,
        droppedMalformed,
        droppedQueueFull,
        droppedSendFailure,
        droppedFinalHop,
      } = m.stats;
      console.log(m.hostPort, {
        framesReceived,
        droppedReplay,
        droppedMalformed,
        droppedQueueFull,
        droppedSendFailure,
        droppedFinalHop,
      });
    }
  }
  const retransmissions = nodes.reduce((n, c) => n + c.stats.retransmissions, 0);
  clearInterval(sampler);
  await Promise.all(nodes.map((n) => n.disconnect()));
  await Promise.all(readers);
  return {
    clients,
    messages: expected,
    delivered,
    failed,
    seconds,
    latenciesMs: latencies.sort((a, b) => a - b),
    peakRssMiB: peak / 2 ** 20,
    packetsSent: sent,
    retransmissions,
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))]
    : NaN;
}

export function describe(r: LoadResult): string {
  const p = (q: number) => percentile(r.latenciesMs, q).toFixed(0);
  return [
    `${r.clients} clients × ${
      r.messages / r.clients
    } messages: ${r.delivered}/${r.messages} delivered, ${r.failed} failed`,
    `  ${(r.delivered / r.seconds).toFixed(0)} messages/s over ${
      r.seconds.toFixed(1)
    } s (one process: localnet and all clients)`,
    `  latency send→receive p50 ${p(50)} ms, p95 ${p(95)} ms, p99 ${p(99)} ms, max ${p(100)} ms`,
    `  ${r.packetsSent} packets, ${r.retransmissions} retransmissions`,
    `  peak RSS ${r.peakRssMiB.toFixed(0)} MiB`,
  ].join("\n");
}

if (import.meta.main) {
  const clients = Number(Deno.args[0] ?? 50);
  const messages = Number(Deno.args[1] ?? 200);
  const result = await runLoad(clients, messages);
  console.log(describe(result));
  if (result.delivered !== result.messages - result.failed || result.failed > 0) Deno.exit(1);
}
