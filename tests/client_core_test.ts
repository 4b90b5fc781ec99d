// The client core over an in-memory mixnet with real Sphinx: sending, acks, retransmission,
// anonymous replies, flushing on disconnect, and malformed input.
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import type { Clock } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import type { MessageInboxLimits } from "../client/message_inbox.ts";
import {
  classifyReceived,
  decodeNymMessage,
  decryptReceived,
  encodeFragment,
  encodeNymMessage,
  fragmentCapacity,
  isCover,
  padMessage,
  Reassembler,
  Recipient,
  type ReplySurbBytes,
  splitIntoFragments,
} from "../message/mod.ts";
import { PacketBuilder } from "../client/packet_builder.ts";
import { type GatewayLink, MixnetClient, type ReceivedMessage } from "../client/mixnet_client.ts";
import { type TrafficConfig, trafficConfig } from "../client/traffic.ts";
import { DeliveryError } from "../queue/mod.ts";
import { assert, assertEquals, assertRejects, withDeadline } from "./_assert.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";
import { wiringOf } from "../client/_wiring.ts";
import { ManualClock } from "./_manual_clock.ts";
import { countingCrypto } from "./_fixtures/mod.ts";
import { seededRandom } from "./_sphinx_fixtures.ts";

let nextSeed = 1000;

function makeClient(
  net: MemoryMixnet,
  gateway: number,
  traffic: TrafficConfig = trafficConfig("noCover"),
  extra: {
    clock?: Clock;
    crypto?: CryptoProvider;
    random?: RandomBytes;
    inboxLimits?: MessageInboxLimits;
    wrapLink?: (link: GatewayLink) => GatewayLink;
  } = {},
) {
  const c = extra.crypto ?? defaultCrypto();
  const random = extra.random ?? seededRandom(nextSeed++);
  const { self, encryptionSecret: encryptionSecretKey } = net.newClient(c, gateway, random);
  const client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey: random(16),
    routes: net.routes(),
    traffic,
    crypto: c,
    random,
    // A clock nobody advances: packets leave on 0 ms timers as they would, but no other timer
    // (ack timeouts, retries) fires unless the test drives time (see drive()).
    clock: extra.clock ?? new ManualClock(undefined, { zeroDelayAsTasks: true }),
    inboxLimits: extra.inboxLimits,
  });
  const wiring = wiringOf(client);
  const link = net.link(self, (bytes) => wiring.receive(bytes));
  wiring.attach(extra.wrapLink?.(link) ?? link);
  return client;
}

async function next(
  client: MixnetClient,
  reader = client.messages.getReader(),
): Promise<ReceivedMessage> {
  const { value, done } = await reader.read();
  reader.releaseLock();
  assert(!done && value, "a message arrives");
  return value;
}

/**
 * Runs `work` to its end on a manual clock: the in-memory network delivers what is in flight,
 * then time moves `stepMs`, until `work` settles (or `limitMs` of manual time pass).
 */
async function drive<T>(
  clock: ManualClock,
  net: MemoryMixnet,
  work: Promise<T>,
  stepMs = 10,
  limitMs = 120_000,
): Promise<T> {
  let settled = false;
  work.then(() => settled = true, () => settled = true);
  for (let elapsed = 0; !settled; elapsed += stepMs) {
    if (elapsed > limitMs) throw new Error(`not settled within ${limitMs} ms of manual time`);
    await net.settle();
    if (settled) break;
    clock.advance(stepMs);
    await Promise.resolve();
  }
  return work;
}

async function withNet(fn: (net: MemoryMixnet) => Promise<void>, perLayer = 2) {
  const net = new MemoryMixnet(perLayer);
  try {
    await fn(net);
  } finally {
    await net.settle();
    net.close();
  }
}

Deno.test("a plain message is delivered and its handle resolves once acknowledged", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1);
    const handle = alice.send(bob.address, "hello bob");
    await handle;
    assertEquals([handle.status, handle.fragments, handle.acknowledged], ["delivered", 1, 1]);
    const message = await next(bob);
    assertEquals(new TextDecoder().decode(message.data), "hello bob");
    assertEquals([message.kind, message.senderTag], ["plain", undefined]);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("a 100 KB message crosses as 63 fragments and arrives byte-identical", () =>
  withNet(async (net) => {
    const clock = new ManualClock();
    const alice = makeClient(net, 0, undefined, { clock });
    const bob = makeClient(net, 0, undefined, { clock });
    const data = seededRandom(51)(100_000);
    const handle = alice.send(bob.address, data);
    assertEquals(handle.fragments, 63);
    // Bursts of 16 leave on 0 ms timers of the (manual) clock.
    await drive(clock, net, handle.delivered, 1);
    assertEquals((await next(bob)).data, data);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("an anonymous message can be answered through its SURBs, even at length", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1);
    await alice.send(bob.address, "who am I?", { replySurbs: 3 });
    const question = await next(bob);
    assertEquals(question.kind, "repliable");
    assert(question.senderTag, "a sender tag comes with it");
    assert(!new TextDecoder().decode(question.data).includes(alice.address));
    await bob.reply(question.senderTag, "a secret");
    const answer = await next(alice);
    assertEquals([answer.kind, new TextDecoder().decode(answer.data)], ["reply", "a secret"]);
    // A reply that needs more SURBs than are left: bob asks alice for more and then sends it.
    const long = seededRandom(62)(8000);
    await bob.reply(question.senderTag, long);
    assertEquals((await next(alice)).data, long);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("a lost request for more reply SURBs is sent again until SURBs arrive", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { surbRequestRetryMs: 100 });
    const clock = new ManualClock();
    const alice = makeClient(net, 0, traffic, { clock, random: seededRandom(11) });
    const bob = makeClient(net, 1, traffic, { clock, random: seededRandom(12) });
    await drive(clock, net, alice.send(bob.address, "ask me", { replySurbs: 3 }).delivered);
    const question = await next(bob);
    // The reply needs 5 packets and bob holds 3 SURBs: the first thing he sends is a request
    // for more, and the network loses it. The fragments wait; the 2 SURBs left are kept back
    // to ask again.
    net.dropNextSent(bob.address, 1);
    const long = seededRandom(13)(8000);
    const handle = bob.reply(question.senderTag!, long);
    // The request is a queued real message (as Nym's ReplySurbRequest lane), not sent inline:
    // it leaves with the next drain, which runs in a microtask queued before this one.
    assertEquals([net.stats.dropped, bob.laneQueueLength("reply-surb-request")], [0, 1]);
    await Promise.resolve();
    assertEquals([net.stats.dropped, bob.stats.surbRequestsSent], [1, 1]);
    await drive(clock, net, handle.delivered);
    assertEquals(bob.stats.surbRequestsSent, 2, "asked again after the retry period");
    assertEquals((await next(alice)).data, long);
    await drive(clock, net, Promise.all([alice.disconnect(), bob.disconnect()]));
    assertEquals(clock.pending, 0);
  }));

Deno.test("replies that never get reply SURBs fail with a no-reply-surbs DeliveryError", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { surbRequestRetryMs: 50, surbWaitLimitMs: 200 });
    const clock = new ManualClock();
    const alice = makeClient(net, 0, traffic, { clock, random: seededRandom(21) });
    const bob = makeClient(net, 1, traffic, { clock, random: seededRandom(22) });
    await drive(clock, net, alice.send(bob.address, "ask me", { replySurbs: 1 }).delivered);
    const question = await next(bob);
    // Bob spends his only SURB on a request for more, which is lost: nothing can be asked again.
    net.dropNextSent(bob.address, 1);
    const start = clock.now();
    const handle = bob.reply(question.senderTag!, seededRandom(23)(8000));
    const error = await assertRejects(() => drive(clock, net, handle.delivered), DeliveryError);
    assertEquals(error.kind, "no-reply-surbs");
    assert(clock.now() - start >= 200, "after the wait limit, not before");
    await drive(clock, net, Promise.all([alice.disconnect(), bob.disconnect()]));
    assertEquals(clock.pending, 0);
  }));

Deno.test("lost packets are retransmitted until the message is delivered", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { ackWaitAdditionMs: 50, ackWaitMultiplier: 1 });
    const clock = new ManualClock();
    const alice = makeClient(net, 0, traffic, { clock, random: seededRandom(31) });
    const bob = makeClient(net, 1, traffic, { clock, random: seededRandom(32) });
    // 5 % per mix hop: a data packet and its ack cross six mix hops, so about one attempt in
    // four is lost and needs a retransmission.
    net.dropRate = 0.05;
    const data = seededRandom(33)(40_000);
    const reader = bob.messages.getReader();
    const handle = alice.send(bob.address, data);
    await drive(clock, net, handle.delivered);
    assertEquals((await next(bob, reader)).data, data);
    assert(net.stats.dropped > 0, "some packets were dropped");
    assert(alice.stats.retransmissions > 0, "the client retransmitted what was lost");
    assertEquals(alice.stats.realPacketsSent, handle.fragments);
    net.dropRate = 0;
    await drive(clock, net, Promise.all([alice.disconnect(), bob.disconnect()]));
  }));

Deno.test("a fragment that is never acknowledged fails its message with a typed error", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", {
      ackWaitAdditionMs: 10,
      ackWaitMultiplier: 0,
      maximumRetransmissions: 2,
    });
    const clock = new ManualClock();
    const alice = makeClient(net, 0, traffic, { clock, random: seededRandom(41) });
    const failed: number[] = [];
    alice.on("deliveryFailed", (e) => failed.push(e.id));
    net.dropRate = 1;
    const bob = makeClient(net, 1, undefined, { clock, random: seededRandom(42) });
    const handle = alice.send(bob.address, "into the void");
    const error = await assertRejects(() => drive(clock, net, handle.delivered), DeliveryError);
    assertEquals(error.kind, "retransmissions-exhausted");
    assertEquals(failed, [handle.id]);
    assertEquals(alice.stats.retransmissions, 2);
    net.dropRate = 0;
    await drive(clock, net, Promise.all([alice.disconnect(), bob.disconnect()]));
  }));

Deno.test("disconnect sends what is queued and waits for its acks", () =>
  withNet(async (net) => {
    const clock = new ManualClock();
    const alice = makeClient(
      net,
      0,
      trafficConfig("default", { messageSendingAverageDelayMs: 2, loopCoverAverageDelayMs: 50 }),
      { clock },
    );
    const bob = makeClient(net, 1);
    const handles = Array.from({ length: 5 }, (_, i) => alice.send(bob.address, `message ${i}`));
    assert(alice.queueLength > 0, "messages are still queued when disconnect starts");
    await drive(clock, net, alice.disconnect(), 1);
    assertEquals(handles.map((h) => h.status), Array(5).fill("delivered"));
    const reader = bob.messages.getReader();
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      got.push(new TextDecoder().decode((await reader.read()).value!.data));
    }
    reader.releaseLock();
    assertEquals(got.sort(), handles.map((_, i) => `message ${i}`));
    await bob.disconnect();
  }));

Deno.test("cover traffic flows at the configured rate when idle and is never delivered", () =>
  withNet(async (net) => {
    const clock = new ManualClock();
    const alice = makeClient(net, 0, trafficConfig("default"), {
      clock,
      random: seededRandom(7),
    });
    const before = net.stats.packets;
    clock.advance(10_000);
    const cover = alice.stats.coverPacketsSent;
    // 50/s on the main stream (all cover when idle) + 5/s on the loop cover stream.
    assert(Math.abs(cover - 550) < 55, `${cover} cover packets in 10 s, expected about 550`);
    assertEquals(net.stats.packets - before, cover, "every packet sent was cover");
    assertEquals(alice.stats.realPacketsSent, 0);
    await net.settle();
    assert(net.stats.acks > 0, "their SURB-ACKs came back");
    await alice.disconnect();
    const reader = alice.messages.getReader();
    assertEquals((await reader.read()).done, true, "no cover reached the application");
    assertEquals(clock.pending, 0, "no timer left");
  }));

Deno.test("malformed pushed messages become error events and the client keeps working", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1);
    const errors: Error[] = [];
    bob.on("error", (e) => errors.push(e.error));
    for (
      const bytes of [
        new Uint8Array(0),
        new Uint8Array(30),
        seededRandom(63)(1643),
        seededRandom(64)(100),
      ]
    ) {
      wiringOf(bob).receive(bytes);
    }
    assertEquals(errors.length, 4);
    // An ack for nothing we sent (as a late duplicate would be) is ignored quietly.
    wiringOf(bob).receive(new Uint8Array(21));
    await alice.send(bob.address, "still here");
    assertEquals(new TextDecoder().decode((await next(bob)).data), "still here");
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("sending after disconnect throws a closed DeliveryError", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    await alice.disconnect();
    try {
      alice.send(alice.address, "late");
      throw new Error("expected a throw");
    } catch (error) {
      assert(error instanceof DeliveryError && error.kind === "closed");
    }
  }));

/**
 * A hostile peer without a client: it keeps the SURBs it is given and writes its own packets
 * (here: requests for more SURBs naming whom it likes).
 */
function rawPeer(net: MemoryMixnet, gateway: number) {
  const c = defaultCrypto();
  const random = seededRandom(nextSeed++);
  const { self, encryptionSecret: encryptionSecretKey } = net.newClient(c, gateway, random);
  const surbs: ReplySurbBytes[] = [];
  const reassembler = new Reassembler({ now: () => 0 });
  const link = net.link(self, (bytes) => {
    if (classifyReceived(bytes).kind === "ack") return;
    const opened = decryptReceived(bytes, encryptionSecretKey, { take: () => undefined });
    if (isCover(opened.plaintext)) return;
    const outcome = reassembler.insertBytes(opened.plaintext);
    if (outcome.kind !== "complete") return;
    const message = decodeNymMessage(outcome.message);
    if (message.type === "repliable") surbs.push(...message.content.replySurbs);
  });
  const builder = new PacketBuilder({
    self,
    ackKey: random(16),
    routes: net.routes(),
    traffic: trafficConfig("noCover"),
    crypto: c,
    random,
  });
  return {
    address: self.toString(),
    surbs,
    /** Sends, through one of the SURBs it holds, a request for `amount` SURBs for `recipient`. */
    requestSurbs(recipient: string, amount: number): void {
      const request = encodeNymMessage({
        type: "reply",
        content: { kind: "surbRequest", recipient: Recipient.parse(recipient), amount },
      });
      const [fragment] = splitIntoFragments(
        padMessage(request, fragmentCapacity()),
        fragmentCapacity(),
        random,
      );
      const surb = surbs.shift()!;
      link.send(
        builder.replyPacket(
          encodeFragment(fragment),
          surb,
          fragment.setId,
          fragment.currentFragment,
        ),
      );
    },
    close: () => link.close(),
  };
}

Deno.test("replying to one anonymous peer never makes us ask another peer for SURBs", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const carol = makeClient(net, 0);
    const bob = makeClient(net, 1);
    await alice.send(bob.address, "from alice", { replySurbs: 10 });
    await carol.send(bob.address, "from carol", { replySurbs: 10 });
    const fromAlice = await next(bob);
    const fromCarol = await next(bob);
    await net.settle();
    const carolBefore = carol.stats.realPacketsSent;
    // In the same tick: a short reply to carol and 30 KB (19 fragments) to alice.
    const toCarol = bob.reply(fromCarol.senderTag!, "brief");
    const toAlice = bob.reply(fromAlice.senderTag!, seededRandom(61)(30_000));
    await withDeadline(Promise.all([toCarol, toAlice]), 10_000, "both replies delivered");
    await net.settle();
    // Before, bob counted every queued reply as waiting for carol too, and asked her for more.
    assertEquals(carol.stats.realPacketsSent - carolBefore, 0, "carol was not asked for SURBs");
    assert(bob.stats.surbRequestsSent >= 1, "bob asked alice");
    assert(alice.stats.realPacketsSent > 1, "alice sent more SURBs");
    for (const c of [alice, carol, bob]) await c.disconnect();
  }));

Deno.test("one request for 500 SURBs makes the client send a few packets, not 145", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const mallory = rawPeer(net, 1);
    await alice.send(mallory.address, "hello", { replySurbs: 2 });
    await net.settle();
    assertEquals(mallory.surbs.length, 2);
    const before = alice.stats.realPacketsSent;
    mallory.requestSurbs(mallory.address, 500);
    await net.settle();
    await alice.disconnect({ timeoutMs: 5_000 });
    const sent = alice.stats.realPacketsSent - before;
    // 11 SURBs (what mallory used + 10) fit in 4 packets; before, 500 SURBs took 145.
    assert(sent > 0 && sent <= 4, `${sent} packets sent for one request`);
    assertEquals(mallory.surbs.length, 1 + 11);
    mallory.close();
  }));

Deno.test("a second request right away is refused: the last grant is unused", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const mallory = rawPeer(net, 1);
    await alice.send(mallory.address, "hello", { replySurbs: 3 });
    await net.settle();
    mallory.requestSurbs(mallory.address, 500);
    await net.settle();
    assertEquals(mallory.surbs.length, 2 + 11);
    const before = alice.stats.realPacketsSent;
    mallory.requestSurbs(mallory.address, 500);
    await net.settle();
    assertEquals(alice.stats.realPacketsSent - before, 0, "nothing granted");
    assertEquals(mallory.surbs.length, 12);
    await alice.disconnect();
    mallory.close();
  }));

Deno.test("a SURB request naming another recipient is ignored: tags cannot be linked", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const carol = makeClient(net, 1);
    const mallory = rawPeer(net, 1);
    await alice.send(carol.address, "to carol", { replySurbs: 2 });
    await alice.send(mallory.address, "to mallory", { replySurbs: 2 });
    await net.settle();
    const carolMessages = carol.stats.messagesReceived;
    const before = alice.stats.realPacketsSent;
    // mallory asks, through alice's SURB, for SURBs "for carol": alice would answer under the
    // tag she uses with carol, so carol would learn both tags are alice's.
    mallory.requestSurbs(carol.address, 50);
    await net.settle();
    assertEquals(alice.stats.realPacketsSent - before, 0, "nothing sent for carol");
    assertEquals(carol.stats.messagesReceived, carolMessages);
    // The same request naming mallory itself is answered.
    mallory.requestSurbs(mallory.address, 50);
    await net.settle();
    assert(alice.stats.realPacketsSent - before > 0, "mallory's own request is answered");
    for (const c of [alice, carol]) await c.disconnect();
    mallory.close();
  }));

Deno.test("client.messages is bounded: overflow drops the message and says so", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1, undefined, { inboxLimits: { maxMessages: 5 } });
    const dropped: number[] = [];
    bob.on("messageDropped", ({ bytes }) => dropped.push(bytes));
    for (let i = 0; i < 8; i++) await alice.send(bob.address, `m${i}`);
    await net.settle();
    assertEquals([bob.stats.messagesReceived, bob.stats.messagesDropped], [8, 3]);
    assertEquals(dropped, [2, 2, 2]);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) got.push(new TextDecoder().decode((await next(bob)).data));
    assertEquals(got, ["m0", "m1", "m2", "m3", "m4"]);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("leaving a for-await loop over client.messages loses nothing; iterate again", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1);
    for (let i = 0; i < 3; i++) await alice.send(bob.address, `m${i}`);
    const got: string[] = [];
    for await (const message of bob.messages) {
      got.push(new TextDecoder().decode(message.data));
      break;
    }
    for await (const message of bob.messages) {
      got.push(new TextDecoder().decode(message.data));
      if (got.length === 3) break;
    }
    assertEquals(got, ["m0", "m1", "m2"]);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("a slow gateway socket raises the sending-delay multiplier; it falls back once drained", () =>
  withNet(async (net) => {
    const clock = new ManualClock();
    let bytesPerMs = 4; // about 1.6 packets/s: far below the 55/s the streams offer
    let buffered = 0;
    let at = clock.now();
    const drained = (): number => {
      buffered = Math.max(0, buffered - (clock.now() - at) * bytesPerMs);
      at = clock.now();
      return buffered;
    };
    const alice = makeClient(net, 0, trafficConfig("default"), {
      clock,
      random: seededRandom(8),
      wrapLink: (link) => ({
        send: (packet) => {
          buffered = drained() + packet.packet.length;
          link.send(packet);
        },
        get bufferedAmount() {
          return drained();
        },
        close: () => link.close(),
      }),
    });
    clock.advance(10_000);
    assert(alice.sendingDelayMultiplier >= 4, `multiplier ${alice.sendingDelayMultiplier}`);
    bytesPerMs = 10_000;
    clock.advance(20_000);
    assertEquals(alice.sendingDelayMultiplier, 1);
    const before = alice.stats.coverPacketsSent;
    clock.advance(10_000);
    const sent = alice.stats.coverPacketsSent - before;
    assert(Math.abs(sent - 550) < 55, `${sent} packets in 10 s: the full rate is back`);
    await net.settle();
    await alice.disconnect();
  }));

Deno.test("a client derives its next routes once real traffic pauses, and the next message uses them", () =>
  withNet(async (net) => {
    const clock = new ManualClock();
    const counted = countingCrypto(defaultCrypto());
    const alice = makeClient(net, 0, trafficConfig("noCover"), { clock, crypto: counted });
    const bob = makeClient(net, 1);
    const sent = () => alice.stats.realPacketsSent;
    alice.send(bob.address, "one");
    await net.settle();
    assertEquals(sent(), 1);
    const afterFirst = counted.x25519Calls;
    clock.advance(5);
    assertEquals(counted.x25519Calls, afterFirst, "nothing prepared while traffic may go on");
    clock.advance(5);
    assertEquals(counted.x25519Calls - afterFirst, 8 * 3, "8 prefixes of 3 mix layers each");
    const beforeSecond = counted.x25519Calls;
    alice.send(bob.address, "two");
    await net.settle();
    assertEquals(sent(), 2);
    assertEquals(counted.x25519Calls - beforeSecond, 3, "two gateway hops and the end-to-end key");
    await alice.disconnect();
    await bob.disconnect();
  }));
