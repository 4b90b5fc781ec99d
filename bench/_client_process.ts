// Our client in its own process, driven by the bench scripts over stdin/stdout, so that its CPU
// time and memory can be read from /proc apart from the localnet's.
//
// Options: --api URL --gateway ID [--traffic noCover|default] [--builtin-ws] [--zero-delay-clock]
//          [--clients N] [--profile]
// Commands (one per line; each answers one `@bench` line):
//   burst <count> <bytes>     sends <count> messages of <bytes> to ourselves (round robin over
//                             the clients to the next one with --clients), waits for all of them
//   latency <samples> <warm>  <warm> messages at once, then <samples> one at a time: send → receive
//   connect <n>               connects more idle clients until there are <n>; reports memory
//   stats                     the clients' counters
//   profile-start / profile-stop   a CPU profile of the process (see _profile.ts)
import { connect, type MixnetClient } from "../mod.ts";
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { type RunningProfile, startProfile } from "./_profile.ts";
import { Child, muteConsole, report, rssBytes, sleep, stdinLines } from "./_proc.ts";

/** Options of {@linkcode startClientProcess}. */
export interface ClientProcessOptions {
  nymApiUrl: string;
  gateway: string;
  traffic?: "noCover" | "default";
  /**
   * Use Deno's built-in WebSocket (Nagle on) instead of connect()'s default in Deno, the
   * TCP_NODELAY `DenoWebSocket` of websocket/.
   */
  builtinWebSocket?: boolean;
  /** Run zero-delay timers as microtasks (Deno clamps setTimeout(0) to about 2 ms). */
  zeroDelayClock?: boolean;
  /** Clients connected at start (default 1). */
  clients?: number;
}

/** Starts our client in a child process; resolves once it is connected. */
export async function startClientProcess(
  o: ClientProcessOptions,
): Promise<{ child: Child; connectMs: number }> {
  const child = new Child(new URL(import.meta.url), [
    "--api",
    o.nymApiUrl,
    "--gateway",
    o.gateway,
    "--traffic",
    o.traffic ?? "noCover",
    "--clients",
    String(o.clients ?? 1),
    ...(o.builtinWebSocket ? ["--builtin-ws"] : []),
    ...(o.zeroDelayClock ? ["--zero-delay-clock"] : []),
  ], { v8Flags: ["--expose-gc"] });
  const ready = await child.read();
  return { child, connectMs: Number(ready.connectMs) };
}

/** The platform clock, except that a 0 ms timer runs as a microtask instead of a 1–2 ms timer. */
const zeroDelayClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    if (ms > 0) return setTimeout(callback, ms);
    const handle = { cancelled: false };
    queueMicrotask(() => {
      if (!handle.cancelled) callback();
    });
    return handle as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    if (typeof handle === "object" && handle !== null && "cancelled" in handle) {
      (handle as { cancelled: boolean }).cancelled = true;
    } else clearTimeout(handle as number);
  },
};

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  muteConsole();
  const api = arg("api", "");
  const gateway = arg("gateway", "");
  const traffic = arg("traffic", "noCover");
  const options = {
    nymApiUrl: api,
    gateway,
    traffic: traffic === "default"
      ? "default" as const
      : { preset: "noCover" as const, averagePacketDelayMs: 0, averageAckDelayMs: 0 },
    WebSocket: Deno.args.includes("--builtin-ws") ? globalThis.WebSocket : undefined,
    clock: Deno.args.includes("--zero-delay-clock") ? zeroDelayClock : undefined,
  };
  const clients: MixnetClient[] = [];
  let received = 0;
  let receivedBytes = 0;
  let target = Infinity;
  let wake: (() => void) | undefined;
  const until = (n: number) => {
    target = n;
    return received >= n ? Promise.resolve() : new Promise<void>((resolve) => wake = resolve);
  };
  const add = async () => {
    const client = await connect(options);
    clients.push(client);
    (async () => {
      for await (const message of client.messages) {
        receivedBytes += message.data.length;
        if (++received >= target) wake?.();
      }
    })();
  };

  const started = performance.now();
  const initial = Number(arg("clients", "1"));
  for (let i = 0; i < initial; i++) await add();
  report({ ready: true, connectMs: (performance.now() - started) / Math.max(1, initial) });

  let profile: RunningProfile | undefined;
  const stdin = stdinLines();
  for (let line = await stdin.next(); line !== undefined; line = await stdin.next()) {
    const [command, ...rest] = line.split(" ");
    const n = rest.map(Number);
    if (command === "burst") {
      const [count, bytes] = n;
      const before = received;
      const bytesBefore = receivedBytes;
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const from = clients[i % clients.length];
        const to = clients[(i + 1) % clients.length];
        const data = new Uint8Array(bytes);
        crypto.getRandomValues(data.subarray(0, Math.min(bytes, 65536)));
        from.send(to.address, data).delivered.catch(() => {});
      }
      await until(before + count);
      report({
        wallMs: performance.now() - t0,
        received: received - before,
        receivedBytes: receivedBytes - bytesBefore,
      });
    } else if (command === "latency") {
      const [samples, warm] = n;
      const client = clients[0];
      for (let i = 0; i < warm; i++) client.send(client.address, new Uint8Array(100));
      await until(received + warm);
      await sleep(200);
      const latencies: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        client.send(client.address, new Uint8Array(100)).delivered.catch(() => {});
        await until(received + 1);
        latencies.push(performance.now() - t0);
        await sleep(20); // the ack comes back before the next message
      }
      report({ latencies });
    } else if (command === "connect") {
      while (clients.length < n[0]) await add();
      await sleep(200);
      gc();
      report({
        clients: clients.length,
        rss: rssBytes("self"),
        heapUsed: Deno.memoryUsage().heapUsed,
      });
    } else if (command === "memory") {
      gc();
      report({ rss: rssBytes("self"), heapUsed: Deno.memoryUsage().heapUsed });
    } else if (command === "stats") {
      const sum: Record<string, number> = {};
      for (const c of clients) {
        for (const [k, v] of Object.entries(c.stats)) sum[k] = (sum[k] ?? 0) + v;
      }
      report(sum);
    } else if (command === "profile-start") {
      profile = await startProfile();
      report({ ok: true });
    } else if (command === "profile-stop") {
      const p = await profile!.stop();
      report({
        ...p,
        byFunction: p.byFunction.slice(0, 30),
        byFile: p.byFile.slice(0, 20),
        inclusive: p.inclusive.slice(0, 40),
      });
    }
  }
  Deno.exit(0); // the parent is done; no need to wait for acks and disconnects
}

if (import.meta.main) await main();
