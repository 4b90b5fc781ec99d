// deno run -A bench/versus_official.ts [--messages 200] [--size 100] [--rounds 3]
//                                      [--idle-seconds 10] [--idle-rounds 3] [--tester 200]
//                                      [--rate-seconds 60]
//
// Our client and the official one (npm:@nymproject/nym-client-wasm@1.4.1, Rust compiled to
// wasm) doing the same work on the same machine, through the same localnet, in one run:
//
// - throughput: N messages of one packet each sent to the client's own address, Poisson stream
//   and cover traffic off, per-hop delays 0 (the localnet forwards at once, and both clients
//   encode 0 ms delays); wall time until all N are received, messages/s, and the client's CPU
//   seconds per 1,000 messages;
// - latency: one 100-byte message at a time to self, send → receive, p50 and p95, with each
//   client's defaults (ours: the TCP_NODELAY DenoWebSocket; the official one: Deno's built-in
//   WebSocket), then with both on Deno's built-in WebSocket and both on DenoWebSocket;
// - idle: a connected client with its default cover traffic (Nym's defaults: a 20 ms main
//   Poisson stream and a 200 ms loop cover stream) for a few seconds, several times, alternating
//   sides: percent of one core (median);
// - optionally (--rate-seconds N): packets per second each client, idle with default traffic,
//   hands its gateway (counted by the localnet at the gateway), against the configured 55/s;
// - optionally (--tester N): the official NymNodeTester.test_node(mixnode, …, N) timing.
//
// Each client runs in its own Deno process, against one localnet in a third process, so that
// the CPU time read from /proc/<pid>/stat is that client's alone (the localnet's CPU is
// reported beside it). The sides run one after the other, alternating which goes first.
import { connect } from "../mod.ts";
import { DenoWebSocket } from "../websocket/mod.ts";
import { type LocalnetInfo, startLocalnetProcess } from "./_localnet_process.ts";
import { type ProfileEntry, type ProfileSummary, startProfile } from "./_profile.ts";
import { startFloorEcho } from "./_idle_floor.ts";
import {
  Child,
  markdownTable,
  median,
  muteConsole,
  percentile,
  report,
  sleep,
  stdinLines,
} from "./_proc.ts";

type Side = "ours" | "official";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

const OFFICIAL_NO_COVER = {
  traffic: { disableMainPoissonPacketDistribution: true, averagePacketDelayMs: 0 },
  coverTraffic: { disableLoopCoverTrafficStream: true },
  acknowledgements: { averageAckDelayMs: 0 },
  statsReporting: { enabled: false },
  topology: { disableRefreshing: true },
};
const OFFICIAL_DEFAULT = {
  statsReporting: { enabled: false }, // there is no stats collector on a localnet
  topology: { disableRefreshing: true },
};
const OURS_NO_COVER = { preset: "noCover", averagePacketDelayMs: 0, averageAckDelayMs: 0 } as const;

// ---- child roles ---------------------------------------------------------------------------

// deno-lint-ignore no-explicit-any
let official: any;

// deno-lint-ignore no-explicit-any
async function loadOfficial(): Promise<any> {
  if (official) return official;
  // bench-only dependencies, pinned inline on purpose (never part of the library's import map)
  // deno-lint-ignore no-import-prefix
  await import("npm:fake-indexeddb@6.2.8/auto");
  // deno-lint-ignore no-import-prefix
  const wasm = await import("npm:@nymproject/nym-client-wasm@1.4.1");
  await wasm.default();
  return official = wasm;
}

interface Peer {
  address: string;
  send(data: Uint8Array): Promise<unknown>;
  /** Resolves when `count` messages of `size` bytes have arrived. */
  received(count: number): Promise<number>;
  stats?: () => Record<string, number>;
}

/** Which WebSocket a client process uses: its default, Deno's built-in one, or DenoWebSocket. */
type WsMode = "default" | "builtin" | "nodelay";

async function startPeer(
  side: Side,
  api: string,
  gateway: string,
  idle: boolean,
  ws: WsMode,
): Promise<Peer> {
  let count = 0;
  let target = Infinity;
  let wake: (() => void) | undefined;
  const arrived = () => {
    if (++count >= target) wake?.();
  };
  const received = (n: number) => {
    target = n;
    return count >= n ? Promise.resolve(count) : new Promise<number>((resolve) => {
      wake = () => resolve(count);
    });
  };
  if (side === "official") {
    const wasm = await loadOfficial();
    const client = await new wasm.NymClient(() => arrived(), {
      clientId: `bench-${crypto.randomUUID()}`,
      nymApiUrl: api,
      preferredGateway: gateway,
      clientOverride: idle ? OFFICIAL_DEFAULT : OFFICIAL_NO_COVER,
    });
    const address: string = client.selfAddress();
    return {
      address,
      send: (data) => client.send_regular_message(data, address),
      received,
    };
  }
  const client = await connect({
    nymApiUrl: api,
    gateway,
    traffic: idle ? "default" : OURS_NO_COVER,
    WebSocket: ws === "builtin" ? globalThis.WebSocket : undefined,
  });
  (async () => {
    for await (const _ of client.messages) arrived();
  })();
  return {
    address: client.address,
    send: (data) => client.send(client.address, data).delivered,
    received,
    stats: () => ({ ...client.stats }),
  };
}

async function runClient(side: Side): Promise<void> {
  muteConsole();
  const ws = arg("ws", "default") as WsMode;
  if (ws === "nodelay") {
    // the wasm client takes globalThis.WebSocket; ours uses DenoWebSocket by default in Deno
    Object.assign(globalThis, { WebSocket: DenoWebSocket });
  }
  const api = arg("api", "");
  const gateway = arg("gateway", "");
  const mode = arg("mode", "throughput");
  const messages = Number(arg("messages", "200"));
  const size = Number(arg("size", "100"));
  if (side === "official") await loadOfficial(); // compiling the wasm is not part of connecting
  const started = performance.now();
  const peer = await startPeer(side, api, gateway, mode === "idle", ws);
  report({ ready: true, connectMs: performance.now() - started });
  const stdin = stdinLines();
  let sent = 0;
  for (let command = await stdin.next(); command !== undefined; command = await stdin.next()) {
    if (command === "go") {
      const profile = Deno.args.includes("--profile") ? await startProfile() : undefined;
      const t0 = performance.now();
      for (let i = 0; i < messages; i++) {
        const data = crypto.getRandomValues(new Uint8Array(size));
        peer.send(data).catch(() => {});
      }
      const queuedMs = performance.now() - t0;
      const received = await peer.received(sent += messages) - (sent - messages);
      const wallMs = performance.now() - t0;
      if (profile) {
        await sleep(500); // the last acks
        const p = await profile.stop();
        report({
          profile: {
            ...p,
            byFunction: p.byFunction.slice(0, 25),
            byFile: p.byFile.slice(0, 15),
            inclusive: p.inclusive.slice(0, 30),
          },
        });
      }
      report({ done: true, received, wallMs, queuedMs, stats: peer.stats?.() });
    } else if (command.startsWith("latency ")) {
      // Warm-up burst (so that the JIT has compiled the hot paths, as in a long-running
      // client), then one message at a time: the time from send() to its arrival.
      const [samples, warmUp] = command.slice(8).split(" ").map(Number);
      for (let i = 0; i < warmUp; i++) {
        peer.send(crypto.getRandomValues(new Uint8Array(size))).catch(() => {});
      }
      await peer.received(sent += warmUp);
      await sleep(200);
      const latencies: number[] = [];
      for (let i = samples; i > 0; i--) {
        const t0 = performance.now();
        peer.send(crypto.getRandomValues(new Uint8Array(size))).catch(() => {});
        await peer.received(++sent);
        latencies.push(performance.now() - t0);
        await sleep(20); // let the ack come back before the next message
      }
      report({ latencies });
    } else if (command === "stats") {
      report({ stats: peer.stats?.() });
    }
  }
  Deno.exit(0); // the official client offers no way to stop its task loops
}

async function runTester(): Promise<void> {
  muteConsole();
  const api = arg("api", "");
  const gateway = arg("gateway", "");
  const mixnode = arg("mixnode", "");
  const packets = Number(arg("messages", "200"));
  const wasm = await loadOfficial();
  const id = `bench-tester-${crypto.randomUUID()}`;
  // NymNodeTester never creates its own keys (official-client.md §2): a NymClient with the
  // tester's storage id creates them, then fails on the dead nym-api.
  await new wasm.NymClient(() => {}, {
    clientId: `_nym-node-tester-${id}`,
    nymApiUrl: "http://127.0.0.1:9/",
  }).catch(() => {});
  const topology = await wasm.currentNetworkTopology(api);
  const tester = await new wasm.NymNodeTester({ id, topology, gateway });
  report({ ready: true });
  const stdin = stdinLines();
  await stdin.next();
  const t0 = performance.now();
  const result = await tester.test_node(mixnode, 20_000n, packets);
  const wallMs = performance.now() - t0;
  report({
    done: true,
    wallMs,
    sent: result.sent_packets,
    received: result.received_packets,
    acks: result.received_acks,
  });
  while (await stdin.next() !== undefined) {
    // wait for the parent to close stdin
  }
  Deno.exit(0);
}

// ---- parent ----------------------------------------------------------------------------------

interface Run {
  side: Side;
  connectMs: number;
  wallMs: number;
  clientCpu: number;
  localnetCpu: number;
  rssMiB: number;
  received: number;
  /** Latencies with Deno's built-in WebSocket. */
  latenciesBuiltin: number[];
  /** Latencies with the TCP_NODELAY DenoWebSocket (websocket/). */
  latenciesNoDelay: number[];
  profile?: ProfileSummary;
}

const script = new URL(import.meta.url);

function clientArgs(side: Side | "tester", info: LocalnetInfo, extra: string[] = []): string[] {
  return ["--role", side, "--api", info.nymApiUrl, "--gateway", info.gateways[0], ...extra];
}

/** Latencies of `samples` messages sent one at a time, from a fresh client process. */
async function latencies(
  side: Side,
  info: LocalnetInfo,
  samples: number,
  ws: WsMode,
): Promise<number[]> {
  const child = new Child(script, clientArgs(side, info, ["--ws", ws, "--size", "100"]));
  try {
    await child.read();
    await child.send(`latency ${samples} 200`);
    return (await child.read()).latencies as number[];
  } finally {
    await child.close();
  }
}

async function throughput(
  side: Side,
  net: Child,
  info: LocalnetInfo,
  o: { messages: number; size: number; latencySamples: number; profile?: boolean },
): Promise<Run> {
  const child = new Child(
    script,
    clientArgs(side, info, [
      "--messages",
      String(o.messages),
      "--size",
      String(o.size),
      ...(o.profile ? ["--profile"] : []),
    ]),
  );
  try {
    const ready = await child.read();
    await sleep(300); // let start-up work (compilation, first timers) settle
    const c0 = child.cpu();
    const l0 = net.cpu();
    await child.send("go");
    let done = await child.read();
    const profile = done.profile as ProfileSummary | undefined;
    if (profile) done = await child.read();
    await sleep(500); // the last acks come back and are processed
    const clientCpu = child.cpu() - c0;
    const localnetCpu = net.cpu() - l0;
    const rssMiB = child.rss() / 2 ** 20;
    return {
      side,
      connectMs: Number(ready.connectMs),
      wallMs: Number(done.wallMs),
      clientCpu,
      localnetCpu,
      rssMiB,
      received: Number(done.received),
      latenciesBuiltin: o.latencySamples > 0
        ? await latencies(side, info, o.latencySamples, "builtin")
        : [],
      latenciesNoDelay: o.latencySamples > 0
        ? await latencies(side, info, o.latencySamples, "nodelay")
        : [],
      profile,
    };
  } finally {
    await child.close();
  }
}

/** What runs in an idle round: a client, or a floor process (bench/_idle_floor.ts). */
type IdleSide = Side | "floor-io" | "floor-x25519";

async function idleCpu(
  side: IdleSide,
  info: LocalnetInfo,
  seconds: number,
  echoPort: number,
): Promise<{ percent: number; rssMiB: number; coverPerSecond?: number }> {
  const child = side === "floor-io" || side === "floor-x25519"
    ? new Child(new URL("./_idle_floor.ts", import.meta.url), [
      "--echo",
      `127.0.0.1:${echoPort}`,
      ...(side === "floor-x25519" ? ["--x25519"] : []),
    ])
    : new Child(script, clientArgs(side, info, ["--mode", "idle"]));
  const covers = async () => {
    await child.send("stats");
    const { stats } = await child.read();
    return (stats as Record<string, number> | undefined)?.coverPacketsSent;
  };
  try {
    await child.read();
    await sleep(1000);
    const k0 = await covers();
    const c0 = child.cpu();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const cpu = child.cpu() - c0;
    const wall = (performance.now() - t0) / 1000;
    const k1 = await covers();
    return {
      percent: 100 * cpu / wall,
      rssMiB: child.rss() / 2 ** 20,
      coverPerSecond: k0 === undefined || k1 === undefined ? undefined : (k1 - k0) / wall,
    };
  } finally {
    await child.close();
  }
}

/**
 * Packets per second a client with default traffic settings hands its gateway, counted by the
 * localnet at the gateway, over `seconds` after a 2 s warm-up.
 */
async function gatewayRate(side: Side, net: Child, info: LocalnetInfo, seconds: number) {
  const child = new Child(script, clientArgs(side, info, ["--mode", "idle"]));
  try {
    await child.read();
    await sleep(2000);
    await net.send("count");
    const start = await net.read();
    await sleep(seconds * 1000);
    await net.send("count");
    const end = await net.read();
    const packets = Number(end.packets) - Number(start.packets);
    return { packets, rate: packets / ((Number(end.at) - Number(start.at)) / 1000) };
  } finally {
    await child.close();
  }
}

async function tester(info: LocalnetInfo, packets: number) {
  const child = new Child(
    script,
    clientArgs("tester", info, ["--mixnode", info.mixnodes[1], "--messages", String(packets)]),
  );
  try {
    await child.read();
    await sleep(300);
    const c0 = child.cpu();
    await child.send("go");
    const done = await child.read();
    return {
      sent: Number(done.sent),
      received: Number(done.received),
      acks: Number(done.acks),
      wallMs: Number(done.wallMs),
      cpu: child.cpu() - c0,
    };
  } finally {
    await child.close();
  }
}

function printProfile(r: Run, messages: number): void {
  const p = r.profile!;
  const table = (list: ProfileEntry[], label: string) =>
    markdownTable(
      [label, "share of busy time", "where"],
      list.filter((e) => e.name !== "(idle)" && e.name !== "(program)").map((e) => [
        `${e.selfMs.toFixed(0)} ms`,
        `${(100 * e.selfMs / p.busyMs).toFixed(1)} %`,
        e.name,
      ]),
    );
  console.log(
    `\n### Profile of our client: ${messages} messages to self\n\n` +
      `${p.busyMs.toFixed(0)} ms busy on the main thread (${
        (p.busyMs / messages).toFixed(2)
      } ms per message), ${r.wallMs.toFixed(0)} ms wall.\n\nSelf time by file:\n\n` +
      table(p.byFile, "self") + "\n\nSelf time by function:\n\n" +
      table(p.byFunction, "self") + "\n\nInclusive time of our functions:\n\n" +
      table(p.inclusive, "inclusive"),
  );
}

async function main(): Promise<void> {
  const messages = Number(arg("messages", "200"));
  const size = Number(arg("size", "100"));
  const rounds = Number(arg("rounds", "3"));
  const latencySamples = Number(arg("latency", "30"));
  const idleSeconds = Number(arg("idle-seconds", "10"));
  const idleRounds = Number(arg("idle-rounds", "3"));
  const testerPackets = Number(arg("tester", "0"));
  const profileMessages = Number(arg("profile", "0"));
  const rateSeconds = Number(arg("rate-seconds", "0"));

  const noDelay = Deno.args.includes("--nodelay");
  const { info, child: net, close } = await startLocalnetProcess({ maxPerHopDelayMs: 0, noDelay });
  try {
    console.log(
      `localnet (pid ${net.pid}): 3 mixnodes + 1 gateway, per-hop delay 0` +
        `${noDelay ? ", TCP_NODELAY between nodes" : ""}; ` +
        `${messages} messages of ${size} B to self, ${rounds} rounds per side\n`,
    );
    const runs: Run[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: Side[] = round % 2 === 0 ? ["official", "ours"] : ["ours", "official"];
      for (const side of order) {
        const r = await throughput(side, net, info, { messages, size, latencySamples });
        runs.push(r);
        console.log(
          `  round ${round + 1} ${side.padEnd(8)}: ${r.received}/${messages} in ${
            r.wallMs.toFixed(0)
          } ms, client CPU ${r.clientCpu.toFixed(2)} s, localnet CPU ${
            r.localnetCpu.toFixed(2)
          } s, latency p50 ${median(r.latenciesBuiltin).toFixed(1)} ms with Deno's WebSocket, ${
            median(r.latenciesNoDelay).toFixed(1)
          } ms with DenoWebSocket`,
        );
        if (r.received !== messages) throw new Error(`${side} lost messages`);
      }
    }
    if (rounds > 0) {
      const summary = (side: Side) => {
        const mine = runs.filter((r) => r.side === side);
        const wallMs = median(mine.map((r) => r.wallMs));
        const builtin = mine.flatMap((r) => r.latenciesBuiltin);
        const noDelay = mine.flatMap((r) => r.latenciesNoDelay);
        // Each client's default: ours is DenoWebSocket in Deno, the wasm takes globalThis's.
        const defaults = side === "ours" ? noDelay : builtin;
        return {
          wallMs,
          rate: messages / (wallMs / 1000),
          cpuPer1000: median(mine.map((r) => r.clientCpu)) / messages * 1000,
          localnetPer1000: median(mine.map((r) => r.localnetCpu)) / messages * 1000,
          connectMs: median(mine.map((r) => r.connectMs)),
          rssMiB: median(mine.map((r) => r.rssMiB)),
          defaultP50: median(defaults),
          defaultP95: percentile(defaults, 95),
          builtinP50: median(builtin),
          builtinP95: percentile(builtin, 95),
          noDelayP50: median(noDelay),
          noDelayP95: percentile(noDelay, 95),
        };
      };
      const ours = summary("ours");
      const official = summary("official");
      type Summary = typeof ours;
      const row = (name: string, f: (s: Summary) => number, digits: number, note = "") => [
        name,
        f(ours).toFixed(digits),
        f(official).toFixed(digits),
        `${(f(ours) / f(official)).toFixed(2)}×${note}`,
      ];
      let floorTable = "";
      const rows = [
        row(`wall time for ${messages} messages, ms`, (s) => s.wallMs, 0),
        row(
          "packets/s: messages of one packet each, sent at once",
          (s) => s.rate,
          0,
          " (higher is better)",
        ),
        row("client CPU-seconds per 1,000 messages", (s) => s.cpuPer1000, 2),
        row("localnet CPU-seconds per 1,000 messages", (s) => s.localnetPer1000, 2),
      ];
      if (latencySamples > 0) {
        rows.push(
          row("latency send → receive, one at a time, defaults, p50, ms", (s) => s.defaultP50, 1),
          row("latency send → receive, one at a time, defaults, p95, ms", (s) => s.defaultP95, 1),
          row("same, both on Deno's built-in WebSocket, p50, ms", (s) => s.builtinP50, 1),
          row("same, both on Deno's built-in WebSocket, p95, ms", (s) => s.builtinP95, 1),
          row("same, both on DenoWebSocket (TCP_NODELAY), p50, ms", (s) => s.noDelayP50, 1),
          row("same, both on DenoWebSocket (TCP_NODELAY), p95, ms", (s) => s.noDelayP95, 1),
        );
      }
      rows.push(
        row("connect (start to ready), ms", (s) => s.connectMs, 0),
        row("client process RSS after the run, MiB", (s) => s.rssMiB, 0),
      );
      if (idleSeconds > 0) {
        const idle: Record<IdleSide, number[]> = {
          ours: [],
          official: [],
          "floor-io": [],
          "floor-x25519": [],
        };
        const coverRates: number[] = [];
        const floorRates: number[] = [];
        const echo = startFloorEcho();
        for (let round = 0; round < idleRounds; round++) {
          const sides: IdleSide[] = ["ours", "official", "floor-io", "floor-x25519"];
          const order = [...sides.slice(round % 4), ...sides.slice(0, round % 4)];
          for (const side of order) {
            const r = await idleCpu(side, info, idleSeconds, echo.port);
            idle[side].push(r.percent);
            if (r.coverPerSecond !== undefined) {
              (side === "ours" ? coverRates : floorRates).push(r.coverPerSecond);
            }
            console.log(
              `  idle round ${round + 1} ${side.padEnd(12)}: ${r.percent.toFixed(1)} % of a core${
                r.coverPerSecond === undefined ? "" : `, ${r.coverPerSecond.toFixed(1)} packets/s`
              }`,
            );
          }
        }
        echo.close();
        const idleOurs = median(idle.ours);
        const idleOfficial = median(idle.official);
        rows.push([
          `idle client, default cover traffic, % of one core (median of ${idleRounds} × ${idleSeconds} s)`,
          idleOurs.toFixed(1),
          idleOfficial.toFixed(1),
          `${(idleOurs / idleOfficial).toFixed(2)}×`,
        ]);
        if (coverRates.length) {
          const rate = median(coverRates);
          rows.push([
            "idle client: cover packets sent per second (ours: measured; both use Nym's defaults)",
            rate.toFixed(1),
            "–",
            "–",
          ]);
          // Under CPU contention the Poisson timers fire late and fewer packets go out, which
          // lowers the percentage; the cost per packet does not depend on the rate.
          rows.push([
            "idle client: CPU per cover packet sent, ms (ours: measured rate; official: 50/s assumed)",
            (10 * idleOurs / rate).toFixed(2),
            (10 * idleOfficial / 50).toFixed(2),
            "–",
          ]);
        }
        const io = median(idle["floor-io"]);
        const withX25519 = median(idle["floor-x25519"]);
        const floorRate = median(floorRates);
        const perPacket = (percent: number, rate: number) => (10 * percent / rate).toFixed(2);
        floorTable =
          `\n### Idle: our client against the floor of its traffic (median of ${idleRounds} × ${idleSeconds} s)\n\n` +
          "The floor processes (bench/_idle_floor.ts) run the same two Poisson schedules as an idle " +
          "client, with no client code: each wake writes one 2,455-byte frame to loopback TCP and " +
          "reads back the 2,100- and 100-byte frames a returning cover packet and its ack make " +
          "(from an echo server in the bench process); the second also runs the 12 X25519 " +
          "operations a loop cover packet needs, through the same native provider.\n\n" +
          markdownTable(["process", "% of one core", "packets/s", "CPU per packet, ms"], [
            [
              "floor: timers and loopback I/O only",
              io.toFixed(1),
              floorRate.toFixed(1),
              perPacket(io, floorRate),
            ],
            [
              "floor: the same + 12 X25519 per packet",
              withX25519.toFixed(1),
              floorRate.toFixed(1),
              perPacket(withX25519, floorRate),
            ],
            ...(coverRates.length
              ? [[
                "our idle client (default cover traffic)",
                idleOurs.toFixed(1),
                median(coverRates).toFixed(1),
                perPacket(idleOurs, median(coverRates)),
              ]]
              : []),
            ["our client above the X25519 floor", (idleOurs - withX25519).toFixed(1), "", ""],
          ]);
      }
      console.log(
        `\n### Our client vs the official client (median of ${rounds} rounds)\n\n` +
          markdownTable(["measure", "ours", "official 1.4.1 (wasm)", "ours / official"], rows) +
          floorTable,
      );
    }

    if (rateSeconds > 0) {
      // Default settings: 1000/20 ms main stream + 1000/200 ms loop cover = 55 packets/s.
      const configured = 1000 / 20 + 1000 / 200;
      const rates: Record<Side, number[]> = { ours: [], official: [] };
      for (const side of ["official", "ours", "ours", "official"] as Side[]) {
        const r = await gatewayRate(side, net, info, rateSeconds);
        rates[side].push(r.rate);
        console.log(`  ${side.padEnd(8)}: ${r.packets} packets in ${rateSeconds} s`);
      }
      const ours = median(rates.ours);
      const official = median(rates.official);
      console.log(
        `\n### Packets/s to the gateway, default traffic, ${rateSeconds} s per run\n\n` +
          markdownTable(["measure", "ours", "official 1.4.1 (wasm)", "configured"], [[
            "packets/s (median of 2 runs)",
            ours.toFixed(1),
            official.toFixed(1),
            configured.toFixed(1),
          ], [
            "ours / official, ours / configured",
            `${(ours / official).toFixed(3)}×`,
            "",
            `${(ours / configured).toFixed(3)}×`,
          ]]),
      );
    }

    if (profileMessages > 0) {
      const r = await throughput("ours", net, info, {
        messages: profileMessages,
        size,
        latencySamples: 0,
        profile: true,
      });
      printProfile(r, profileMessages);
    }

    if (testerPackets > 0) {
      const t = await tester(info, testerPackets);
      console.log(
        `\nofficial NymNodeTester.test_node(mix, 20 s, ${testerPackets}): sent ${t.sent}, ` +
          `received ${t.received}, acks ${t.acks} in ${t.wallMs.toFixed(0)} ms, ` +
          `CPU ${t.cpu.toFixed(2)} s`,
      );
    }
  } finally {
    await close();
  }
}

if (import.meta.main) {
  const role = arg("role", "parent");
  if (role === "ours" || role === "official") await runClient(role);
  else if (role === "tester") await runTester();
  else await main();
}
