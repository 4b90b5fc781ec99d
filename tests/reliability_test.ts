// Faults on a localnet: loss at every mixnode, a mixnode killed and restarted mid-transfer, a
// gateway restarted mid-transfer, an offline recipient, a stalled gateway.
// Expected each time: every message whose send promise resolved is delivered exactly once, a
// stream transfer is byte-identical (SHA-256), and the figures (sent, delivered, duplicates,
// retransmissions) are printed.
import { connect, type ConnectOptions } from "../client/connect.ts";
import type { MixnetClient, MixnetClientEvents } from "../client/mixnet_client.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import { type Localnet, type Logger, startLocalnet } from "../localnet/mod.ts";
import { systemRandom } from "../internal/random.ts";
import { assert, assertEquals, withDeadline } from "./_assert.ts";
import { MemoryStorage } from "../client/storage.ts";
import { Recipient } from "../message/mod.ts";
import { decodeStreamFrame, isStreamFrame, listen, openStream } from "../stream/mod.ts";
import { wiringOf } from "../client/_wiring.ts";

const traffic = {
  preset: "noCover" as const,
  averagePacketDelayMs: 2,
  averageAckDelayMs: 2,
  ackWaitAdditionMs: 250,
  maximumRetransmissions: 40,
};

/**
 * A localnet logger (printing nothing) that tells when a node lost frames it was forwarding to
 * `peer` (its connection to it failed): proof that a fault hit traffic, without polling.
 */
function lossWatcher(): { logger: Logger; lossTo(peer: string): Promise<number> } {
  const lost = new Map<string, number>();
  const waiters = new Set<{ peer: string; resolve: (frames: number) => void }>();
  const logger: Logger = (entry) => {
    const frames = Number(/dropped (\d+)/.exec(entry.message)?.[1] ?? 0);
    if (!entry.event.startsWith("connection.") || !entry.peer || frames === 0) return;
    lost.set(entry.peer, (lost.get(entry.peer) ?? 0) + frames);
    for (const w of waiters) {
      if (w.peer !== entry.peer) continue;
      waiters.delete(w);
      w.resolve(frames);
    }
  };
  return {
    logger,
    /** Resolves at the next loss of frames bound for `peer`. */
    lossTo: (peer) => new Promise((resolve) => waiters.add({ peer, resolve })),
  };
}

/** A test that does not finish within this fails instead of blocking CI. */
const DEADLINE_MS = 45_000;

interface Figures {
  sent: number;
  resolved: number;
  delivered: number;
  duplicates: number;
  retransmissions: number;
  packets: number;
}

/** Alice on the first gateway, bob on the second. */
async function pair(
  net: Localnet,
  options: Partial<ConnectOptions> = {},
): Promise<[MixnetClient, MixnetClient]> {
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[0].identity,
    ...options,
  });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[1 % net.gateways.length].identity,
    ...options,
  }).catch(async (error) => {
    await alice.disconnect();
    throw error;
  });
  return [alice, bob];
}

/** Resolves at the next `type` event of `client`. */
function once(client: MixnetClient, type: keyof MixnetClientEvents): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on(type, () => {
      off();
      resolve();
    });
  });
}

/** Sends `count` messages of `size` bytes; collects what arrives until every handle settled. */
async function exchange(
  net: Localnet,
  count: number,
  size: number,
  during?: (alice: MixnetClient, bob: MixnetClient) => Promise<void>,
  options: Partial<ConnectOptions> = {},
): Promise<Figures> {
  const [alice, bob] = await pair(net, options);
  const seen = new Map<string, number>();
  let notify = () => {};
  const reading = (async () => {
    for await (const message of bob.messages) {
      const id = new TextDecoder().decode(message.data.subarray(0, 8));
      seen.set(id, (seen.get(id) ?? 0) + 1);
      notify();
    }
  })();
  try {
    const handles: DeliveryHandle[] = [];
    for (let i = 0; i < count; i++) {
      const body = systemRandom(size);
      body.set(new TextEncoder().encode(String(i).padStart(8, "0")));
      handles.push(alice.send(bob.address, body));
    }
    await during?.(alice, bob);
    const settled = await Promise.allSettled(handles.map((h) => h.delivered));
    const resolved = settled.map((s, i) =>
      s.status === "fulfilled" ? String(i).padStart(8, "0") : undefined
    )
      .filter((id): id is string => id !== undefined);
    // Every resolved message was acknowledged by bob's gateway, which pushed it to bob: wait
    // until each has been read.
    await new Promise<void>((resolve) => {
      notify = () => resolved.every((id) => seen.has(id)) && resolve();
      notify();
    });
    const packets = net.mixnodes.reduce((n, m) => n + m.node.stats.framesReceived, 0);
    return {
      sent: count,
      resolved: resolved.length,
      delivered: resolved.filter((id) => seen.get(id) === 1).length,
      duplicates: [...seen.values()].filter((n) => n > 1).length,
      retransmissions: alice.stats.retransmissions,
      packets,
    };
  } finally {
    await alice.disconnect();
    await bob.disconnect();
    await reading;
  }
}

function report(name: string, f: Figures): void {
  console.log(
    `${name}: sent ${f.sent}, resolved ${f.resolved}, delivered exactly once ${f.delivered}, ` +
      `duplicates ${f.duplicates}, retransmissions ${f.retransmissions}, ` +
      `mixnode frames ${f.packets}`,
  );
}

function assertExactlyOnce(f: Figures): void {
  assertEquals(f.resolved, f.sent);
  assertEquals(f.delivered, f.resolved);
  assertEquals(f.duplicates, 0);
}

interface StreamFigures {
  sent: number;
  delivered: number;
  identical: boolean;
  frames: number;
  duplicateFrames: number;
  retransmissions: number;
  ms: number;
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

/**
 * Streams `size` random bytes from alice to bob; bob answers with the SHA-256 of what he read
 * and closes. `midway` (the fault) starts once bob has received half of the bytes, and must end
 * before the transfer can complete. Data frames reaching bob are counted (without being
 * consumed) to report duplicates.
 */
async function streamTransfer(
  alice: MixnetClient,
  bob: MixnetClient,
  size: number,
  midway?: () => Promise<void>,
): Promise<StreamFigures> {
  const before = alice.stats.retransmissions + bob.stats.retransmissions;
  const seen = new Map<number, number>();
  let receivedBytes = 0;
  let startFault = () => {};
  const halfway = new Promise<void>((resolve) => startFault = resolve);
  const stopCounting = wiringOf(bob).intercept(({ data }) => {
    if (isStreamFrame(data)) {
      try {
        const frame = decodeStreamFrame(data);
        if (frame.type === "data") {
          const n = seen.get(frame.sequence) ?? 0;
          seen.set(frame.sequence, n + 1);
          if (n === 0) receivedBytes += frame.payload.length;
          if (receivedBytes >= size / 2) startFault();
        }
      } catch { /* not ours to judge */ }
    }
    return false;
  });
  const listener = listen(bob);
  try {
    const fault = halfway.then(() => midway?.());
    const serving = (async () => {
      const stream = await listener.accept();
      assert(stream, "bob accepted the stream");
      const received = new Uint8Array(await new Response(stream.readable).arrayBuffer());
      const writer = stream.writable.getWriter();
      await writer.write(await sha256(received));
      await writer.close();
      await stream.closed;
      return received;
    })();
    const data = systemRandom(size);
    const started = performance.now();
    const stream = openStream(alice, bob.address, { replySurbs: 20 });
    const writer = stream.writable.getWriter();
    const writing = (async () => {
      for (let i = 0; i < size; i += 16384) await writer.write(data.subarray(i, i + 16384));
      await writer.close();
    })();
    const [digest, received] = await Promise.all([
      new Response(stream.readable).arrayBuffer().then((b) => new Uint8Array(b)),
      serving,
      writing,
      stream.closed,
      fault,
    ]);
    const expected = await sha256(data);
    return {
      sent: size,
      delivered: received.length,
      identical: received.length === size && (await sha256(received)).every((b, i) =>
        b === expected[i]
      ) && digest.length === 32 && digest.every((b, i) => b === expected[i]),
      frames: seen.size,
      duplicateFrames: [...seen.values()].reduce((n, k) => n + k - 1, 0),
      retransmissions: alice.stats.retransmissions + bob.stats.retransmissions - before,
      ms: performance.now() - started,
    };
  } finally {
    stopCounting();
    listener.close();
  }
}

function reportStream(name: string, f: StreamFigures): void {
  console.log(
    `${name}: stream of ${f.sent} bytes, delivered ${f.delivered} ` +
      `${f.identical ? "byte-identical (SHA-256)" : "CORRUPTED"}, ${f.frames} data frames, ` +
      `duplicate frames dropped ${f.duplicateFrames}, retransmissions ${f.retransmissions}, ` +
      `${(f.ms / 1000).toFixed(1)} s`,
  );
}

/** Runs `fn` with a fresh pair of clients (connected with `options`), bounded in time. */
async function withPair<T>(
  net: Localnet,
  what: string,
  fn: (alice: MixnetClient, bob: MixnetClient) => Promise<T>,
  options: Partial<ConnectOptions> = {},
): Promise<T> {
  const [alice, bob] = await pair(net, options);
  try {
    return await withDeadline(fn(alice, bob), DEADLINE_MS, what);
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
}

Deno.test("with 10 % packet loss at every mixnode, resolved messages arrive exactly once and a stream byte-identical", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 2, gateways: 2, logger: "silent" });
  net.setFaults({ dropRate: 0.1 });
  const figures = await withDeadline(exchange(net, 20, 3000), DEADLINE_MS, "messages");
  report("10% loss", figures);
  assertExactlyOnce(figures);
  const stream = await withPair(
    net,
    "stream under loss",
    (alice, bob) => streamTransfer(alice, bob, 128 * 1024),
  );
  reportStream("10% loss", stream);
  assert(stream.identical);
  assert(stream.retransmissions > 0, "the loss made retransmissions necessary");
});

Deno.test("a mixnode killed and restarted mid-transfer loses nothing that resolved", async () => {
  const watch = lossWatcher();
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: watch.logger });
  const restart = async () => {
    // The only layer-2 node: every route is cut. It comes back only after layer 1 lost frames
    // bound for it, so the fault always hits traffic.
    const lost = watch.lossTo(net.mixnodes[1].hostPort);
    await net.killMixnode(1);
    await lost;
    await net.restartMixnode(1);
  };
  const figures = await withDeadline(exchange(net, 20, 5000, restart), DEADLINE_MS, "messages");
  report("mixnode restart", figures);
  assertExactlyOnce(figures);
  assert(figures.retransmissions > 0, "the lost packets were retransmitted");
  const stream = await withPair(
    net,
    "stream across a mixnode restart",
    (alice, bob) => streamTransfer(alice, bob, 128 * 1024, restart),
  );
  reportStream("mixnode restart", stream);
  assert(stream.identical);
  assert(stream.retransmissions > 0, "the lost packets were retransmitted");
});

Deno.test("a gateway restarted mid-transfer loses nothing that resolved", async () => {
  const watch = lossWatcher();
  await using net = await startLocalnet({ gateways: 2, logger: watch.logger });
  // Bob's gateway goes down while packets are on their way to it (it returns only after the
  // last mixnode lost frames bound for it), then alice's.
  const restartGateways = async (alice: MixnetClient, bob: MixnetClient) => {
    const bobDropped = once(bob, "reconnecting");
    const lost = watch.lossTo(net.gateways[1].mixHost);
    await net.killGateway(1);
    await bobDropped;
    await lost;
    const bobBack = once(bob, "connected");
    await net.restartGateway(1);
    await bobBack;
    const aliceDropped = once(alice, "reconnecting");
    await net.killGateway(0);
    await aliceDropped;
    const aliceBack = once(alice, "connected");
    await net.restartGateway(0);
    await aliceBack;
  };
  const figures = await withDeadline(
    exchange(net, 20, 3000, restartGateways),
    DEADLINE_MS,
    "messages",
  );
  report("gateway restart", figures);
  assertExactlyOnce(figures);
  assert(figures.retransmissions > 0, "the lost packets were retransmitted");
  const stream = await withPair(
    net,
    "stream across gateway restarts",
    (alice, bob) => streamTransfer(alice, bob, 128 * 1024, () => restartGateways(alice, bob)),
  );
  reportStream("gateway restart", stream);
  assert(stream.identical);
  assert(stream.retransmissions > 0, "the lost packets were retransmitted");
});

Deno.test("messages for an offline client are stored by its gateway, kept across its restart, and pushed when it returns", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const bobStorage = new MemoryStorage();
  const options = { nymApiUrl: net.nymApiUrl, traffic };
  const alice = await connect({ ...options, gateway: net.gateways[0].identity });
  const bobBefore = await connect({
    ...options,
    gateway: net.gateways[1].identity,
    storage: bobStorage,
  });
  const bobAddress = bobBefore.address;
  await bobBefore.disconnect();
  try {
    // Bob is offline; his gateway processes the packets, acknowledges them and stores them.
    await Promise.all([1, 2, 3].map((i) => alice.send(bobAddress, `while away ${i}`).delivered));
    const bobIdentity = Recipient.parse(bobAddress).identity;
    assertEquals(net.gateways[1].server.storedMessages(bobIdentity), 3);
    // As a Nym gateway keeps them in its database, a restart keeps them.
    await net.restartGateway(1);
    assertEquals(net.gateways[1].server.storedMessages(bobIdentity), 3);
    const bob = await connect({ ...options, storage: bobStorage });
    assertEquals(bob.address, bobAddress);
    const got: string[] = [];
    for await (const message of bob.messages) {
      got.push(new TextDecoder().decode(message.data));
      if (got.length === 3) break;
    }
    assertEquals(got.sort(), ["while away 1", "while away 2", "while away 3"]);
    await bob.disconnect();
  } finally {
    await alice.disconnect();
  }
});

Deno.test("a stalled gateway is noticed by the liveness probe and the client comes back after", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const stallOptions = { gatewayTimeoutMs: 300, livenessIntervalMs: 100 };
  const options = { nymApiUrl: net.nymApiUrl, traffic, ...stallOptions };
  const alice = await connect({ ...options, gateway: net.gateways[0].identity });
  const bob = await connect({ ...options, gateway: net.gateways[1].identity });
  const reasons: string[] = [];
  alice.on("reconnecting", (e) => reasons.push(e.reason));
  try {
    await withDeadline(
      (async () => {
        const noticed = once(alice, "reconnecting");
        net.stallGateway(0, true);
        await noticed;
        assert(reasons[0].startsWith("liveness probe failed"), reasons[0]);
        const handle = alice.send(bob.address, "sent while my gateway was stalled");
        const back = once(alice, "connected");
        net.stallGateway(0, false);
        await back;
        await handle;
        const reader = bob.messages.getReader();
        assertEquals(
          new TextDecoder().decode((await reader.read()).value!.data),
          "sent while my gateway was stalled",
        );
        reader.releaseLock();
      })(),
      DEADLINE_MS,
      "a message across a stall",
    );
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
  // Alice's gateway stalls mid-transfer: noticed, reconnected after, and nothing lost.
  const stall = async (alice: MixnetClient) => {
    const noticed = once(alice, "reconnecting");
    net.stallGateway(0, true);
    await noticed;
    const back = once(alice, "connected");
    net.stallGateway(0, false);
    await back;
  };
  const figures = await withDeadline(
    exchange(net, 20, 3000, (alice) => stall(alice), stallOptions),
    DEADLINE_MS,
    "messages",
  );
  report("stalled gateway", figures);
  assertExactlyOnce(figures);
  // The stall began as soon as the sends were queued: the stalled gateway swallowed packets.
  assert(figures.retransmissions > 0, "packets sent into the stall were retransmitted");
  const stream = await withPair(
    net,
    "stream across a stall",
    (alice, bob) => streamTransfer(alice, bob, 128 * 1024, () => stall(alice)),
    stallOptions,
  );
  reportStream("stalled gateway", stream);
  assert(stream.identical);
  assert(stream.retransmissions > 0, "packets sent into the stall were retransmitted");
});
