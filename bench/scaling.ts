// deno run -A bench/scaling.ts [--max-mb 10] [--clients 1,10,50,100] [--messages 1000]
//                              [--builtin-ws] [--out DIR]
//
// (--max-mb 50 adds the 50 MB message: about 100 s more. --builtin-ws gives the clients Deno's
// built-in WebSocket instead of connect()'s default TCP_NODELAY one, see end_to_end.ts.)
//
// How our client's cost grows with the message size and with the number of clients, through a
// localnet with per-hop delays off; the clients in one process, the localnet in another (CPU
// time and RSS from /proc/<pid>). Prints markdown tables and writes two SVG plots to
// bench/results/.
//
// - size: 1 KB … 50 MB; each size sent as a batch of concurrent messages to ourselves
//   (about 2 MB in total for the small sizes, one message from 1 MB up), timed until the last
//   one arrives;
// - clients: N clients connected to one gateway, each sending to the next one round robin,
//   `--messages` messages in total.
import { startClientProcess } from "./_client_process.ts";
import { startLocalnetProcess } from "./_localnet_process.ts";
import { markdownTable, sleep } from "./_proc.ts";
import { lineChart } from "./_svg.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const maxMb = Number(arg("max-mb", "10"));
const builtinWebSocket = Deno.args.includes("--builtin-ws");
const clientCounts = arg("clients", "1,10,50,100").split(",").map(Number);
const totalMessages = Number(arg("messages", "1000"));
const KB = 1000;
const MB = 1_000_000;
const sizes = [KB, 10 * KB, 100 * KB, MB, 10 * MB, 50 * MB].filter((s) => s <= maxMb * MB);
const PAYLOAD_PER_PACKET = 1604; // user bytes per regular packet (1611-byte fragment, 7-byte header)

const human = (bytes: number) =>
  bytes >= MB ? `${bytes / MB} MB` : bytes >= KB ? `${bytes / KB} KB` : `${bytes} B`;
const outDir = Deno.args.includes("--out")
  ? new URL(`file://${Deno.realPathSync(arg("out", "."))}/`)
  : new URL("./results/", import.meta.url);
await Deno.mkdir(outDir, { recursive: true });

const net = await startLocalnetProcess({ maxPerHopDelayMs: 0 });
const { nymApiUrl } = net.info;
const gateway = net.info.gateways[0];
const started = performance.now();

/** Runs `command` in `child` while sampling its RSS; returns the reply, CPU deltas, peak RSS. */
async function measured(
  child: Awaited<ReturnType<typeof startClientProcess>>["child"],
  command: string,
) {
  const c0 = child.cpu();
  const l0 = net.child.cpu();
  let peak = child.rss();
  const sampler = setInterval(() => peak = Math.max(peak, child.rss()), 100);
  await child.send(command);
  const reply = await child.read();
  clearInterval(sampler);
  await sleep(300); // the last acks
  return {
    reply,
    clientCpu: child.cpu() - c0,
    localnetCpu: net.child.cpu() - l0,
    peakRssMiB: Math.max(peak, child.rss()) / 2 ** 20,
  };
}

try {
  // ---- cost vs message size ------------------------------------------------------------------
  const sizeRows: string[][] = [];
  const sizePoints = {
    wall: [] as [number, number][],
    client: [] as [number, number][],
    net: [] as [number, number][],
  };
  {
    const { child } = await startClientProcess({ nymApiUrl, gateway, builtinWebSocket });
    await child.send("burst 200 100"); // warm-up
    await child.read();
    for (const size of sizes) {
      const count = Math.max(1, Math.min(200, Math.round(2 * MB / size)));
      const m = await measured(child, `burst ${count} ${size}`);
      const seconds = Number(m.reply.wallMs) / 1000;
      const mb = count * size / MB;
      const packets = Math.ceil((size + 10) / PAYLOAD_PER_PACKET);
      sizeRows.push([
        human(size),
        String(count),
        String(packets),
        (seconds / count).toFixed(3),
        (mb / seconds).toFixed(2),
        (m.clientCpu / mb).toFixed(2),
        (m.localnetCpu / mb).toFixed(2),
        m.peakRssMiB.toFixed(0),
      ]);
      sizePoints.wall.push([size, seconds / mb]);
      sizePoints.client.push([size, m.clientCpu / mb]);
      sizePoints.net.push([size, m.localnetCpu / mb]);
      console.error(`  size ${human(size)} done (${seconds.toFixed(1)} s)`);
    }
    await child.close();
  }
  console.log(
    `### Cost vs message size (one client, messages to itself, per-hop delays off${
      builtinWebSocket ? ", Deno's built-in WebSocket" : ""
    })\n\n` +
      markdownTable([
        "message size",
        "messages sent at once",
        "packets per message",
        "wall per message, s",
        "MB/s",
        "client CPU, s/MB",
        "localnet CPU, s/MB",
        "client peak RSS, MiB",
      ], sizeRows) + "\n",
  );
  const sizeSvg = new URL("scaling_size.svg", outDir);
  if (sizes.length > 0) {
    await Deno.writeTextFile(
      sizeSvg,
      lineChart({
        title: "Cost per MB vs message size (localnet, delays off)",
        xLabel: "message size (bytes)",
        yLabel: "seconds per MB",
        xLog: true,
        yLog: true,
        xTickLabel: human,
        series: [
          { name: "wall time", points: sizePoints.wall },
          { name: "client CPU", points: sizePoints.client },
          { name: "localnet CPU", points: sizePoints.net },
        ],
      }),
    );
  }

  // ---- cost vs number of clients -------------------------------------------------------------
  const clientRows: string[][] = [];
  const clientPoints = {
    client: [] as [number, number][],
    net: [] as [number, number][],
    rate: [] as [number, number][],
  };
  for (const n of clientCounts) {
    const t0 = performance.now();
    const { child } = await startClientProcess({
      nymApiUrl,
      gateway,
      clients: n,
      builtinWebSocket,
    });
    const connectSeconds = (performance.now() - t0) / 1000;
    await child.send(`burst ${Math.max(100, n)} 100`); // warm-up, every client sends once
    await child.read();
    const idleRss = child.rss() / 2 ** 20;
    await child.send("stats");
    const before = await child.read();
    const m = await measured(child, `burst ${totalMessages} 100`);
    const seconds = Number(m.reply.wallMs) / 1000;
    await child.send("stats");
    const after = await child.read();
    const retransmissions = Number(after.retransmissions) - Number(before.retransmissions);
    await child.close();
    clientRows.push([
      String(n),
      connectSeconds.toFixed(1),
      (totalMessages / seconds).toFixed(0),
      (1000 * m.clientCpu / totalMessages).toFixed(2),
      (1000 * m.localnetCpu / totalMessages).toFixed(2),
      String(retransmissions),
      idleRss.toFixed(0),
      m.peakRssMiB.toFixed(0),
    ]);
    clientPoints.client.push([n, 1000 * m.clientCpu / totalMessages]);
    clientPoints.net.push([n, 1000 * m.localnetCpu / totalMessages]);
    clientPoints.rate.push([n, totalMessages / seconds]);
    console.error(`  ${n} clients done (${seconds.toFixed(1)} s)`);
  }
  console.log(
    `### Cost vs number of clients (one process, one gateway, ${totalMessages} messages of ` +
      `100 B round robin to the next client${
        builtinWebSocket ? ", Deno's built-in WebSocket" : ", TCP_NODELAY WebSocket"
      })\n\n` +
      markdownTable([
        "clients",
        "start-up (all connected), s",
        "messages/s",
        "client CPU, ms/message",
        "localnet CPU, ms/message",
        "retransmissions",
        "RSS before, MiB",
        "peak RSS, MiB",
      ], clientRows) + "\n",
  );
  const clientSvg = new URL("scaling_clients.svg", outDir);
  if (clientCounts.length > 0) {
    await Deno.writeTextFile(
      clientSvg,
      lineChart({
        title: "CPU per message vs number of clients (localnet, delays off)",
        xLabel: "clients in one process",
        yLabel: "ms of CPU per message",
        xLog: true,
        series: [
          { name: "clients' process", points: clientPoints.client },
          { name: "localnet process", points: clientPoints.net },
        ],
      }),
    );
  }
  // keep the files as `deno fmt` (part of `deno task check`) writes them
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", sizeSvg.pathname, clientSvg.pathname],
    stdout: "null",
    stderr: "null",
  }).output();
  console.log(`plots: ${sizeSvg.pathname}\n       ${clientSvg.pathname}`);
} finally {
  await net.close();
}
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
