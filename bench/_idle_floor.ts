// The work an idle client with Nym's default traffic cannot avoid, without the client: a process
// that wakes on the same two Poisson schedules (means of 20 ms and 200 ms, Nym's main stream and
// loop cover stream) and on each wake writes one gateway-frame-sized message to a loopback TCP
// socket, and reads the two messages every cover packet brings back (its payload and its ack).
// With --x25519 each wake also runs the 12 X25519 operations a loop cover packet needs (3 public
// keys and 9 shared secrets with fresh scalars, through the same native provider as the client).
//
// Run by bench/versus_official.ts as a child process against an echo server in the parent, so
// that the CPU read from /proc is this process's alone. Bench-only.
//
//   deno run -A bench/_idle_floor.ts --echo 127.0.0.1:PORT [--x25519]
import { defaultCrypto } from "../crypto/mod.ts";
import { report, stdinLines } from "./_proc.ts";

/** Bytes of one WebSocket-framed regular packet to the gateway (MixPacket + GCM-SIV + frame). */
export const FLOOR_SEND_BYTES = 2_455;
/** Bytes the echo server returns per packet: a pushed cover payload and a pushed ack. */
export const FLOOR_RETURN_BYTES = [2_100, 100] as const;

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

/**
 * An echo server for floor processes: for every {@linkcode FLOOR_SEND_BYTES} it reads, it writes
 * back one message of each of {@linkcode FLOOR_RETURN_BYTES}. Runs in the bench parent.
 */
export function startFloorEcho(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const replies = FLOOR_RETURN_BYTES.map((n) => new Uint8Array(n));
  (async () => {
    for await (const conn of listener) {
      conn.setNoDelay(true);
      (async () => {
        const buffer = new Uint8Array(64 * 1024);
        let pending = 0;
        try {
          for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
            pending += n;
            for (; pending >= FLOOR_SEND_BYTES; pending -= FLOOR_SEND_BYTES) {
              for (const reply of replies) await conn.write(reply);
            }
          }
        } catch {
          // the floor process went away
        } finally {
          try {
            conn.close();
          } catch {
            // already closed
          }
        }
      })();
    }
  })().catch(() => {});
  return { port: (listener.addr as Deno.NetAddr).port, close: () => listener.close() };
}

async function main(): Promise<void> {
  const [hostname, port] = arg("echo", "").split(":");
  const withX25519 = Deno.args.includes("--x25519");
  const provider = defaultCrypto();
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  // Four fixed node keys, as a route's three mixnodes and the gateway.
  const nodeKeys = [0, 1, 2, 3].map(() => provider.x25519PublicKey(random(32)));
  const conn = await Deno.connect({ hostname, port: Number(port) });
  conn.setNoDelay(true);
  const frame = new Uint8Array(FLOOR_SEND_BYTES);
  let packets = 0;
  (async () => {
    const buffer = new Uint8Array(64 * 1024);
    while (await conn.read(buffer) !== null) {
      // read and drop, as a client drops its returning cover
    }
  })().catch(() => {});

  const wake = () => {
    if (withX25519) {
      for (let i = 0; i < 3; i++) provider.x25519PublicKey(random(32));
      for (let i = 0; i < 9; i++) provider.x25519(random(32), nodeKeys[i % 4]);
    }
    conn.write(frame).catch(() => {});
    packets++;
  };
  // Each stream on absolute deadlines, as the client's Poisson ticker.
  const stream = (meanMs: number) => {
    let next = performance.now();
    const step = () => {
      wake();
      next += -Math.log(1 - Math.random()) * meanMs;
      setTimeout(step, Math.max(0, next - performance.now()));
    };
    next += -Math.log(1 - Math.random()) * meanMs;
    setTimeout(step, Math.max(0, next - performance.now()));
  };
  stream(20);
  stream(200);
  report({ ready: true });
  const stdin = stdinLines();
  for (let line = await stdin.next(); line !== undefined; line = await stdin.next()) {
    if (line === "stats") report({ stats: { coverPacketsSent: packets } });
  }
  Deno.exit(0);
}

if (import.meta.main) await main();
