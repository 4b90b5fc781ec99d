// The localnet mixnode and the accept loop shared with the gateway, against hostile peers:
// accept errors, connection floods, frames that never complete, and packets naming a host that
// is not a node of the topology.
import { assert, assertEquals } from "./_assert.ts";
import { runAcceptLoop } from "../localnet/_accept_loop.ts";
import { ConnectionPool, type LogEntry, startMixnode } from "../localnet/mixnode/mod.ts";
import { encodeFrame } from "../localnet/framing/mod.ts";
import { buildPacket, encodeNodeAddress, PACKET_SIZES, padNodeAddress } from "../sphinx/mod.ts";

/** A logger that lets a test wait for the first entry of an event. */
function events(): { logger: (entry: LogEntry) => void; next(event: string): Promise<LogEntry> } {
  const seen: LogEntry[] = [];
  const waiters: { event: string; resolve: (e: LogEntry) => void }[] = [];
  return {
    logger(entry) {
      seen.push(entry);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].event === entry.event) waiters.splice(i, 1)[0].resolve(entry);
      }
    },
    next(event) {
      const found = seen.find((e) => e.event === event);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ event, resolve }));
    },
  };
}

/** Resolves when the other side closed `conn` (EOF or reset). */
async function closedByPeer(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64);
  try {
    while ((await conn.read(buffer)) !== null) { /* discard */ }
  } catch { /* a reset is a close too */ }
}

Deno.test("the accept loop survives accept errors and ends only when stopped", async () => {
  const stop = new AbortController();
  const errors: number[] = [];
  let calls = 0;
  const accepted: number[] = [];
  const done = Promise.withResolvers<void>();
  const acceptor = {
    accept(): Promise<number> {
      calls++;
      // descriptor exhaustion for a moment, then connections again
      if (calls <= 3) return Promise.reject(new Error("Too many open files (os error 24)"));
      if (calls <= 5) return Promise.resolve(calls);
      done.resolve();
      return new Promise<number>((_, reject) => {
        stop.signal.addEventListener("abort", () => reject(new Deno.errors.BadResource("closed")));
      });
    },
  };
  const loop = runAcceptLoop(acceptor, (conn) => accepted.push(conn), {
    signal: stop.signal,
    onError: (_error, n) => errors.push(n),
    initialBackoffMs: 1,
  });
  await done.promise;
  assertEquals(errors, [1, 2, 3]);
  assertEquals(accepted, [4, 5]);
  stop.abort();
  await loop;
});

Deno.test("a mixnode refuses connections beyond its cap and serves the others", async () => {
  const node = await startMixnode({ maxConnections: 2, logger: () => {} });
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port: node.port });
  const held = [await connect(), await connect()];
  const extra = await connect();
  await closedByPeer(extra); // closed at once by the node
  extra.close();
  assertEquals(node.stats.connectionsRefused, 1);
  assertEquals(node.stats.connectionsOpen, 2);
  for (const conn of held) conn.close();
  await node.close();
});

Deno.test("a mixnode closes a connection whose frame never completes", async () => {
  const node = await startMixnode({ frameTimeoutMs: 200, logger: () => {} });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
  const frame = encodeFrame({
    version: 8,
    keyRotation: 0,
    packet: new Uint8Array(PACKET_SIZES.regular.totalSize),
  });
  await conn.write(frame.subarray(0, 100)); // a slowloris: part of a frame, then silence
  await closedByPeer(conn);
  conn.close();
  assertEquals(node.stats.connectionsTimedOut, 1);
  await node.close();
});

Deno.test("a mixnode forwards only to nodes of the topology, never to a named host:port", async () => {
  const log = events();
  // a TCP service that is not a node: the packet names it as the next hop
  const service = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serviceHost = `127.0.0.1:${service.addr.port}`;
  const node = await startMixnode({
    logger: log.logger,
    isKnownNode: (hostPort) => hostPort !== serviceHost,
  });
  const packet = buildPacket({
    route: [
      {
        address: padNodeAddress(encodeNodeAddress(node.hostPort), 32),
        publicKey: node.sphinxPublicKey,
      },
      {
        address: padNodeAddress(encodeNodeAddress(serviceHost), 32),
        publicKey: crypto.getRandomValues(new Uint8Array(32)),
      },
    ],
    delays: [0n, 0n],
    destination: new Uint8Array(32),
    plaintext: new Uint8Array(100),
    size: PACKET_SIZES.regular,
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
  await conn.write(encodeFrame({ version: 8, keyRotation: 0, packet }));
  const dialed = service.accept().then((c) => {
    c.close();
    return "dialed";
  }, () => "not dialed");
  const outcome = await Promise.race([
    log.next("packet.dropped.unknown_hop").then(() => "dropped"),
    dialed,
  ]);
  assertEquals(outcome, "dropped");
  assertEquals(node.send(serviceHost, new Uint8Array(PACKET_SIZES.regular.totalSize)), false);
  assertEquals(node.stats.droppedUnknownHop, 2);
  assertEquals(node.stats.sent, 0);
  conn.close();
  await node.close();
  service.close();
  assertEquals(await dialed, "not dialed");
});

Deno.test("a next hop that stops reading is cut off by the write timeout, not buffered", async () => {
  const log = events();
  const stalled = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pool = new ConnectionPool({ maxQueue: 20_000, writeTimeoutMs: 200, logger: log.logger });
  const accepted = stalled.accept(); // accepts, then never reads
  const frame = new Uint8Array(PACKET_SIZES.regular.totalSize + 3);
  for (let i = 0; i < 20_000; i++) pool.send(`127.0.0.1:${stalled.addr.port}`, frame); // 48 MB
  const entry = await log.next("connection.forward_error");
  assert(entry.message.includes("no progress"), entry.message);
  assert(pool.stats.droppedSendFailure > 0);
  (await accepted).close();
  await pool.close();
  stalled.close();
});
