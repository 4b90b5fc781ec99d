// The stream layer against a hostile sender: frames larger than a packet, reorder buffers that
// are never drained, and floods of Opens (per client, per sender tag, never used).
import { wire } from "../client/_wiring.ts";
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  listen,
  maxFramePayload,
  multiplexer,
  ReorderBuffer,
  type StreamClient,
  StreamError,
  type StreamFrameError,
  type StreamMultiplexerOptions,
} from "../stream/mod.ts";
import { ManualClock } from "./_manual_clock.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

function delivered(): DeliveryHandle {
  const promise = Promise.resolve();
  return {
    id: 0,
    fragments: 1,
    acknowledged: 1,
    status: "delivered",
    delivered: promise,
    then: (a, b) => promise.then(a, b),
  } as DeliveryHandle;
}

/** A client whose received messages the test injects, recording what it sends back. */
class Victim implements StreamClient {
  readonly replies: { tag: string; type: string }[] = [];
  #handler: ((message: ReceivedMessage) => boolean) | undefined;
  send(): DeliveryHandle {
    return delivered();
  }
  reply(senderTag: string, data: Uint8Array): DeliveryHandle {
    this.replies.push({ tag: senderTag, type: decodeStreamFrame(data).type });
    return delivered();
  }
  constructor() {
    // The stream layer intercepts through the client's internal wiring, as with a MixnetClient.
    wire(this, {
      intercept: (handler) => {
        this.#handler = handler;
        return () => this.#handler = undefined;
      },
    });
  }
  receive(message: ReceivedMessage): void {
    this.#handler?.(message);
  }
}

function setup(options: StreamMultiplexerOptions = {}) {
  const clock = new ManualClock();
  const victim = new Victim();
  const streams = multiplexer(victim, { clock, pingIntervalMs: 0, ...options });
  const errors: StreamFrameError[] = [];
  streams.on("error", ({ error }) => errors.push(error));
  const listener = listen(victim);
  const frame = (streamId: bigint, type: "open" | "data", sequence: number, payload: Uint8Array) =>
    encodeStreamFrame({ streamId, type, sequence, payload });
  const open = (streamId: bigint, tag: string) =>
    victim.receive({
      data: frame(streamId, "open", 0, new Uint8Array(0)),
      kind: "repliable",
      senderTag: tag,
    });
  const data = (streamId: bigint, tag: string, sequence: number, payload: Uint8Array) =>
    victim.receive({
      data: frame(streamId, "data", sequence, payload),
      kind: "repliable",
      senderTag: tag,
    });
  return { clock, victim, streams, errors, listener, open, data };
}

Deno.test("the reorder buffer is bounded in bytes, not only in frames", () => {
  // frames 1..40 of 1 MiB, never frame 0: at most maxBytes are held
  const buffer = new ReorderBuffer<Uint8Array>({ capacity: 256, maxBytes: 4 * 1024 * 1024 });
  let gaps = 0;
  for (let seq = 1; seq <= 40; seq++) {
    const { events } = buffer.push(seq, new Uint8Array(1024 * 1024));
    gaps += events.filter((e) => e.kind === "gap").length;
    assert(buffer.heldBytes <= 4 * 1024 * 1024, `${buffer.heldBytes} bytes held`);
  }
  assertEquals(gaps, 1);
  assertEquals(buffer.skipped, 1);
  assertEquals([buffer.size, buffer.heldBytes], [0, 0]);
});

Deno.test("stream frames larger than one packet are refused", () => {
  const { errors, open, data, streams, listener } = setup();
  open(1n, "attacker");
  const max = maxFramePayload("send");
  for (let seq = 1; seq <= 40; seq++) data(1n, "attacker", seq, new Uint8Array(1024 * 1024));
  data(1n, "attacker", 41, new Uint8Array(max)); // one packet's worth is fine
  assertEquals(errors.filter((e) => e.kind === "too-large").length, 40);
  assertEquals(errors.length, 40);
  streams.close();
  listener.close();
});

Deno.test("a stream whose frame 0 never comes holds at most reorderBufferBytes", async () => {
  const { errors, open, data, streams, listener } = setup({ reorderBufferBytes: 16 * 1024 });
  open(1n, "attacker");
  const stream = (await listener.accept())!;
  const max = maxFramePayload("send");
  for (let seq = 1; seq <= 40; seq++) data(1n, "attacker", seq, new Uint8Array(max));
  // 16 KiB is about 10 frames: the gap is skipped, which fails the stream (no silent loss)
  await assertRejects(() => stream.closed, StreamError, (e) => e.kind === "data-loss");
  assertEquals(errors.length, 0);
  streams.close();
  listener.close();
});

Deno.test("one sender tag cannot open more than maxStreamsPerSender streams", () => {
  const { victim, errors, open, streams, listener } = setup({ maxStreamsPerSender: 4 });
  for (let i = 1n; i <= 50n; i++) open(i, "attacker");
  assertEquals(streams.size, 4);
  assertEquals(errors.filter((e) => e.kind === "limit").length, 46);
  assertEquals(victim.replies.filter((r) => r.type === "reset").length, 46);
  open(1000n, "honest"); // another sender still gets in
  assertEquals(streams.size, 5);
  streams.close();
  listener.close();
});

Deno.test("a client holds at most maxStreams streams, whoever opens them", () => {
  const { errors, open, streams, listener } = setup({ maxStreams: 8, acceptBacklog: 1000 });
  for (let i = 1n; i <= 500n; i++) open(i, `sender-${i}`);
  assertEquals(streams.size, 8);
  assertEquals(errors.filter((e) => e.kind === "limit").length, 492);
  streams.close();
  listener.close();
});

Deno.test("an accepted stream that never carries data is reset after the unused timeout", async () => {
  const { clock, open, data, streams, listener, victim } = setup({ unusedStreamTimeoutMs: 20_000 });
  open(1n, "a");
  open(2n, "b");
  const idle = (await listener.accept())!;
  const used = (await listener.accept())!;
  data(2n, "b", 0, Uint8Array.of(1));
  clock.advance(20_000);
  await assertRejects(() => idle.closed, StreamError, (e) => e.kind === "idle-timeout");
  assertEquals(streams.size, 1);
  assert(victim.replies.some((r) => r.tag === "a" && r.type === "reset"));
  // the used one is still open: it reads its byte
  const read = await used.readable.getReader().read();
  assertEquals(read.value, Uint8Array.of(1));
  streams.close();
  listener.close();
});
