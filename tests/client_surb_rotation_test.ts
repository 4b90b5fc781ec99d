// The client core and Sphinx key rotation, over the in-memory mixnet (whose keys never change;
// the test moves the rotation the clients' topologies report): our SURB blocks carry the
// topology's rotation, a reply goes out with its SURB's rotation (not the replier's), and a
// rotation change makes a quiet replier ask for fresh SURBs while the old ones still work.
import { wiringOf } from "../client/_wiring.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { systemClock } from "../internal/clock.ts";
import { systemRandom } from "../internal/random.ts";
import { MixnetClient, type ReceivedMessage } from "../client/mixnet_client.ts";
import type { OutgoingPacket } from "../client/packet_builder.ts";
import type { RouteSource } from "../client/route_source.ts";
import { trafficConfig } from "../client/traffic.ts";
import { assert, assertEquals } from "./_assert.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";

/** Routes over the memory mixnet with a rotation the test moves (its keys never change). */
function rotatingRoutes(
  net: MemoryMixnet,
  clock: { rotation: number; epoch: number },
): RouteSource {
  const routes = net.routes();
  return {
    routeTo: (identity) => routes.routeTo(identity),
    keyRotation: () => (clock.rotation % 2 === 0 ? 2 : 1),
    rotation: () => ({ keyRotationId: clock.rotation, absoluteEpochId: clock.epoch }),
  };
}

function makeClient(net: MemoryMixnet, gateway: number, routes: RouteSource) {
  const c = defaultCrypto();
  const { self, encryptionSecret: encryptionSecretKey } = net.newClient(c, gateway);
  const client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey: systemRandom(16),
    routes,
    traffic: trafficConfig("noCover"),
    crypto: c,
    random: systemRandom,
    clock: systemClock,
  });
  const sent: OutgoingPacket[] = [];
  const waiters: { match: (p: OutgoingPacket) => boolean; resolve: () => void }[] = [];
  const wiring = wiringOf(client);
  const link = net.link(self, (bytes) => wiring.receive(bytes));
  wiring.attach({
    ...link,
    send: (out) => {
      sent.push(out);
      for (const w of waiters.filter((w) => w.match(out))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      link.send(out);
    },
  });
  /** Resolves when the client sends a packet matching `match`. */
  const sends = (match: (p: OutgoingPacket) => boolean): Promise<void> =>
    new Promise((resolve) => waiters.push({ match, resolve }));
  return { client, sent, sends };
}

async function next(client: MixnetClient): Promise<ReceivedMessage> {
  const reader = client.messages.getReader();
  const { value, done } = await reader.read();
  reader.releaseLock();
  assert(!done && value);
  return value;
}

Deno.test("a reply goes out with its SURB's rotation, not the replier's", async () => {
  const net = new MemoryMixnet(1);
  const aliceClock = { rotation: 5, epoch: 120 };
  const bobClock = { rotation: 5, epoch: 120 };
  const alice = makeClient(net, 0, rotatingRoutes(net, aliceClock));
  const bob = makeClient(net, 1, rotatingRoutes(net, bobClock));
  try {
    // alice's packets and the SURB block she sends are for rotation 5 (odd)
    await alice.client.send(bob.client.address, "hi", { replySurbs: 3 });
    assert(alice.sent.every((p) => p.keyRotation === 1));
    const message = await next(bob.client);
    // bob's topology moved to rotation 6 (even) meanwhile: the overlap epoch
    bobClock.rotation = 6;
    bobClock.epoch = 121;
    bob.sent.length = 0;
    await bob.client.reply(message.senderTag!, "hello");
    assert(bob.sent.length > 0);
    assertEquals(bob.sent.filter((p) => p.keyRotation !== 1), [], "rotation-5 SURBs only");
    assertEquals((await next(alice.client)).kind, "reply");
  } finally {
    await alice.client.disconnect();
    await bob.client.disconnect();
    await net.settle();
    net.close();
  }
});

Deno.test("a quiet replier asks for fresh SURBs at a rotation and replies after the purge", async () => {
  const net = new MemoryMixnet(1);
  const aliceClock = { rotation: 5, epoch: 120 };
  const bobClock = { rotation: 5, epoch: 120 };
  const alice = makeClient(net, 0, rotatingRoutes(net, aliceClock));
  const bob = makeClient(net, 1, rotatingRoutes(net, bobClock));
  try {
    await alice.client.send(bob.client.address, "hi", { replySurbs: 3 });
    const message = await next(bob.client);

    // rotation 6 begins; bob, who has nothing to send, sees it through a topology refresh and
    // asks for fresh SURBs with an old one (it still works this epoch)
    aliceClock.rotation = bobClock.rotation = 6;
    aliceClock.epoch = bobClock.epoch = 121;
    bob.sent.length = 0;
    const fresh = alice.sends((p) => p.keyRotation === 2);
    // the request is a real message on the Poisson stream: it leaves at bob's next tick
    const request = bob.sends((p) => p.keyRotation === 1);
    wiringOf(bob.client).emit("topology", { mixnodes: 3, gateways: 2 });
    await request;
    assertEquals(
      bob.sent.filter((p) => p.keyRotation === 1).length,
      1,
      "one SURB request, through an old SURB",
    );
    await fresh; // alice answers with rotation-6 SURBs
    await net.settle();

    // rotation 5's keys are purged: bob's old SURBs are dropped, the fresh ones carry the reply
    bobClock.epoch = 122;
    bob.sent.length = 0;
    await bob.client.reply(message.senderTag!, "still here");
    assert(bob.sent.length > 0);
    assertEquals(bob.sent.filter((p) => p.keyRotation !== 2), []);
    assertEquals((await next(alice.client)).kind, "reply");
  } finally {
    await alice.client.disconnect();
    await bob.client.disconnect();
    await net.settle();
    net.close();
  }
});
