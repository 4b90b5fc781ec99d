// The stream layer over an in-memory network of fake clients: no Sphinx, no sockets, a manual
// clock. The network can hold, reorder, duplicate and drop messages, and hold back acks.
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  listen,
  maxFramePayload,
  type MixnetStream,
  multiplexer,
  openStream,
  type StreamClient,
  StreamError,
  type StreamFrame,
  type StreamFrameError,
  type StreamMultiplexerOptions,
} from "../stream/mod.ts";
import { ManualClock, settle } from "./_fixtures/mod.ts";
import { wire } from "../client/_wiring.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";

interface Packet {
  to: FakeClient;
  message: ReceivedMessage;
  ack: () => void;
}

/** Carries messages between fake clients when told to. */
class FakeNetwork {
  queue: Packet[] = [];
  clients = new Map<string, FakeClient>();
  tags = new Map<string, FakeClient>();
  /** Ack each message when it is delivered (true) or only when the test says so (false). */
  autoAck = true;
  heldAcks: (() => void)[] = [];

  /** Delivers everything queued (and what that triggers) in the order `pick` chooses. */
  async run(pick: (queue: Packet[]) => number = () => 0): Promise<void> {
    for (let guard = 0; guard < 100_000; guard++) {
      await settle();
      if (this.queue.length === 0) return;
      const [packet] = this.queue.splice(pick(this.queue), 1);
      packet.to.receive(packet.message);
      if (this.autoAck) packet.ack();
      else this.heldAcks.push(packet.ack);
    }
    throw new Error("the network did not settle");
  }

  releaseAcks(): void {
    for (const ack of this.heldAcks.splice(0)) ack();
  }
}

let nextHandle = 1;
function handle(): { handle: DeliveryHandle; ack: () => void } {
  let resolve!: () => void;
  const delivered = new Promise<void>((r) => resolve = r);
  const h = {
    id: nextHandle++,
    fragments: 1,
    acknowledged: 0,
    status: "pending" as const,
    delivered,
    then: <A, B>(a?: (v: void) => A, b?: (e: unknown) => B) => delivered.then(a, b),
  };
  return { handle: h as DeliveryHandle, ack: resolve };
}

/** What the stream layer needs from a client, over the fake network. */
class FakeClient implements StreamClient {
  readonly address: string;
  readonly tag: string;
  readonly sent: { bytes: Uint8Array; surbs: number; lane?: string; reply: boolean }[] = [];
  readonly messages: ReceivedMessage[] = [];
  #net: FakeNetwork;
  #interceptors = new Set<(message: ReceivedMessage) => boolean>();
  #disconnected = new Set<() => void>();
  /** Messages this client sends are dropped while this returns true. */
  drop: (bytes: Uint8Array) => boolean = () => false;
  /** Messages this client sends vanish and are never acknowledged while this returns true. */
  hold: (bytes: Uint8Array) => boolean = () => false;

  constructor(net: FakeNetwork, name: string) {
    this.#net = net;
    this.address = `${name}.key@gateway`;
    this.tag = `tag-${name}`;
    net.clients.set(this.address, this);
    net.tags.set(this.tag, this);
    wire(this, { intercept: (handler) => this.intercept(handler) });
  }

  send(
    recipient: string,
    data: Uint8Array,
    options: { replySurbs?: number; lane?: string } = {},
  ): DeliveryHandle {
    const to = this.#net.clients.get(recipient);
    if (!to) throw new Error(`no client at ${recipient}`);
    const surbs = options.replySurbs ?? 0;
    this.sent.push({ bytes: data, surbs, lane: options.lane, reply: false });
    const message: ReceivedMessage = surbs > 0
      ? { data: data.slice(), kind: "repliable", senderTag: this.tag }
      : { data: data.slice(), kind: "plain" };
    return this.#enqueue(to, message, data);
  }

  reply(senderTag: string, data: Uint8Array): DeliveryHandle {
    const to = this.#net.tags.get(senderTag);
    if (!to) throw new Error(`no client with tag ${senderTag}`);
    this.sent.push({ bytes: data, surbs: 0, reply: true });
    return this.#enqueue(to, { data: data.slice(), kind: "reply" }, data);
  }

  #enqueue(to: FakeClient, message: ReceivedMessage, data: Uint8Array): DeliveryHandle {
    const h = handle();
    if (this.hold(data)) return h.handle; // lost, and the client keeps retransmitting it
    if (this.drop(data)) h.ack(); // lost after its ack, as far as the sender can tell
    else this.#net.queue.push({ to, message, ack: h.ack });
    return h.handle;
  }

  intercept(handler: (message: ReceivedMessage) => boolean): () => void {
    this.#interceptors.add(handler);
    return () => this.#interceptors.delete(handler);
  }

  on(type: string, listener: () => void): () => void {
    if (type === "disconnected") this.#disconnected.add(listener);
    return () => this.#disconnected.delete(listener);
  }

  disconnect(): void {
    for (const listener of this.#disconnected) listener();
  }

  receive(message: ReceivedMessage): void {
    for (const handler of this.#interceptors) if (handler(message)) return;
    this.messages.push(message);
  }

  /** Frames this client sent, decoded. */
  frames(): StreamFrame[] {
    return this.sent.filter((s) => isStreamFrame(s.bytes)).map((s) => decodeStreamFrame(s.bytes));
  }
}

function setup(options: StreamMultiplexerOptions = {}) {
  const net = new FakeNetwork();
  const clock = new ManualClock();
  const alice = new FakeClient(net, "alice");
  const bob = new FakeClient(net, "bob");
  const settings = { clock, pingIntervalMs: 0, ...options };
  const aliceStreams = multiplexer(alice, settings);
  const bobStreams = multiplexer(bob, settings);
  const errors: StreamFrameError[] = [];
  bobStreams.on("error", ({ error }) => errors.push(error));
  aliceStreams.on("error", ({ error }) => errors.push(error));
  return { net, clock, alice, bob, aliceStreams, bobStreams, errors };
}

/** {@linkcode setup}, then alice opens a stream that bob accepts. */
async function connected(options: StreamMultiplexerOptions = {}) {
  const parties = setup(options);
  const { net, alice, bob } = parties;
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  return { ...parties, listener, outbound, inbound };
}

const bytes = (n: number, seed = 1) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);
const text = (s: string) => new TextEncoder().encode(s);

async function readAll(stream: MixnetStream): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream.readable).arrayBuffer());
}

Deno.test("a stream carries bytes both ways; each side sees EOF after the other's last byte", async () => {
  const { net, alice, bob, listener, outbound, inbound } = await connected();
  assertEquals(inbound.id, outbound.id);
  assertEquals([outbound.direction, inbound.direction], ["outbound", "inbound"]);
  await outbound.established;

  const up = bytes(10_000);
  const down = bytes(7_000, 3);
  const upRead = readAll(inbound);
  const downRead = readAll(outbound);
  const w1 = outbound.writable.getWriter();
  const w2 = inbound.writable.getWriter();
  const writes = Promise.all([
    w1.write(up).then(() => w1.close()),
    w2.write(down).then(() => w2.close()),
  ]);
  // deliver the newest message first every time: worst-case reordering
  await net.run((q) => q.length - 1);
  await writes;
  assertEquals(await upRead, up);
  assertEquals(await downRead, down);
  await Promise.all([outbound.closed, inbound.closed]);
  assertEquals([multiplexer(alice).size, multiplexer(bob).size], [0, 0]);
  listener.close();
});

Deno.test("the Open goes with reply SURBs on lane connection:<id>; the acceptor answers by tag", async () => {
  const { net, alice, bob } = setup();
  const listener = listen(bob);
  const stream = openStream(alice, bob.address, { replySurbs: 7 });
  await net.run();
  const open = alice.sent[0];
  assertEquals([decodeStreamFrame(open.bytes).type, open.surbs, open.lane], [
    "open",
    7,
    `connection:${stream.id}`,
  ]);
  // the acceptor's OpenAck went back as a reply, never to an address
  assertEquals(bob.sent.map((s) => [decodeStreamFrame(s.bytes).type, s.reply]), [[
    "openAck",
    true,
  ]]);
  (await listener.accept())!.abort();
  await net.run();
  await assertRejects(() => stream.closed, StreamError, (e) => e.kind === "reset");
  listener.close();
});

Deno.test("the end-of-stream cannot overtake data: it is sequenced after the last data frame", async () => {
  const { net, alice, listener, outbound, inbound } = await connected();
  const reading = readAll(inbound);
  const writer = outbound.writable.getWriter();
  const data = bytes(5 * 1586);
  const writing = writer.write(data).then(() => writer.close());
  await settle();
  const frames = alice.frames().filter((f) => f.type !== "open");
  assertEquals(frames.map((f) => [f.type, f.sequence]), [
    ["data", 0],
    ["data", 1],
    ["data", 2],
    ["data", 3],
    ["data", 4],
    ["close", 5],
  ]);
  // deliver the close first, then the data backwards
  await net.run((q) =>
    q.findIndex((p) => decodeStreamFrame(p.message.data).type === "close") >= 0
      ? q.findIndex((p) => decodeStreamFrame(p.message.data).type === "close")
      : q.length - 1
  );
  await writing;
  assertEquals(await reading, data);
  listener.close();
  await outbound.close();
});

Deno.test("small writes are coalesced into frames of one packet each", async () => {
  const { net, alice, listener, outbound, inbound } = await connected();
  const reading = readAll(inbound);
  const writer = outbound.writable.getWriter();
  const data = bytes(10_000);
  for (let i = 0; i < data.length; i += 100) writer.write(data.subarray(i, i + 100));
  const closing = writer.close();
  await net.run();
  await closing;
  const sizes = alice.frames().filter((f) => f.type === "data").map((f) => f.payload.length);
  const max = maxFramePayload("send");
  assertEquals(sizes, [max, max, max, max, max, max, 10_000 - 6 * max]);
  assertEquals(await reading, data);
  listener.close();
});

Deno.test("a partial frame leaves on the next timer turn without waiting for more", async () => {
  const { net, clock, alice, bob } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  const reader = inbound.readable.getReader();
  const writer = outbound.writable.getWriter();
  await writer.write(text("hello"));
  await writer.write(text(" there"));
  assertEquals(alice.frames().filter((f) => f.type === "data").length, 0);
  clock.advance(0);
  await net.run();
  assertEquals(new TextDecoder().decode((await reader.read()).value), "hello there");
  reader.releaseLock();
  outbound.abort();
  await net.run();
  listener.close();
});

Deno.test("backpressure: frames wait for acks beyond the in-flight window, then the writer", async () => {
  const { net, alice, bob } = setup({ maxFramesInFlight: 8, writeBufferBytes: 4096 });
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  const reading = readAll(inbound);
  net.autoAck = false;
  const writer = outbound.writable.getWriter();
  const data = bytes(40 * 1586);
  const writing = writer.write(data).then(() => writer.close());
  await net.run();
  assertEquals(alice.frames().filter((f) => f.type === "data").length, 8);
  assertEquals(writer.desiredSize! <= 0, true);
  let done = false;
  writing.then(() => done = true);
  for (let round = 0; round < 10 && !done; round++) {
    net.releaseAcks();
    await net.run();
  }
  assert(done);
  assertEquals(alice.frames().filter((f) => f.type === "data").length, 40);
  assertEquals(await reading, data);
  net.autoAck = true;
  listener.close();
});

Deno.test("frames that overtake their Open are kept until it arrives", async () => {
  const { net, alice, bob } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  const writer = outbound.writable.getWriter();
  const data = bytes(3 * 1586 + 10);
  const writing = writer.write(data).then(() => writer.close());
  await settle();
  // everything but the Open first
  await net.run((q) =>
    Math.max(0, q.findIndex((p) => decodeStreamFrame(p.message.data).type !== "open"))
  );
  await writing;
  const inbound = (await listener.accept())!;
  assertEquals(await readAll(inbound), data);
  listener.close();
});

Deno.test("duplicated frames are delivered once", async () => {
  const { net, listener, outbound, inbound } = await connected();
  const writer = outbound.writable.getWriter();
  const data = bytes(4000);
  const writing = writer.write(data).then(() => writer.close());
  await settle();
  net.queue.push(...net.queue.map((p) => ({ ...p, ack: () => {} })));
  await net.run();
  await writing;
  assertEquals(await readAll(inbound), data);
  listener.close();
});

Deno.test("an overflowing reorder buffer fails the stream with data-loss and reports the gap", async () => {
  const { net, alice, bob, bobStreams } = setup({ reorderCapacity: 4, maxFramesInFlight: 64 });
  const losses: { from: number; count: number }[] = [];
  bobStreams.on("dataLoss", ({ from, count }) => losses.push({ from, count }));
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  let data = 0;
  alice.drop = (b) => decodeStreamFrame(b).type === "data" && data++ === 1; // lose frame 1
  const writer = outbound.writable.getWriter();
  writer.write(bytes(8 * 1586)).catch(() => {});
  await net.run();
  assertEquals(losses, [{ from: 1, count: 1 }]);
  await assertRejects(() => inbound.closed, StreamError, (e) => e.kind === "data-loss");
  // the opener hears of it through a reset
  await net.run();
  await assertRejects(() => outbound.closed, StreamError, (e) => e.kind === "reset");
  listener.close();
});

Deno.test("with tolerateDataLoss the reader reads on past a gap", async () => {
  const { net, alice, bob } = setup({ reorderCapacity: 2, tolerateDataLoss: true });
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  let data = 0;
  alice.drop = (b) => decodeStreamFrame(b).type === "data" && data++ === 0;
  const writer = outbound.writable.getWriter();
  const sent = bytes(5 * 1586);
  const writing = writer.write(sent).then(() => writer.close());
  await net.run();
  await writing;
  assertEquals(await readAll(inbound), sent.subarray(1586));
  listener.close();
});

Deno.test("an idle stream fails on both sides after the idle timeout of the injected clock", async () => {
  const { net, clock, alice, bob } = setup({ idleTimeoutMs: 60_000 });
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  clock.advance(50_000);
  await net.run();
  assertEquals([multiplexer(alice).size, multiplexer(bob).size], [1, 1]);
  // a byte written at 50 s is activity on both sides: nothing times out at 65 s
  const writer = outbound.writable.getWriter();
  await writer.write(text("x"));
  clock.advance(0);
  await net.run();
  clock.advance(15_000);
  await net.run();
  assertEquals([multiplexer(alice).size, multiplexer(bob).size], [1, 1]);
  clock.advance(50_000);
  await net.run();
  await assertRejects(() => outbound.closed, StreamError, (e) => e.kind === "idle-timeout");
  await assertRejects(() => inbound.closed, StreamError, (e) => e.kind === "idle-timeout");
  await assertRejects(() => inbound.readable.getReader().read(), StreamError);
  assertEquals([multiplexer(alice).size, multiplexer(bob).size, clock.pending], [0, 0, 0]);
  listener.close();
});

Deno.test("abort on the opener resets the acceptor, and the other way round", async () => {
  for (const side of ["opener", "acceptor"] as const) {
    const { net, listener, outbound, inbound } = await connected();
    const [aborting, peer] = side === "opener" ? [outbound, inbound] : [inbound, outbound];
    const peerRead = peer.readable.getReader().read();
    peerRead.catch(() => {}); // checked below
    aborting.abort(new Error("changed my mind"));
    await assertRejects(
      () => aborting.closed,
      StreamError,
      (e) => e.kind === "aborted" && (e.cause as Error).message === "changed my mind",
    );
    await net.run();
    await assertRejects(() => peer.closed, StreamError, (e) => e.kind === "reset");
    await assertRejects(() => peerRead, StreamError, (e) => e.kind === "reset");
    await assertRejects(() => peer.writable.getWriter().write(text("late")), StreamError);
    listener.close();
  }
});

Deno.test("aborting the writable aborts the stream", async () => {
  const { net, listener, outbound, inbound } = await connected();
  await outbound.writable.abort("stop");
  await net.run();
  await assertRejects(() => inbound.closed, StreamError, (e) => e.kind === "reset");
  listener.close();
});

Deno.test("messages that only look like frames reach client.messages when nobody listens", async () => {
  const { net, alice, bob, errors } = setup();
  const lookalike = Uint8Array.of(3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x77, 0, 0, 0, 0, 0, 9);
  alice.send(bob.address, lookalike);
  alice.send(bob.address, Uint8Array.of(3, 0));
  alice.send(bob.address, text("plain text"));
  const frame = encodeStreamFrame({
    streamId: 99n,
    type: "data",
    sequence: 0,
    payload: text("hi"),
  });
  alice.send(bob.address, frame);
  await net.run();
  assertEquals(bob.messages.map((m) => m.data), [
    lookalike,
    Uint8Array.of(3, 0),
    text("plain text"),
    frame,
  ]);
  assertEquals(errors, []);
});

Deno.test("with a listener, malformed frames are dropped with typed errors and streams go on", async () => {
  const { net, alice, bob, errors } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  const reading = readAll(inbound);
  const id = outbound.id;
  const good = (seq: number, payload: Uint8Array) =>
    encodeStreamFrame({ streamId: id, type: "data", sequence: seq, payload });
  const unknownType = good(0, text("?"));
  unknownType[10] = 0x77;
  const malformed = [Uint8Array.of(3, 0, 1), good(0, text("x")).subarray(0, 12), unknownType];
  for (const m of malformed) alice.send(bob.address, m);
  // a frame for the stream from someone who is not its peer: a repliable message under another tag
  const mallory = new FakeClient(net, "mallory");
  mallory.send(bob.address, good(0, text("forged")), { replySurbs: 1 });
  // an Open sent without SURBs cannot be answered
  alice.send(
    bob.address,
    encodeStreamFrame({ streamId: 1234n, type: "open", sequence: 0, payload: new Uint8Array(0) }),
  );
  await net.run();
  assertEquals(errors.map((e) => e.kind), [
    "truncated",
    "truncated",
    "type",
    "sender",
    "not-repliable",
  ]);
  assertEquals(errors.map((e) => e.streamId), [undefined, id, id, id, 1234n]);
  assertEquals(bob.messages, []);
  const writer = outbound.writable.getWriter();
  await writer.write(text("still fine"));
  const closing = writer.close();
  await net.run();
  await closing;
  assertEquals(new TextDecoder().decode(await reading), "still fine");
  listener.close();
});

Deno.test("frames for an outbound stream are accepted only as replies", async () => {
  const { net, alice, bob, errors } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  await listener.accept();
  // bob (or anyone who knows alice's address) sends to the address instead of through SURBs
  bob.send(
    alice.address,
    encodeStreamFrame({
      streamId: outbound.id,
      type: "reset",
      sequence: 0,
      payload: new Uint8Array(0),
    }),
  );
  await net.run();
  assertEquals(errors.map((e) => [e.kind, e.streamId]), [["sender", outbound.id]]);
  assertEquals(multiplexer(alice).size, 1);
  outbound.abort();
  await net.run();
  listener.close();
});

Deno.test("only one listener at a time; closing it resets streams not yet accepted", async () => {
  const { net, alice, bob } = setup();
  const listener = listen(bob);
  assertThrows(() => listen(bob), StreamError, (e) => e.kind === "listener-taken");
  const stream = openStream(alice, bob.address);
  await net.run();
  assertEquals(listener.pending, 1);
  listener.close();
  assertEquals(await listener.accept(), undefined);
  await net.run();
  await assertRejects(() => stream.closed, StreamError, (e) => e.kind === "reset");
  const again = listen(bob);
  again.close();
});

Deno.test("the accept backlog is bounded; an Open beyond it is reset", async () => {
  const { net, alice, bob, errors } = setup({ acceptBacklog: 2 });
  const listener = listen(bob);
  const streams = [0, 1, 2].map(() => openStream(alice, bob.address));
  await net.run();
  assertEquals(listener.pending, 2);
  assertEquals(errors.map((e) => e.kind), ["backlog"]);
  await assertRejects(() => streams[2].closed, StreamError, (e) => e.kind === "reset");
  listener.close();
  await net.run();
});

Deno.test("an iterating listener yields streams until it is closed", async () => {
  const { net, alice, bob } = setup();
  const listener = listen(bob);
  const accepted: bigint[] = [];
  const loop = (async () => {
    for await (const stream of listener) {
      accepted.push(stream.id);
      stream.abort();
    }
  })();
  const opened = [openStream(alice, bob.address), openStream(alice, bob.address)];
  await net.run();
  listener.close();
  await loop;
  assertEquals(accepted, opened.map((s) => s.id));
});

Deno.test("keepalive: an armed stream pings when the peer is quiet and fails when pongs stop", async () => {
  const { net, clock, alice, bob } = setup({ pingIntervalMs: 60_000, idleTimeoutMs: 3_600_000 });
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run(); // the OpenAck arms the stream
  await listener.accept();
  clock.advance(60_000);
  await net.run();
  const pings = () => alice.frames().filter((f) => f.type === "ping");
  const pongs = () => bob.frames().filter((f) => f.type === "pong");
  assertEquals(pings().length, 1);
  assertEquals(alice.sent.find((s) => decodeStreamFrame(s.bytes).type === "ping")!.surbs, 2);
  assertEquals(pongs().map((f) => f.sequence), pings().map((f) => f.sequence));
  // bob goes silent: three unanswered intervals and the stream fails
  bob.drop = () => true;
  for (let i = 0; i < 4; i++) {
    clock.advance(60_000);
    await net.run();
  }
  await assertRejects(() => outbound.closed, StreamError, (e) => e.kind === "peer-unresponsive");
  listener.close();
  bob.drop = () => false;
});

Deno.test("a disconnecting client ends its streams with client-closed and stops every timer", async () => {
  const { net, clock, alice, bob } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  bob.disconnect();
  await assertRejects(() => inbound.closed, StreamError, (e) => e.kind === "client-closed");
  assertEquals(await listener.accept(), undefined);
  // a fresh multiplexer for the same client starts from scratch
  assert(multiplexer(bob).size === 0);
  outbound.abort();
  await net.run();
  assertEquals(clock.pending, 0);
});

Deno.test("close() ends both directions gracefully", async () => {
  const { net, listener, outbound, inbound } = await connected();
  const writer = outbound.writable.getWriter();
  await writer.write(text("bye"));
  writer.releaseLock();
  const closing = outbound.close();
  await net.run();
  await closing;
  assertEquals(new TextDecoder().decode(await readAll(inbound)), "bye");
  const closingInbound = inbound.close();
  await net.run();
  await closingInbound;
  await Promise.all([outbound.closed, inbound.closed]);
  listener.close();
});

Deno.test("openStream refuses an Open without reply SURBs", () => {
  const { alice, bob } = setup();
  assertThrows(() => openStream(alice, bob.address, { replySurbs: 0 }), RangeError);
  assertEquals(multiplexer(alice).size, 0);
});

Deno.test("before a peer shows it registered the stream, 32 frames leave, then 5 s later the rest", async () => {
  const { net, clock, alice, bob } = setup();
  // bob runs an SDK from before OpenAck: it takes the frames and never answers
  const taken: StreamFrame[] = [];
  bob.intercept((message) => {
    taken.push(decodeStreamFrame(message.data));
    return true;
  });
  const outbound = openStream(alice, bob.address);
  const writer = outbound.writable.getWriter();
  const writing = writer.write(bytes(40 * 1586)).then(() => writer.close());
  await net.run();
  const dataFrames = () => taken.filter((f) => f.type === "data").length;
  assertEquals(dataFrames(), 32);
  clock.advance(4_999);
  await net.run();
  assertEquals(dataFrames(), 32);
  clock.advance(1);
  await net.run();
  await writing;
  assertEquals([dataFrames(), taken.at(-1)!.type], [40, "close"]);
  outbound.abort();
});

Deno.test("an OpenAck lifts the 32-frame limit at once", async () => {
  const { net, alice, bob } = setup();
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  const writer = outbound.writable.getWriter();
  const writing = writer.write(bytes(40 * 1586)).then(() => writer.close());
  await net.run();
  await writing;
  const inbound = (await listener.accept())!;
  assertEquals((await readAll(inbound)).length, 40 * 1586);
  listener.close();
});

Deno.test("a frame that holds up the stream is copied once later frames were acknowledged", async () => {
  const { net, clock, alice, bob } = setup({ maxFramesInFlight: 4 });
  const listener = listen(bob);
  const outbound = openStream(alice, bob.address);
  await net.run();
  const inbound = (await listener.accept())!;
  const reading = readAll(inbound);
  let first = true;
  alice.hold = (b) => {
    const frame = decodeStreamFrame(b);
    if (frame.type !== "data" || frame.sequence !== 0 || !first) return false;
    first = false;
    return true;
  };
  const writer = outbound.writable.getWriter();
  const data = bytes(6 * 1586);
  const writing = writer.write(data).then(() => writer.close());
  await net.run();
  const copiesOf0 = () =>
    alice.frames().filter((f) => f.type === "data" && f.sequence === 0).length;
  // frames 1..3 went and were acknowledged; 4 waits for 0, which is not copied yet
  assertEquals(alice.frames().filter((f) => f.type === "data").length, 4);
  assertEquals(copiesOf0(), 1);
  clock.advance(99);
  await net.run();
  assertEquals(copiesOf0(), 1);
  clock.advance(1);
  await net.run();
  await writing;
  assertEquals(copiesOf0(), 2);
  assertEquals(await reading, data);
  listener.close();
});

Deno.test("openStream to an address the client cannot send to throws and registers nothing", () => {
  const { alice } = setup();
  assertThrows(() => openStream(alice, "nobody.key@gateway"), Error);
  assertEquals(multiplexer(alice).size, 0);
});
