// Streams between our clients through a real localnet: bulk transfers with loss at every
// mixnode, many concurrent streams, aborts, malformed frames from a third client, and the idle
// timeout on an injected clock.
import { connect } from "../client/connect.ts";
import type { MixnetClient } from "../client/mixnet_client.ts";
import { type Localnet, startLocalnet } from "../localnet/mod.ts";
import { systemRandom } from "../internal/random.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  listen,
  type MixnetStream,
  multiplexer,
  openStream,
  StreamError,
  type StreamFrameError,
} from "../stream/mod.ts";
import { ManualClock } from "./_manual_clock.ts";
import { wiringOf } from "../client/_wiring.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const fast = {
  preset: "noCover" as const,
  averagePacketDelayMs: 0,
  averageAckDelayMs: 0,
  ackWaitAdditionMs: 250,
  maximumRetransmissions: 40,
};

async function clients(net: Localnet, count = 2): Promise<MixnetClient[]> {
  return await Promise.all(
    Array.from({ length: count }, (_, i) =>
      connect({
        nymApiUrl: net.nymApiUrl,
        traffic: fast,
        gateway: net.gateways[i % net.gateways.length].identity,
      })),
  );
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

async function readAll(stream: MixnetStream): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}

/**
 * Sends `size` random bytes from one client to another over a stream with loss at every
 * mixnode; the acceptor answers with the SHA-256 of what it read, then ends the stream.
 */
async function transfer(size: number, dropRate: number, reorderJitterMs = 0): Promise<void> {
  await using net = await startLocalnet({
    mixnodesPerLayer: 2,
    gateways: 2,
    maxPerHopDelayMs: 0,
    logger: "silent",
  });
  net.setFaults({ dropRate, reorderJitterMs });
  const [alice, bob] = await clients(net);
  try {
    // Counts data frames that reach bob after a later one (seen first, not consumed).
    let highest = -1, outOfOrder = 0;
    const stopCounting = wiringOf(bob).intercept(({ data }) => {
      if (isStreamFrame(data)) {
        const frame = decodeStreamFrame(data);
        if (frame.type === "data" && frame.sequence < highest) outOfOrder++;
        if (frame.type === "data") highest = Math.max(highest, frame.sequence);
      }
      return false;
    });
    const listener = listen(bob);
    const serving = (async () => {
      const stream = (await listener.accept())!;
      const received = await readAll(stream);
      const writer = stream.writable.getWriter();
      await writer.write(await sha256(received));
      await writer.close();
      await stream.closed;
      return received.length;
    })();
    const data = systemRandom(size);
    const started = performance.now();
    const stream = openStream(alice, bob.address, { replySurbs: 20 });
    const writer = stream.writable.getWriter();
    const writing = (async () => {
      for (let i = 0; i < size; i += 65536) await writer.write(data.subarray(i, i + 65536));
      await writer.close();
    })();
    const digest = await readAll(stream);
    await writing;
    await stream.closed;
    const seconds = (performance.now() - started) / 1000;
    assertEquals(digest, await sha256(data));
    assertEquals(await serving, size);
    const { realPacketsSent, retransmissions } = alice.stats;
    console.log(
      `${size / 1e6} MB with ${dropRate * 100} % loss and 0–${reorderJitterMs} ms jitter per ` +
        `mixnode: ${seconds.toFixed(1)} s, ` +
        `${(size / 1e6 / seconds).toFixed(2)} MB/s, ${realPacketsSent} packets, ` +
        `${retransmissions} retransmitted, ${outOfOrder} frames arrived out of order`,
    );
    assert(retransmissions > 0 || dropRate === 0);
    assert(outOfOrder > 0 || reorderJitterMs === 0, "frames were reordered on the way");
    stopCounting();
    listener.close();
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
}

// The jitter makes packets overtake each other at every hop, so frames arrive out of order even
// without the retransmissions the loss causes.
Deno.test("1 MB over a stream with 5 % loss and reordering at every mixnode arrives byte-identical", async () => {
  await transfer(1_000_000, 0.05, 20);
});

Deno.test("10 MB over a stream with 5 % loss and reordering at every mixnode arrives byte-identical", async () => {
  await transfer(10_000_000, 0.05, 20);
});

Deno.test("50 concurrent streams between two clients each echo their own bytes", async () => {
  await using net = await startLocalnet({ gateways: 2, maxPerHopDelayMs: 0, logger: "silent" });
  const [alice, bob] = await clients(net);
  try {
    const listener = listen(bob);
    const serving = (async () => {
      const pipes: Promise<void>[] = [];
      for await (const stream of listener) pipes.push(stream.readable.pipeTo(stream.writable));
      await Promise.all(pipes);
      return pipes.length;
    })();
    const payloads = Array.from({ length: 50 }, () => systemRandom(10_000));
    const results = await Promise.all(payloads.map(async (data) => {
      const stream = openStream(alice, bob.address);
      const writer = stream.writable.getWriter();
      const writing = writer.write(data).then(() => writer.close());
      const echoed = await readAll(stream);
      await writing;
      await stream.closed;
      return {
        id: stream.id,
        same: echoed.length === data.length && echoed.every((b, i) => b === data[i]),
      };
    }));
    assertEquals(results.filter((r) => r.same).length, 50);
    assertEquals(new Set(results.map((r) => r.id)).size, 50);
    assertEquals([multiplexer(alice).size], [0]);
    listener.close();
    assertEquals(await serving, 50);
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

Deno.test("an abort on either side reaches the other through the mixnet", async () => {
  await using net = await startLocalnet({ gateways: 2, maxPerHopDelayMs: 0, logger: "silent" });
  const [alice, bob] = await clients(net);
  try {
    const listener = listen(bob);
    for (const side of ["opener", "acceptor"]) {
      const outbound = openStream(alice, bob.address);
      const inbound = (await listener.accept())!;
      await outbound.established;
      const writer = outbound.writable.getWriter();
      await writer.write(new TextEncoder().encode("before the abort"));
      writer.releaseLock();
      const [aborting, peer] = side === "opener" ? [outbound, inbound] : [inbound, outbound];
      aborting.abort("test");
      await assertRejects(() => aborting.closed, StreamError, (e) => e.kind === "aborted");
      await assertRejects(() => peer.closed, StreamError, (e) => e.kind === "reset");
    }
    assertEquals([multiplexer(alice).size, multiplexer(bob).size], [0, 0]);
    listener.close();
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

Deno.test("malformed frames from a third client are dropped with typed errors; messages coexist", async () => {
  await using net = await startLocalnet({ gateways: 2, maxPerHopDelayMs: 0, logger: "silent" });
  const [alice, bob, mallory] = await clients(net, 3);
  try {
    const errors: StreamFrameError[] = [];
    let notify = () => {};
    multiplexer(bob).on("error", ({ error }) => {
      errors.push(error);
      notify();
    });
    const listener = listen(bob);
    const outbound = openStream(alice, bob.address);
    const inbound = (await listener.accept())!;
    const reading = readAll(inbound);
    const unknown = encodeStreamFrame({
      streamId: outbound.id,
      type: "data",
      sequence: 0,
      payload: new TextEncoder().encode("forged"),
    });
    unknown[10] = 0x42;
    await mallory.send(bob.address, Uint8Array.of(3, 0, 1, 2, 3));
    await mallory.send(bob.address, unknown);
    await mallory.send(
      bob.address,
      encodeStreamFrame({
        streamId: outbound.id,
        type: "reset",
        sequence: 0,
        payload: new Uint8Array(0),
      }),
      { replySurbs: 1 },
    );
    // ordinary messages still flow, to the listening client and to the one that only opened
    await mallory.send(bob.address, "just a message");
    const lookalike = Uint8Array.of(3, 0, 9, 9, 9, 9, 9, 9, 9, 9, 1, 0, 0, 0, 0, 0, 7);
    await mallory.send(alice.address, lookalike);
    if (errors.length < 3) {
      await new Promise<void>((resolve) => notify = () => errors.length >= 3 && resolve());
    }
    assertEquals(errors.map((e) => e.kind).sort(), ["sender", "truncated", "type"]);
    const bobReader = bob.messages.getReader();
    assertEquals(new TextDecoder().decode((await bobReader.read()).value!.data), "just a message");
    bobReader.releaseLock();
    const aliceReader = alice.messages.getReader();
    assertEquals((await aliceReader.read()).value!.data, lookalike);
    aliceReader.releaseLock();
    const writer = outbound.writable.getWriter();
    await writer.write(new TextEncoder().encode("the stream is fine"));
    await writer.close();
    assertEquals(new TextDecoder().decode(await reading), "the stream is fine");
    await inbound.close();
    await outbound.closed;
    listener.close();
  } finally {
    await Promise.all([alice.disconnect(), bob.disconnect(), mallory.disconnect()]);
  }
});

Deno.test("idle streams time out on an injected manual clock and leave no timer behind", async () => {
  await using net = await startLocalnet({ gateways: 2, maxPerHopDelayMs: 0, logger: "silent" });
  const [alice, bob] = await clients(net);
  try {
    const clock = new ManualClock();
    multiplexer(alice, { clock, idleTimeoutMs: 5 * 60_000, pingIntervalMs: 0 });
    multiplexer(bob, { clock, idleTimeoutMs: 5 * 60_000, pingIntervalMs: 0 });
    const listener = listen(bob);
    const outbound = openStream(alice, bob.address);
    const inbound = (await listener.accept())!;
    await outbound.established;
    clock.advance(4 * 60_000);
    assertEquals([multiplexer(alice).size, multiplexer(bob).size], [1, 1]);
    clock.advance(70_000);
    await assertRejects(() => outbound.closed, StreamError, (e) => e.kind === "idle-timeout");
    await assertRejects(() => inbound.closed, StreamError, (e) => e.kind === "idle-timeout");
    assertEquals([multiplexer(alice).size, multiplexer(bob).size, clock.pending], [0, 0, 0]);
    listener.close();
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

Deno.test("disconnect() lets an echo's close in flight finish: the acceptor's pipeTo resolves", async () => {
  await using net = await startLocalnet({ gateways: 2, maxPerHopDelayMs: 0, logger: "silent" });
  const [opener, acceptor] = await clients(net);
  // The README's acceptor: a pipeTo nobody awaits; it must resolve, never reject at shutdown.
  const outcomes: string[] = [];
  const accepting = (async () => {
    for await (const stream of listen(acceptor)) {
      stream.readable.pipeTo(stream.writable).then(
        () => outcomes.push("resolved"),
        (error) => outcomes.push(`rejected: ${error?.message}`),
      );
    }
  })();
  const stream = openStream(opener, acceptor.address, { replySurbs: 20 });
  const writer = stream.writable.getWriter();
  await writer.write(new TextEncoder().encode("ping"));
  await writer.close();
  assertEquals(await new Response(stream.readable).text(), "ping");
  // The acceptor's close frame may still be on its way to being acknowledged here.
  await opener.disconnect();
  await acceptor.disconnect();
  await accepting;
  assertEquals(outcomes, ["resolved"]);
});
