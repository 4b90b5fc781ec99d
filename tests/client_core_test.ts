// The client core over an in-memory mixnet with real Sphinx: sending, acks, retransmission,
// anonymous replies, flushing on disconnect, and malformed input.
import { defaultCrypto } from "../crypto/mod.ts";
import { systemClock } from "../internal/clock.ts";
import { systemRandom } from "../internal/random.ts";
import { Recipient } from "../message/mod.ts";
import { MixnetClient, type ReceivedMessage } from "../client/mixnet_client.ts";
import { type TrafficConfig, trafficConfig } from "../client/traffic.ts";
import { DeliveryError } from "../queue/mod.ts";
import { assert, assertEquals, assertRejects, withDeadline } from "./_assert.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";
import { wiringOf } from "../client/_wiring.ts";

function makeClient(
  net: MemoryMixnet,
  gateway: number,
  traffic: TrafficConfig = trafficConfig("noCover"),
) {
  const c = defaultCrypto();
  const identitySecret = systemRandom(32);
  const encryptionSecretKey = systemRandom(32);
  const self = new Recipient(
    c.ed25519PublicKey(identitySecret),
    c.x25519PublicKey(encryptionSecretKey),
    net.gateways[gateway].identity!,
  );
  const client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey: systemRandom(16),
    routes: net.routes(),
    traffic,
    crypto: c,
    random: systemRandom,
    clock: systemClock,
  });
  const wiring = wiringOf(client);
  wiring.attach(net.link(self, (bytes) => wiring.receive(bytes)));
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
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 0);
    const data = systemRandom(100_000);
    const handle = alice.send(bob.address, data);
    assertEquals(handle.fragments, 63);
    await handle;
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
    const long = systemRandom(8000);
    await bob.reply(question.senderTag, long);
    assertEquals((await next(alice)).data, long);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("a lost request for more reply SURBs is sent again until SURBs arrive", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { surbRequestRetryMs: 100 });
    const alice = makeClient(net, 0, traffic);
    const bob = makeClient(net, 1, traffic);
    await alice.send(bob.address, "ask me", { replySurbs: 3 });
    const question = await next(bob);
    // The reply needs 5 packets and bob holds 3 SURBs: the first thing he sends is a request
    // for more, and the network loses it. The fragments wait; the 2 SURBs left are kept back
    // to ask again.
    net.dropNextSent(bob.address, 1);
    const long = systemRandom(8000);
    const handle = bob.reply(question.senderTag!, long);
    // The request is a queued real message (as Nym's ReplySurbRequest lane), not sent inline:
    // it leaves with the next drain, which runs in a microtask queued before this one.
    assertEquals([net.stats.dropped, bob.laneQueueLength("reply-surb-request")], [0, 1]);
    await Promise.resolve();
    assertEquals([net.stats.dropped, bob.stats.surbRequestsSent], [1, 1]);
    await withDeadline(handle, 10_000, "the reply is delivered after a second request");
    assertEquals((await next(alice)).data, long);
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("replies that never get reply SURBs fail with a no-reply-surbs DeliveryError", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { surbRequestRetryMs: 50, surbWaitLimitMs: 200 });
    const alice = makeClient(net, 0, traffic);
    const bob = makeClient(net, 1, traffic);
    await alice.send(bob.address, "ask me", { replySurbs: 1 });
    const question = await next(bob);
    // Bob spends his only SURB on a request for more, which is lost: nothing can be asked again.
    net.dropNextSent(bob.address, 1);
    const error = await assertRejects(
      () => withDeadline(bob.reply(question.senderTag!, systemRandom(8000)), 10_000, "fails"),
      DeliveryError,
    );
    assertEquals(error.kind, "no-reply-surbs");
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("lost packets are retransmitted until the message is delivered", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", { ackWaitAdditionMs: 50, ackWaitMultiplier: 1 });
    const alice = makeClient(net, 0, traffic);
    const bob = makeClient(net, 1, traffic);
    // 5 % per mix hop: a data packet and its ack cross six mix hops, so about one attempt in
    // four is lost and needs a retransmission.
    net.dropRate = 0.05;
    const data = systemRandom(40_000);
    const reader = bob.messages.getReader();
    await alice.send(bob.address, data);
    assertEquals((await next(bob, reader)).data, data);
    assert(net.stats.dropped > 0, "some packets were dropped");
    net.dropRate = 0;
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("a fragment that is never acknowledged fails its message with a typed error", () =>
  withNet(async (net) => {
    const traffic = trafficConfig("noCover", {
      ackWaitAdditionMs: 10,
      ackWaitMultiplier: 0,
      maximumRetransmissions: 2,
    });
    const alice = makeClient(net, 0, traffic);
    const failed: number[] = [];
    alice.on("deliveryFailed", (e) => failed.push(e.id));
    net.dropRate = 1;
    const bob = makeClient(net, 1);
    const handle = alice.send(bob.address, "into the void");
    const error = await assertRejects(() => handle.delivered, DeliveryError);
    assertEquals(error.kind, "retransmissions-exhausted");
    assertEquals(failed, [handle.id]);
    net.dropRate = 0;
    await alice.disconnect();
    await bob.disconnect();
  }));

Deno.test("disconnect sends what is queued and waits for its acks", () =>
  withNet(async (net) => {
    const alice = makeClient(
      net,
      0,
      trafficConfig("default", { messageSendingAverageDelayMs: 2, loopCoverAverageDelayMs: 50 }),
    );
    const bob = makeClient(net, 1);
    const handles = Array.from({ length: 5 }, (_, i) => alice.send(bob.address, `message ${i}`));
    assert(alice.queueLength > 0, "messages are still queued when disconnect starts");
    await alice.disconnect();
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

Deno.test("cover traffic flows when idle and is never delivered to the application", () =>
  withNet(async (net) => {
    const alice = makeClient(
      net,
      0,
      trafficConfig("default", { messageSendingAverageDelayMs: 1, loopCoverAverageDelayMs: 5 }),
    );
    const before = net.stats.packets;
    await new Promise((r) => setTimeout(r, 150));
    await alice.disconnect();
    assert(
      net.stats.packets - before > 20,
      `cover packets were sent (${net.stats.packets - before})`,
    );
    await net.settle();
    assert(net.stats.acks > 0, "their SURB-ACKs came back");
    const reader = alice.messages.getReader();
    assertEquals((await reader.read()).done, true, "no cover reached the application");
  }));

Deno.test("malformed pushed messages become error events and the client keeps working", () =>
  withNet(async (net) => {
    const alice = makeClient(net, 0);
    const bob = makeClient(net, 1);
    const errors: Error[] = [];
    bob.on("error", (e) => errors.push(e.error));
    for (
      const bytes of [new Uint8Array(0), new Uint8Array(30), systemRandom(1643), systemRandom(100)]
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
