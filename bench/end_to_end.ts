// deno run -A bench/end_to_end.ts [--messages 500] [--mb 3] [--latency 40] [--delay 20]
//                                 [--idle-seconds 10] [--clients 1,10,50,100]
//
// Our client end to end through a localnet, the client and the localnet each in their own
// process (CPU and memory are read from /proc/<pid>):
// 1. throughput with per-hop delays off: messages/s (100-byte messages) and MB/s (1 MB ones);
// 2. latency our code adds over the per-hop delays: one message at a time, with every mixnode
//    holding each packet exactly D ms (the localnet's addedLatencyMs; the client encodes 0 ms
//    delays, the mixnodes forward at once otherwise), so the known delay is 3·D; median − 3·D;
//    with connect()'s defaults (in Deno: the TCP_NODELAY DenoWebSocket), with Deno's built-in
//    WebSocket (Nagle on), and with the default plus zero-delay timers;
// 3. memory per connected client: RSS and V8 heap deltas over 1, 10, 50, 100 idle clients;
// 4. CPU of one idle client with Nym's default cover traffic, as a percentage of one core.
import { startClientProcess } from "./_client_process.ts";
import { startLocalnetProcess } from "./_localnet_process.ts";
import { markdownTable, median, percentile, sleep } from "./_proc.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const messages = Number(arg("messages", "500"));
const megabytes = Number(arg("mb", "3"));
const latencySamples = Number(arg("latency", "40"));
const delayMs = Number(arg("delay", "20"));
const idleSeconds = Number(arg("idle-seconds", "10"));
const clientCounts = arg("clients", "1,10,50,100").split(",").map(Number);

const net = await startLocalnetProcess({ maxPerHopDelayMs: 0 });
const { nymApiUrl } = net.info;
const gateway = net.info.gateways[0];
const started = performance.now();
try {
  // ---- 1. throughput -------------------------------------------------------------------------
  {
    const { child } = await startClientProcess({ nymApiUrl, gateway });
    await child.send("burst 100 100"); // warm-up: JIT, connections, congestion window
    await child.read();
    await sleep(500);
    const run = async (count: number, bytes: number) => {
      const c0 = child.cpu();
      const l0 = net.child.cpu();
      await child.send(`burst ${count} ${bytes}`);
      const r = await child.read();
      await sleep(300); // last acks
      return {
        seconds: Number(r.wallMs) / 1000,
        bytes: Number(r.receivedBytes),
        clientCpu: child.cpu() - c0,
        localnetCpu: net.child.cpu() - l0,
      };
    };
    const small = await run(messages, 100);
    const large = await run(megabytes, 1_000_000);
    await child.send("stats");
    const stats = await child.read();
    await child.close();
    const mb = large.bytes / 1e6;
    console.log(
      `### Throughput, per-hop delays off (client and localnet in separate processes)\n\n` +
        markdownTable(["workload", "rate", "client CPU", "localnet CPU", "wall"], [
          [
            `${messages} messages of 100 B to self`,
            `${(messages / small.seconds).toFixed(0)} messages/s`,
            `${(small.clientCpu / messages * 1000).toFixed(2)} ms/message`,
            `${(small.localnetCpu / messages * 1000).toFixed(2)} ms/message`,
            `${small.seconds.toFixed(2)} s`,
          ],
          [
            `${megabytes} messages of 1 MB to self`,
            `${(mb / large.seconds).toFixed(2)} MB/s`,
            `${(large.clientCpu / mb).toFixed(2)} s/MB`,
            `${(large.localnetCpu / mb).toFixed(2)} s/MB`,
            `${large.seconds.toFixed(2)} s`,
          ],
        ]) +
        `\n\n${stats.realPacketsSent} real packets sent, ${stats.retransmissions} retransmissions, ` +
        `${stats.acksReceived} acks.\n`,
    );
  }

  // ---- 2. latency added over the per-hop delays ----------------------------------------------
  {
    const variants = [
      {
        name: "default (DenoWebSocket, TCP_NODELAY)",
        builtinWebSocket: false,
        zeroDelayClock: false,
      },
      { name: "Deno's built-in WebSocket", builtinWebSocket: true, zeroDelayClock: false },
      {
        name: "default + 0 ms timers as microtasks",
        builtinWebSocket: false,
        zeroDelayClock: true,
      },
    ];
    const rows: string[][] = [];
    for (const d of [0, delayMs]) {
      await net.setFaults({ addedLatencyMs: d });
      for (const v of variants) {
        const { child } = await startClientProcess({ nymApiUrl, gateway, ...v });
        await child.send(`latency ${latencySamples} 200`);
        const latencies = (await child.read()).latencies as number[];
        await child.close();
        const p50 = median(latencies);
        rows.push([
          `${d} ms`,
          v.name,
          p50.toFixed(1),
          percentile(latencies, 95).toFixed(1),
          (p50 - 3 * d).toFixed(1),
        ]);
      }
    }
    await net.setFaults({ addedLatencyMs: 0 });
    console.log(
      `### Latency send → receive, one 100-byte message at a time (${latencySamples} samples ` +
        `after 200 warm-up messages)\n\n` +
        markdownTable(
          [
            "per-hop delay D",
            "client WebSocket",
            "p50, ms",
            "p95, ms",
            "added by our code (p50 − 3·D), ms",
          ],
          rows,
        ) + "\n",
    );
  }

  // ---- 3. memory per connected client --------------------------------------------------------
  {
    const { child } = await startClientProcess({ nymApiUrl, gateway, clients: 0 });
    await child.send("memory");
    const base = await child.read();
    const rows: string[][] = [];
    let first: { n: number; rss: number; heap: number } | undefined;
    for (const n of clientCounts) {
      await child.send(`connect ${n}`);
      const m = await child.read();
      const rss = (Number(m.rss) - Number(base.rss)) / 2 ** 20;
      const heap = (Number(m.heapUsed) - Number(base.heapUsed)) / 2 ** 20;
      // The first client also loads and compiles the code; later ones cost only their state.
      const marginal = (now: number, then: number) =>
        first && n > first.n ? ((now - then) / (n - first.n) * 1024).toFixed(0) : "–";
      rows.push([
        String(n),
        rss.toFixed(1),
        (rss / n * 1024).toFixed(0),
        marginal(rss, first?.rss ?? 0),
        heap.toFixed(1),
        marginal(heap, first?.heap ?? 0),
      ]);
      first ??= { n, rss, heap };
    }
    await child.close();
    console.log(
      `### Memory of idle connected clients (one process, no cover traffic; base RSS ${
        (Number(base.rss) / 2 ** 20).toFixed(0)
      } MiB)\n\n` +
        markdownTable(
          [
            "clients",
            "RSS delta, MiB",
            "RSS per client, KiB",
            "RSS per client after the first, KiB",
            "V8 heap delta, MiB",
            "heap per client after the first, KiB",
          ],
          rows,
        ) + "\n",
    );
  }

  // ---- 4. CPU of an idle client with default cover traffic -----------------------------------
  if (idleSeconds > 0) {
    const { child } = await startClientProcess({ nymApiUrl, gateway, traffic: "default" });
    await sleep(1000);
    await child.send("stats");
    const s0 = await child.read();
    const c0 = child.cpu();
    const l0 = net.child.cpu();
    const t0 = performance.now();
    await sleep(idleSeconds * 1000);
    const cpu = child.cpu() - c0;
    const localnetCpu = net.child.cpu() - l0;
    const wall = (performance.now() - t0) / 1000;
    await child.send("stats");
    const s1 = await child.read();
    await child.close();
    const packets = Number(s1.coverPacketsSent) - Number(s0.coverPacketsSent);
    console.log(
      `### Idle client, Nym's default traffic (20 ms Poisson stream, 200 ms loop cover)\n\n` +
        markdownTable(["measure", "value"], [
          ["client CPU, % of one core", (100 * cpu / wall).toFixed(1)],
          ["cover packets sent per second", (packets / wall).toFixed(1)],
          ["client CPU per cover packet, ms", (1000 * cpu / packets).toFixed(2)],
          ["localnet CPU, % of one core", (100 * localnetCpu / wall).toFixed(1)],
        ]) + "\n",
    );
  }
} finally {
  await net.close();
}
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
