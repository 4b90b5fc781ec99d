// A localnet in its own process, for the bench scripts that measure a client's CPU apart from
// the network's. Started by `startLocalnetProcess()`; prints its endpoints as one `@bench` line,
// applies `faults {json}` lines from stdin, and stops when stdin closes.
import { startLocalnet } from "../localnet/mod.ts";
import { Child, report, stdinLines } from "./_proc.ts";
import { type RunningProfile, startProfile } from "./_profile.ts";

/** Size of a regular Sphinx packet (what a client sends, real or cover). */
const REGULAR_PACKET_BYTES = 2413;

/** What the localnet process reports once it is up. */
export interface LocalnetInfo {
  nymApiUrl: string;
  /** Gateway identities (base58). */
  gateways: string[];
  /** Mixnode identities (base58), layer by layer. */
  mixnodes: string[];
}

/** Options, passed on the command line. */
export interface LocalnetProcessOptions {
  mixnodesPerLayer?: number;
  gateways?: number;
  /** Cap on the per-hop delay a mixnode applies (default 0: forward at once). */
  maxPerHopDelayMs?: number;
  /**
   * Experiment: set TCP_NODELAY on the connections mixnodes and gateways open to each other
   * (the localnet leaves Nagle's algorithm on; this patches `Deno.connect` in that process).
   */
  noDelay?: boolean;
}

/** A running localnet process. */
export interface LocalnetProcess {
  readonly info: LocalnetInfo;
  /** The process (its CPU time and RSS). */
  readonly child: Child;
  /** Sets every mixnode's faults (e.g. `{ addedLatencyMs: 20 }`). */
  setFaults(faults: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}

/** Starts a localnet in a child Deno process. */
export async function startLocalnetProcess(
  options: LocalnetProcessOptions = {},
): Promise<LocalnetProcess> {
  const child = new Child(new URL(import.meta.url), [
    "--per-layer",
    String(options.mixnodesPerLayer ?? 1),
    "--gateways",
    String(options.gateways ?? 1),
    "--max-delay",
    String(options.maxPerHopDelayMs ?? 0),
    ...(options.noDelay ? ["--nodelay"] : []),
  ]);
  const info = await child.read() as unknown as LocalnetInfo;
  return {
    info,
    child,
    async setFaults(faults) {
      await child.send(`faults ${JSON.stringify(faults)}`);
      await child.read(); // acknowledgement
    },
    close: () => child.close(),
  };
}

if (import.meta.main) {
  const arg = (name: string) => Number(Deno.args[Deno.args.indexOf(`--${name}`) + 1]);
  if (Deno.args.includes("--nodelay")) {
    const connect = Deno.connect;
    Object.assign(Deno, {
      connect: async (options: Deno.ConnectOptions) => {
        const conn = await connect(options);
        conn.setNoDelay(true);
        return conn;
      },
    });
  }
  const net = await startLocalnet({
    logger: "silent",
    mixnodesPerLayer: arg("per-layer"),
    gateways: arg("gateways"),
    maxPerHopDelayMs: arg("max-delay"),
  });
  // Packets clients hand their gateway, counted where the gateway forwards them to the first mix
  // layer: Sphinx packets of the regular size (2413 bytes; SURB-ACKs the gateway forwards for
  // packets it delivered are 386 bytes and are not counted).
  let clientPackets = 0;
  for (const gateway of net.gateways) {
    const node = gateway.node as {
      send: (to: string, packet: Uint8Array, rotation?: number) => boolean;
    };
    const send = node.send.bind(node);
    node.send = (to, packet, rotation) => {
      if (packet.length >= REGULAR_PACKET_BYTES) clientPackets++;
      return send(to, packet, rotation);
    };
  }
  report({
    nymApiUrl: net.nymApiUrl,
    gateways: net.gateways.map((g) => g.identity),
    mixnodes: net.mixnodes.map((m) => m.identity),
  });
  const stdin = stdinLines();
  let profile: RunningProfile | undefined;
  for (let line = await stdin.next(); line !== undefined; line = await stdin.next()) {
    if (line.startsWith("faults ")) {
      net.setFaults(JSON.parse(line.slice(7)));
      report({ ok: true });
    } else if (line === "count") {
      report({ packets: clientPackets, at: performance.now() });
    } else if (line === "profile-start") {
      profile = await startProfile();
      report({ ok: true });
    } else if (line === "profile-stop" && profile) {
      const p = await profile.stop();
      report({ ...p, byFunction: p.byFunction.slice(0, 30), inclusive: p.inclusive.slice(0, 40) });
    }
  }
  await net.close();
}
