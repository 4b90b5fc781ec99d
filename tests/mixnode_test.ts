// The localnet mixnode on loopback: chains, delays, replays, malformed input, faults, close and
// restart; plus its replay filter and outbound connection pool.
import { officialTesterPacket } from "./vectors/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { fromHex } from "../internal/bytes.ts";
import {
  buildPacket,
  decodeNodeAddress,
  encodeNodeAddress,
  PACKET_SIZES,
  type PacketSize,
  padNodeAddress,
  type ProcessedPacket,
  processPacket,
  type RouteHop,
} from "../sphinx/mod.ts";
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  OUTFOX_PACKET_SIZES,
} from "../localnet/framing/mod.ts";
import {
  ConnectionPool,
  type LogEntry,
  type Mixnode,
  ReplayFilter,
  replayFilterSizing,
  startMixnode,
} from "../localnet/mixnode/mod.ts";

const c = defaultCrypto();
const MS = 1_000_000n;
const LIMIT_MS = 15_000;

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Rejects if `promise` takes longer than LIMIT_MS, so a broken node fails instead of hanging. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), LIMIT_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Collects log lines and lets a test wait for the n-th occurrence of an event. */
class Events {
  readonly entries: LogEntry[] = [];
  #waiters: { event: string; count: number; resolve: () => void }[] = [];
  readonly logger = (entry: LogEntry): void => {
    this.entries.push(entry);
    this.#waiters = this.#waiters.filter((w) => {
      if (this.count(w.event) < w.count) return true;
      w.resolve();
      return false;
    });
  };
  count(event: string): number {
    return this.entries.filter((e) => e.event === event).length;
  }
  waitFor(event: string, count = 1): Promise<void> {
    if (this.count(event) >= count) return Promise.resolve();
    return within(
      new Promise<void>((resolve) => this.#waiters.push({ event, count, resolve })),
      `${count}× ${event}`,
    );
  }
}

interface Delivery {
  readonly frame: Frame;
  readonly hop: ProcessedPacket;
  readonly at: number;
}

/** A final hop: a TCP listener that decodes frames and processes packets with its own key. */
class Sink {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly deliveries: Delivery[] = [];
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  #waiters: (() => void)[] = [];
  #taken = 0;
  readonly hostPort = `127.0.0.1:${this.#listener.addr.port}`;
  readonly #accepting: Promise<void>;

  constructor(secretKey: Uint8Array = randomBytes(32)) {
    this.secretKey = secretKey;
    this.publicKey = c.x25519PublicKey(secretKey);
    this.#accepting = this.#accept();
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return;
      }
      this.#conns.add(conn);
      const task = this.#read(conn);
      this.#tasks.add(task);
      task.finally(() => this.#tasks.delete(task));
    }
  }

  async #read(conn: Deno.Conn): Promise<void> {
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(65536);
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        for (const frame of decoder.feed(buffer.subarray(0, n))) {
          const hop = processPacket(frame.packet, this.secretKey);
          this.deliveries.push({ frame, hop, at: performance.now() });
          for (const wake of this.#waiters.splice(0)) wake();
        }
      }
    } catch {
      // closed by close()
    } finally {
      this.#conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  get hop(): RouteHop {
    return routeHop(this.hostPort, this.publicKey);
  }

  /** The next delivery not yet taken. */
  async next(): Promise<Delivery> {
    while (this.deliveries.length <= this.#taken) {
      await within(new Promise<void>((resolve) => this.#waiters.push(resolve)), "a delivery");
    }
    return this.deliveries[this.#taken++];
  }

  async close(): Promise<void> {
    this.#listener.close();
    for (const conn of this.#conns) conn.close();
    await this.#accepting;
    await Promise.allSettled([...this.#tasks]);
  }
}

function routeHop(hostPort: string, publicKey: Uint8Array): RouteHop {
  return { address: padNodeAddress(encodeNodeAddress(hostPort), 32), publicKey };
}

function hopOf(node: Mixnode): RouteHop {
  return routeHop(node.hostPort, node.sphinxPublicKey);
}

function packet(
  route: RouteHop[],
  delaysMs: number[],
  plaintext: Uint8Array,
  size: PacketSize = PACKET_SIZES.regular,
): { packet: Uint8Array; destination: Uint8Array } {
  const destination = randomBytes(32);
  const delays = delaysMs.map((ms) => BigInt(ms) * MS);
  return { packet: buildPacket({ route, delays, destination, plaintext, size }), destination };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

async function sendAndClose(hostPort: string, bytes: Uint8Array): Promise<void> {
  const port = Number(hostPort.split(":")[1]);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await writeAll(conn, bytes);
  } finally {
    conn.close();
  }
}

/** Resolves when the server side has closed `conn` (EOF or reset). */
async function closedByPeer(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64);
  try {
    while ((await conn.read(buffer)) !== null) { /* discard */ }
  } catch {
    // ECONNRESET also means closed
  }
}

async function closeAll(...things: { close(): Promise<void> | void }[]): Promise<void> {
  await Promise.all(things.map((t) => t.close()));
}

Deno.test("a packet crosses three mixnodes intact, held at every hop for its encoded delay", async () => {
  const events = new Events();
  const nodes = await Promise.all([1, 2, 3].map(() => startMixnode({ logger: events.logger })));
  const sink = new Sink();
  try {
    const plaintext = randomBytes(1500);
    const { packet: p, destination } = packet(
      [...nodes.map(hopOf), sink.hop],
      [30, 30, 30, 0],
      plaintext,
    );
    const start = performance.now();
    await sendAndClose(nodes[0].hostPort, encodeFrame({ version: 8, keyRotation: 2, packet: p }));
    const delivery = await sink.next();
    const elapsed = delivery.at - start;
    assert(elapsed >= 90, `three 30 ms hops took only ${elapsed.toFixed(1)} ms`);
    assertEquals(delivery.hop.kind, "final");
    if (delivery.hop.kind !== "final") return;
    assertEquals(delivery.hop.plaintext, plaintext);
    assertEquals(delivery.hop.destination, destination);
    // nym-node's default forwarding encoding: version 7, so the rotation byte is not carried.
    assertEquals(delivery.frame.version, 7);
    assertEquals(delivery.frame.keyRotation, 0);
    assertEquals(delivery.frame.packetSize.name, "regular");
    for (const node of nodes) {
      await node.idle();
      const s = node.stats;
      assertEquals([s.framesReceived, s.forwarded, s.sent, s.pendingDelays], [1, 1, 1, 0]);
    }
    assertEquals(events.count("packet.held"), 3);
  } finally {
    await closeAll(sink, ...nodes);
  }
});

Deno.test("zero delays are forwarded without holding, and a delay is measured, not assumed", async () => {
  const node = await startMixnode({ logger: () => {} });
  const sink = new Sink();
  try {
    const fast = packet([hopOf(node), sink.hop], [0, 0], randomBytes(10)).packet;
    const slow = packet([hopOf(node), sink.hop], [60, 0], randomBytes(10)).packet;
    let start = performance.now();
    await sendAndClose(node.hostPort, encodeFrame({ packet: fast }));
    const first = await sink.next();
    assertEquals(node.stats.pendingDelays, 0);
    const fastElapsed = first.at - start;
    start = performance.now();
    await sendAndClose(node.hostPort, encodeFrame({ packet: slow }));
    const second = await sink.next();
    const slowElapsed = second.at - start;
    assert(slowElapsed >= 60, `a 60 ms hop took ${slowElapsed.toFixed(1)} ms`);
    assert(slowElapsed > fastElapsed, "the held packet was not slower than the undelayed one");
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("with legacy encoding off, every packet size is forwarded as version 8 keeping its rotation", async () => {
  const node = await startMixnode({ legacyPacketEncoding: false, logger: () => {} });
  const sink = new Sink();
  try {
    const sizes = Object.values(PACKET_SIZES);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
    const sent: Uint8Array[] = [];
    for (const [i, size] of sizes.entries()) {
      const plaintext = randomBytes(Math.min(size.plaintextSize, 21 + i));
      sent.push(plaintext);
      const p = packet([hopOf(node), sink.hop], [0, 0], plaintext, size).packet;
      await writeAll(conn, encodeFrame({ version: i % 2 ? 7 : 8, keyRotation: 1, packet: p }));
    }
    conn.close();
    for (const [i, size] of sizes.entries()) {
      const { frame, hop } = await sink.next();
      assertEquals(frame.version, 8);
      assertEquals(frame.packetSize.name, size.name);
      assertEquals(frame.packet.length, size.totalSize);
      // A version 7 frame carries no rotation (0); version 8 keeps the sender's byte.
      assertEquals(frame.keyRotation, i % 2 ? 0 : 1);
      assert(hop.kind === "final");
      assertEquals(hop.plaintext, sent[i]);
    }
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("a packet built by the official Nym client is processed along its route", async () => {
  const vector = officialTesterPacket;
  // ForwardSphinxV2 = packet_type ‖ key_rotation ‖ next hop (7) ‖ sphinx packet
  const forward = fromHex(vector.forward_sphinx_v2_plaintext_hex);
  const packetType = forward[0] as 0 | 2;
  const keyRotation = forward[1] as 0 | 1 | 2;
  assertEquals([packetType, keyRotation], [0, 2]); // Mix, even rotation
  assertEquals(decodeNodeAddress(forward.subarray(2, 9)).hostPort, vector.mix_hosts.mix1);
  const sphinx = forward.subarray(9);
  assertEquals(sphinx.length, 2413);

  const addresses = new Map<string, string>();
  const events = new Events();
  const start = (name: string) =>
    startMixnode({
      sphinxSecretKey: fromHex(vector.nodes[name].x25519_sk),
      identity: fromHex(vector.nodes[name].ed25519_sk),
      resolveAddress: (hostPort) => addresses.get(hostPort) ?? hostPort,
      logger: events.logger,
    });
  const nodes = await Promise.all(["mix1", "mix2", "mix3"].map(start));
  const sink = new Sink(fromHex(vector.nodes.gw.x25519_sk)); // plays the gateway
  try {
    ["mix1", "mix2", "mix3"].forEach((name, i) =>
      addresses.set(vector.mix_hosts[name], nodes[i].hostPort)
    );
    addresses.set(vector.mix_hosts.gw, sink.hostPort);
    await sendAndClose(
      nodes[0].hostPort,
      encodeFrame({ version: 8, packetType, keyRotation, packet: sphinx }),
    );
    const { hop } = await sink.next();
    assert(hop.kind === "final", "the gateway sees a final hop");
    assertEquals(hop.destination, fromHex(vector.client.ed25519_pk));
    assertEquals(hop.plaintext.length, 2048);
    // A data packet's plaintext opens with its SURB-ACK: a mix address padded to 19 bytes.
    const ackFirstHop = decodeNodeAddress(hop.plaintext.subarray(0, 19));
    assert(Object.values(vector.mix_hosts).includes(ackFirstHop.hostPort), ackFirstHop.hostPort);
    for (const node of nodes) assertEquals(node.stats.forwarded, 1);
    assertEquals(events.count("packet.dropped.malformed"), 0);
  } finally {
    await closeAll(sink, ...nodes);
  }
});

Deno.test("a replayed packet is dropped at the first node and never reaches the second", async () => {
  const events = new Events();
  const [m1, m2] = await Promise.all([1, 2].map(() => startMixnode({ logger: events.logger })));
  const sink = new Sink();
  try {
    const frame = encodeFrame({
      packet: packet([hopOf(m1), hopOf(m2), sink.hop], [0, 0, 0], randomBytes(32)).packet,
    });
    await sendAndClose(m1.hostPort, frame);
    await sink.next();
    await sendAndClose(m1.hostPort, frame);
    await events.waitFor("packet.dropped.replay");
    await m1.idle();
    assertEquals(m1.stats.droppedReplay, 1);
    assertEquals(m1.stats.forwarded, 1);
    assertEquals(m2.stats.framesReceived, 1);
    assertEquals(sink.deliveries.length, 1);
  } finally {
    await closeAll(sink, m1, m2);
  }
});

Deno.test("without replay protection the same packet is forwarded twice", async () => {
  const node = await startMixnode({ replayProtection: false, logger: () => {} });
  const sink = new Sink();
  try {
    const frame = encodeFrame({
      packet: packet([hopOf(node), sink.hop], [0, 0], randomBytes(8)).packet,
    });
    await sendAndClose(node.hostPort, frame);
    await sendAndClose(node.hostPort, frame);
    const [a, b] = [await sink.next(), await sink.next()];
    assertEquals(a.frame.packet, b.frame.packet);
    assertEquals(node.stats.droppedReplay, 0);
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("a malformed frame closes only its connection; earlier frames and other connections get through", async () => {
  const events = new Events();
  const node = await startMixnode({ logger: events.logger });
  const sink = new Sink();
  const bad = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
  try {
    const before = randomBytes(40);
    const first = encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], before).packet });
    await writeAll(bad, new Uint8Array([...first, 9, 1, 0, 0, ...randomBytes(100)]));
    await events.waitFor("connection.corrupted");
    await within(closedByPeer(bad), "the server to close the bad connection");
    const arrived = await sink.next();
    assert(arrived.hop.kind === "final");
    assertEquals(arrived.hop.plaintext, before);

    const after = randomBytes(40);
    await sendAndClose(
      node.hostPort,
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], after).packet }),
    );
    const second = await sink.next();
    assert(second.hop.kind === "final");
    assertEquals(second.hop.plaintext, after);
    assertEquals(node.stats.connectionsCorrupted, 1);
    const line = events.entries.find((e) => e.event === "connection.corrupted");
    assert(line?.level === "warn" && line.message.includes("version"), line?.message);
  } finally {
    bad.close();
    await closeAll(sink, node);
  }
});

Deno.test("unprocessable packets are dropped but their connection stays open", async () => {
  const events = new Events();
  const node = await startMixnode({ logger: events.logger });
  const sink = new Sink();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
  try {
    // garbage Sphinx bytes, an Outfox frame, a packet whose final hop is this node
    await writeAll(conn, encodeFrame({ packet: randomBytes(2413) }));
    await writeAll(
      conn,
      encodeFrame({ packetSize: OUTFOX_PACKET_SIZES.regular, packet: randomBytes(2377) }),
    );
    await writeAll(
      conn,
      encodeFrame({ packet: packet([hopOf(node)], [0], randomBytes(5)).packet }),
    );
    const good = randomBytes(5);
    await writeAll(
      conn,
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], good).packet }),
    );
    const { hop } = await sink.next();
    assert(hop.kind === "final");
    assertEquals(hop.plaintext, good);
    const s = node.stats;
    assertEquals([s.droppedMalformed, s.droppedUnsupported, s.droppedFinalHop], [1, 1, 1]);
    assertEquals([s.framesReceived, s.forwarded, s.connectionsCorrupted], [4, 1, 0]);
    assertEquals(events.count("packet.dropped.final_hop"), 1);
  } finally {
    conn.close();
    await closeAll(sink, node);
  }
});

Deno.test("dropRate 1.0 drops every packet, and clearing the fault lets them through", async () => {
  const events = new Events();
  const node = await startMixnode({ logger: events.logger, faults: { dropRate: 1 } });
  const sink = new Sink();
  try {
    const frames = [1, 2, 3].map(() =>
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], randomBytes(8)).packet })
    );
    await sendAndClose(node.hostPort, new Uint8Array(frames.flatMap((f) => [...f])));
    await events.waitFor("packet.dropped.fault", 3);
    await node.idle();
    assertEquals(node.stats.droppedFault, 3);
    assertEquals(node.stats.forwarded, 0);
    assertEquals(sink.deliveries.length, 0);

    node.setFaults({});
    await sendAndClose(node.hostPort, frames[0]);
    const { frame } = await sink.next();
    assertEquals(frame.packet.length, 2413);
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("a drop rate uses the injected random source", async () => {
  const events = new Events();
  let toggle = 0;
  const node = await startMixnode({
    logger: events.logger,
    faults: { dropRate: 0.5, random: () => (toggle++ % 2 ? 0.75 : 0.25) },
  });
  const sink = new Sink();
  try {
    const frames = [0, 1, 2, 3].map((i) =>
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], Uint8Array.of(i)).packet })
    );
    await sendAndClose(node.hostPort, new Uint8Array(frames.flatMap((f) => [...f])));
    const got = [await sink.next(), await sink.next()].map((d) =>
      d.hop.kind === "final" ? d.hop.plaintext[0] : -1
    );
    assertEquals(got.sort(), [1, 3]);
    assertEquals(node.stats.droppedFault, 2);
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("delays are capped at maxDelayMs and addedLatencyMs is added on top", async () => {
  const node = await startMixnode({
    maxDelayMs: 40,
    faults: { addedLatencyMs: 25 },
    logger: () => {},
  });
  const sink = new Sink();
  try {
    const hourLong = packet([hopOf(node), sink.hop], [3_600_000, 0], randomBytes(8)).packet;
    const start = performance.now();
    await sendAndClose(node.hostPort, encodeFrame({ packet: hourLong }));
    const { at } = await sink.next();
    assert(at - start >= 65, `capped hold plus latency took ${(at - start).toFixed(1)} ms`);
    assert(at - start < LIMIT_MS, "the hour-long delay was not capped");
  } finally {
    await closeAll(sink, node);
  }
});

Deno.test("close() cancels held packets and closes every connection", async () => {
  const events = new Events();
  const node = await startMixnode({ logger: events.logger });
  const sink = new Sink();
  const client = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
  try {
    // one packet forwarded at once (opens the outbound connection), one held for 5 s
    await writeAll(
      client,
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [0, 0], randomBytes(4)).packet }),
    );
    await sink.next();
    await writeAll(
      client,
      encodeFrame({ packet: packet([hopOf(node), sink.hop], [5000, 0], randomBytes(4)).packet }),
    );
    await events.waitFor("packet.held");
    assertEquals(node.stats.pendingDelays, 1);
    assertEquals(node.stats.connectionsOpen, 1);

    await node.close();
    await node.close(); // idempotent
    assertEquals(node.stats.pendingDelays, 0);
    assertEquals(node.stats.connectionsOpen, 0);
    await within(closedByPeer(client), "the node to close the inbound connection");
    await node.idle();
    assertEquals(sink.deliveries.length, 1);
    assertEquals(events.count("node.closed"), 1);
  } finally {
    client.close();
    await closeAll(sink, node);
  }
});

Deno.test("a restarted node keeps its keys and port, and its neighbour reconnects to it", async () => {
  const events = new Events();
  const m1 = await startMixnode({ logger: events.logger });
  let m2 = await startMixnode({ logger: events.logger });
  const sink = new Sink();
  try {
    const route = [hopOf(m1), hopOf(m2), sink.hop];
    await sendAndClose(
      m1.hostPort,
      encodeFrame({ packet: packet(route, [0, 0, 0], randomBytes(3)).packet }),
    );
    await sink.next();

    const old = m2;
    m2 = await old.restart();
    assertEquals(m2.hostPort, old.hostPort);
    assertEquals(m2.sphinxPublicKey, old.sphinxPublicKey);
    assertEquals(m2.identityKey, old.identityKey);
    await events.waitFor("connection.closed_by_remote");

    const again = randomBytes(3);
    await sendAndClose(
      m1.hostPort,
      encodeFrame({ packet: packet(route, [0, 0, 0], again).packet }),
    );
    const { hop } = await sink.next();
    assert(hop.kind === "final");
    assertEquals(hop.plaintext, again);
    assertEquals(m1.stats.sent, 2);
  } finally {
    await closeAll(sink, m1, m2);
  }
});

Deno.test("the connection pool reuses one connection per destination, in order", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pool = new ConnectionPool();
  try {
    const chunks = Array.from({ length: 50 }, (_, i) => Uint8Array.of(i, i, i));
    for (const chunk of chunks) assert(pool.send(`127.0.0.1:${listener.addr.port}`, chunk));
    const conn = await listener.accept();
    const received = new Uint8Array(150);
    for (let at = 0; at < 150;) {
      const n = await conn.read(received.subarray(at));
      assert(n !== null, "stream ended early");
      at += n;
    }
    assertEquals(received, new Uint8Array(chunks.flatMap((c) => [...c])));
    await pool.idle();
    assertEquals(pool.stats.sent, 50);
    assertEquals(pool.stats.connects, 1);
    assertEquals(pool.stats.openConnections, 1);
    conn.close();
  } finally {
    await pool.close();
    listener.close();
  }
});

Deno.test("a full destination queue drops and counts new frames; close() aborts the attempt", async () => {
  let aborted = false;
  const pool = new ConnectionPool({
    maxQueue: 2,
    connectTimeoutMs: 60_000,
    logger: () => {},
    connect: (_hostPort, signal) =>
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("aborted"));
        })
      ),
  });
  const results = [1, 2, 3].map(() => pool.send("127.0.0.1:9", new Uint8Array(10)));
  assertEquals(results, [true, true, false]);
  assertEquals(pool.stats.droppedQueueFull, 1);
  assertEquals(pool.stats.queued, 2);
  await pool.close();
  assert(aborted, "the pending connection attempt was not aborted");
  assertEquals(pool.send("127.0.0.1:9", new Uint8Array(1)), false);
});

Deno.test("a failed connection drops its queue and the next attempt backs off", async () => {
  const attempts: number[] = [];
  const pool = new ConnectionPool({
    initialBackoffMs: 30,
    logger: () => {},
    connect: () => {
      attempts.push(performance.now());
      return Promise.reject(new Error("refused"));
    },
  });
  try {
    pool.send("127.0.0.1:9", new Uint8Array(4));
    pool.send("127.0.0.1:9", new Uint8Array(4));
    await pool.idle();
    assertEquals(pool.stats.connectFailures, 1);
    assertEquals(pool.stats.droppedSendFailure, 2);
    pool.send("127.0.0.1:9", new Uint8Array(4));
    await within(pool.idle(), "the second attempt");
    assertEquals(attempts.length, 2);
    assert(attempts[1] - attempts[0] >= 30, "the retry did not wait for its backoff");
  } finally {
    await pool.close();
  }
});

Deno.test("replay filter sizing matches nym-node's own test numbers", () => {
  // nym-node/src/node/replay_protection/mod.rs: 725 760 000 items at 1e-5 → 17 391 129 920 bits, 17 hashes
  assertEquals(replayFilterSizing(725_760_000, 1e-5), { bits: 17_391_129_920, hashCount: 17 });
  const filter = new ReplayFilter();
  assertEquals([filter.bitsPerFilter, filter.hashCount], [2_396_265, 17]);
  assertEquals(filter.memoryBytes, 2 * Math.ceil(2_396_265 / 32) * 4);
});

Deno.test("the replay filter remembers a generation, forgets after two, and keeps memory fixed", () => {
  const filter = new ReplayFilter({ capacity: 500, falsePositiveRate: 1e-4 });
  const memory = filter.memoryBytes;
  const tags = Array.from({ length: 1500 }, () => randomBytes(32));
  for (const tag of tags.slice(0, 500)) assertEquals(filter.checkAndSet(tag), false);
  for (const tag of tags.slice(0, 500)) assert(filter.has(tag), "a recent tag was forgotten");
  for (const tag of tags.slice(500, 1000)) filter.add(tag);
  // the first generation is now the previous one: still remembered
  assert(tags.slice(0, 500).every((t) => filter.has(t)), "previous generation forgotten early");
  for (const tag of tags.slice(1000, 1500)) filter.add(tag);
  // three generations in: the first one is gone (allowing for false positives)
  const remembered = tags.slice(0, 500).filter((t) => filter.has(t)).length;
  assert(remembered < 5, `${remembered} of the oldest tags are still reported`);
  assertEquals(filter.memoryBytes, memory);
});

Deno.test("the replay filter's false-positive rate stays under twice its target", () => {
  const filter = new ReplayFilter({ capacity: 2000, falsePositiveRate: 1e-3 });
  for (let i = 0; i < 4000; i++) filter.add(randomBytes(32)); // both generations full
  let positives = 0;
  const trials = 100_000;
  for (let i = 0; i < trials; i++) if (filter.has(randomBytes(32))) positives++;
  const estimate = filter.falsePositiveRate();
  assert(estimate <= 2.2e-3, `estimated rate ${estimate}`);
  assert(positives / trials < 4e-3, `${positives} false positives in ${trials}`);
});
