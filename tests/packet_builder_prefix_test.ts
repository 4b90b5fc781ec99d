import { defaultCrypto } from "../crypto/mod.ts";
import { PacketBuilder, READY_ROUTE_PREFIXES } from "../client/packet_builder.ts";
import { trafficConfig } from "../client/traffic.ts";
import { systemRandom } from "../internal/random.ts";
import { decryptRegular } from "../message/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";
import { countingCrypto, deferred } from "./_fixtures/mod.ts";

/** A serialized fragment fills a regular packet after its SURB-ACK and ephemeral key. */
const FRAGMENT_BYTES = 1611;

function setUp(net: MemoryMixnet) {
  const c = countingCrypto(defaultCrypto());
  const { self, encryptionSecret } = net.newClient(c);
  const builder = new PacketBuilder({
    self,
    ackKey: systemRandom(16),
    routes: net.routes(),
    traffic: trafficConfig("default"),
    crypto: c,
    random: systemRandom,
  });
  return { c, self, encryptionSecret, builder };
}

Deno.test("a data packet on prepared prefixes costs 3 shared secrets instead of 9 and arrives", async () => {
  const net = new MemoryMixnet(2, 1);
  try {
    const { c, self, encryptionSecret, builder } = setUp(net);
    assertEquals(builder.prepare(), READY_ROUTE_PREFIXES);
    assertEquals(builder.prepare(), 0, "already full");
    const before = c.x25519Calls;
    const fragment = new Uint8Array(FRAGMENT_BYTES);
    fragment.set(new TextEncoder().encode("prepared"));
    const out = builder.dataPacket(fragment, self, 7, 0);
    // the gateway hop of the packet and of its SURB-ACK, and the end-to-end key
    assertEquals(c.x25519Calls - before, 3);
    assertEquals(builder.readyPrefixes, READY_ROUTE_PREFIXES - 2);
    const arrived = deferred<Uint8Array>();
    let acks = 0;
    const link = net.link(self, (bytes) => {
      if (bytes.length > 100) arrived.resolve(bytes);
      else acks++;
    });
    link.send(out);
    const bytes = await arrived.promise;
    assertEquals(decryptRegular(bytes, encryptionSecret), fragment);
    await net.settle();
    assertEquals(acks, 1, "its SURB-ACK came back too");
    await link.close();
  } finally {
    await net.settle();
    net.close();
  }
});

Deno.test("prefixes of an older topology are dropped, cover never spends them, none without a generation", () => {
  const net = new MemoryMixnet(2, 1);
  try {
    const { c, self, builder } = setUp(net);
    builder.prepare();
    builder.coverPacket();
    assertEquals(builder.readyPrefixes, READY_ROUTE_PREFIXES, "cover builds its own routes");
    net.generation++;
    const before = c.x25519Calls;
    builder.dataPacket(new Uint8Array(FRAGMENT_BYTES), self, 1, 0);
    assertEquals(c.x25519Calls - before, 9, "built from scratch: the old prefixes were not used");
    assertEquals(builder.readyPrefixes, 0);
    assertEquals(builder.prepare(), READY_ROUTE_PREFIXES);

    const plain = new PacketBuilder({
      self,
      ackKey: systemRandom(16),
      routes: { ...net.routes(), generation: undefined },
      traffic: trafficConfig("default"),
      crypto: c,
      random: systemRandom,
    });
    assertEquals(plain.prepare(), 0);
    assert(plain.dataPacket(new Uint8Array(FRAGMENT_BYTES), self, 1, 0).packet.length > 0);
  } finally {
    net.close();
  }
});
