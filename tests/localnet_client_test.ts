// Our client through a real localnet on loopback: directory, gateway WebSocket protocol, three
// mixnode layers over TCP, final-hop processing and SURB-ACKs.
import { connect } from "../client/connect.ts";
import type { MixnetClient, ReceivedMessage } from "../client/mixnet_client.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { systemRandom } from "../internal/random.ts";
import { assert, assertEquals } from "./_assert.ts";

async function next(client: MixnetClient): Promise<ReceivedMessage> {
  const reader = client.messages.getReader();
  const { value, done } = await reader.read();
  reader.releaseLock();
  assert(!done && value);
  return value;
}

Deno.test("two clients exchange messages and an anonymous reply through a localnet", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 2, gateways: 2, logger: "silent" });
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gateway: net.gateways[0].identity,
  });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gateway: net.gateways[1].identity,
  });
  try {
    assert(alice.address.endsWith(`@${net.gateways[0].identity}`));
    const handle = alice.send(bob.address, "hello bob", { replySurbs: 2 });
    await handle;
    const message = await next(bob);
    assertEquals(new TextDecoder().decode(message.data), "hello bob");
    assert(message.senderTag);
    await bob.reply(message.senderTag, "hello, whoever you are");
    const answer = await next(alice);
    assertEquals([answer.kind, new TextDecoder().decode(answer.data)], [
      "reply",
      "hello, whoever you are",
    ]);
    const big = systemRandom(100_000);
    await alice.send(bob.address, big);
    assertEquals((await next(bob)).data, big);
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

function once<K extends "connected" | "reconnecting">(
  client: MixnetClient,
  type: K,
): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on(type, () => {
      off();
      resolve();
    });
  });
}

Deno.test("after its gateway restarts a client reconnects by itself and no message is lost", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const traffic = { preset: "noCover" as const, ackWaitAdditionMs: 300 };
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[0].identity,
  });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[1].identity,
  });
  try {
    const bobDropped = once(bob, "reconnecting");
    await net.killGateway(1);
    await bobDropped;
    // Sent while bob's gateway is down: the packets die at layer 3 and are retransmitted.
    const handle = alice.send(bob.address, "sent while you were away");
    const bobBack = once(bob, "connected");
    await net.restartGateway(1);
    await bobBack;
    await handle;
    assertEquals(new TextDecoder().decode((await next(bob)).data), "sent while you were away");
    // Alice's own gateway too: she reconnects, authenticates with her stored key, and sends on.
    const aliceBack = once(alice, "connected");
    await net.restartGateway(0);
    await aliceBack;
    await alice.send(bob.address, "and I came back too");
    assertEquals(new TextDecoder().decode((await next(bob)).data), "and I came back too");
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

Deno.test("a client can pick its gateway by measured latency", async () => {
  await using net = await startLocalnet({ gateways: 3, logger: "silent" });
  // Count the WebSockets opened: one probe per gateway, then the real connection.
  const opened: string[] = [];
  class CountingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      opened.push(url);
    }
  }
  const client = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gatewaySelection: "latency",
    WebSocket: CountingWebSocket,
  });
  try {
    assertEquals(opened.length, 4);
    assertEquals(opened.slice(0, 3).sort(), net.gateways.map((g) => g.wsUrl).sort());
    const gateway = client.address.slice(client.address.indexOf("@") + 1);
    const chosen = net.gateways.find((g) => g.identity === gateway);
    assertEquals(opened[3], chosen?.wsUrl);
    await client.send(client.address, "hi me");
    assertEquals(new TextDecoder().decode((await next(client)).data), "hi me");
  } finally {
    await client.disconnect();
  }
});
