// What a new user trips over first: wrong argument types, impossible replies, a runtime without
// WebSocket, a directory that is not there. Each fails at once with a typed error that says
// what to do.
import { wiringOf } from "../client/_wiring.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { systemClock } from "../internal/clock.ts";
import { systemRandom } from "../internal/random.ts";
import { AddressError, AnonymousSenderTag, Recipient } from "../message/mod.ts";
import { MixnetClient } from "../client/mixnet_client.ts";
import { trafficConfig } from "../client/traffic.ts";
import { DeliveryError } from "../queue/mod.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { connect, MissingWebSocketError } from "../mod.ts";
import { fetchTopology, NymApiClient, TopologyError } from "../topology/mod.ts";
import { GatewayClient, GatewayProtocolError, MemoryGatewayKeyStorage } from "../gateway/mod.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";

function makeClient(net: MemoryMixnet): MixnetClient {
  const c = defaultCrypto();
  const identitySecret = systemRandom(32);
  const encryptionSecretKey = systemRandom(32);
  const self = new Recipient(
    c.ed25519PublicKey(identitySecret),
    c.x25519PublicKey(encryptionSecretKey),
    net.gateways[0].identity!,
  );
  const client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey: systemRandom(16),
    routes: net.routes(),
    traffic: trafficConfig("noCover"),
    crypto: c,
    random: systemRandom,
    clock: systemClock,
  });
  const wiring = wiringOf(client);
  wiring.attach(net.link(self, (bytes) => wiring.receive(bytes)));
  return client;
}

async function withClient(fn: (client: MixnetClient) => void | Promise<void>): Promise<void> {
  const net = new MemoryMixnet(1);
  const client = makeClient(net);
  try {
    await fn(client);
  } finally {
    await client.disconnect();
    await net.settle();
    net.close();
  }
}

Deno.test("send() with a number as data throws a TypeError that names the argument", () =>
  withClient((client) => {
    const error = assertThrows(
      () => client.send(client.address, 42 as never),
      TypeError,
    );
    assert(error.message.includes("data must be a Uint8Array or a string"), error.message);
    assert(error.message.includes("number 42"), error.message);
    for (const bad of [null, undefined, { a: 1 }, [1, 2], new ArrayBuffer(4)]) {
      assertThrows(() => client.send(client.address, bad as never), TypeError);
    }
    assertThrows(
      () => client.send(42 as never, "x"),
      TypeError,
      (e) => e.message.includes("recipient"),
    );
    assertEquals(client.stats.realPacketsSent, 0);
  }));

Deno.test("send() rejects replySurbs that are negative, fractional or too many", () =>
  withClient((client) => {
    for (const bad of [-1, 1.5, Number.NaN, 501, Infinity, "5"]) {
      const error = assertThrows(
        () => client.send(client.address, "x", { replySurbs: bad as never }),
        RangeError,
      );
      assert(error.message.includes("replySurbs must be an integer from 0 to 500"), error.message);
    }
  }));

Deno.test("reply() to a sender tag we hold no SURBs for fails at once with a DeliveryError", () =>
  withClient((client) => {
    const unknown = AnonymousSenderTag.random().toString();
    const error = assertThrows(() => client.reply(unknown, "hello?"), DeliveryError);
    assertEquals(error.kind, "no-reply-surbs");
    assert(error.message.includes(unknown), error.message);
    // A malformed tag is an AddressError, wrong data a TypeError; both before anything queues.
    assertThrows(() => client.reply("not base58 0OIl", "x"), AddressError);
    assertThrows(() => client.reply(unknown, 42 as never), TypeError);
    assertEquals(client.laneQueueLength("replies"), 0);
  }));

Deno.test("connect() in a runtime without WebSocket says to pass one or use Node 22", async () => {
  // A runtime with neither a global WebSocket nor Deno's sockets (connect()'s default in Deno).
  const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket")!;
  const savedStartTls = Deno.startTls;
  // deno-lint-ignore no-explicit-any
  delete (globalThis as any).WebSocket;
  // deno-lint-ignore no-explicit-any
  (Deno as any).startTls = undefined;
  let fetched = 0;
  try {
    const error = await assertRejects(
      () =>
        connect({
          nymApiUrl: "http://127.0.0.1:1/",
          fetch: () => Promise.resolve(fetched++) as never,
        }),
      MissingWebSocketError,
    );
    assert(error instanceof TypeError, "a TypeError subclass");
    assert(error.message.includes("connect({ WebSocket })"), error.message);
    assert(error.message.includes("Node.js 22"), error.message);
    assertEquals(fetched, 0, "nothing is fetched first");
  } finally {
    Object.defineProperty(globalThis, "WebSocket", saved);
    // deno-lint-ignore no-explicit-any
    (Deno as any).startTls = savedStartTls;
  }
  await assertRejects(() => connect({ WebSocket: 42 as never }), TypeError);
});

Deno.test("a nym-api that fails at every URL names each URL and its cause", async () => {
  const causes: Record<string, string> = {
    "http://127.0.0.1:1": "Connection refused (os error 111)",
    "http://127.0.0.1:2": "dns error: no such host",
  };
  const fetch = (input: string): Promise<Response> => {
    const origin = new URL(input).origin;
    return Promise.reject(new TypeError("fetch failed", { cause: new Error(causes[origin]) }));
  };
  const api = new NymApiClient({ urls: Object.keys(causes).map((u) => `${u}/api/`), fetch });
  const error = await assertRejects(() => fetchTopology(api), TopologyError);
  assertEquals(error.kind, "network");
  assert(error.message.includes("every nym-api URL failed (2 tried)"), error.message);
  for (const [url, cause] of Object.entries(causes)) {
    assert(error.message.includes(`${url}/api/v1/nym-nodes/rewarded-set: request failed`), url);
    assert(error.message.includes(cause), `${cause} in ${error.message}`);
  }
});

Deno.test("a gateway that refuses the connection is named with its URL, not a bare close code", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const url = `ws://127.0.0.1:${port}`;
  const client = new GatewayClient({
    url,
    gatewayIdentity: new Uint8Array(32),
    identitySecretKey: systemRandom(32),
    keyStorage: new MemoryGatewayKeyStorage(),
  });
  const error = await assertRejects(() => client.connect(), GatewayProtocolError);
  assertEquals(error.kind, "closed");
  assert(
    error.message.startsWith(`cannot connect to the gateway at ${url}: refused`),
    error.message,
  );
});
