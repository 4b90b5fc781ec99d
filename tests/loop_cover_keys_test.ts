// Returning loop cover is recognised by the ephemeral key it was sent with and dropped before
// any decryption; everything else is still decrypted.
import { wiringOf } from "../client/_wiring.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { systemClock } from "../internal/clock.ts";
import { systemRandom } from "../internal/random.ts";
import { coverPayload, decryptRegular, isCover, LoopCoverKeys } from "../message/mod.ts";
import { MixnetClient } from "../client/mixnet_client.ts";
import { PacketBuilder } from "../client/packet_builder.ts";
import { trafficConfig } from "../client/traffic.ts";
import { MemoryMixnet } from "./_memory_mixnet.ts";
import { countingCrypto, deferred } from "./_fixtures/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

Deno.test("a remembered cover key is taken once, and the oldest is forgotten first", () => {
  const c = defaultCrypto();
  const own = c.x25519PublicKey(systemRandom(32));
  const [a, b, c3] = [0, 1, 2].map(() => coverPayload(own));
  const keys = new LoopCoverKeys(2);
  keys.remember(a);
  keys.remember(b);
  keys.remember(c3);
  assertEquals(keys.size, 2);
  assertEquals([keys.take(a), keys.take(b), keys.take(c3), keys.take(c3)], [
    false,
    true,
    true,
    false,
  ]);
  assertEquals(keys.size, 0);
  const other = coverPayload(own);
  keys.remember(other);
  const tampered = other.slice();
  tampered[31] ^= 1;
  assertEquals([keys.take(new Uint8Array(31)), keys.take(tampered), keys.take(other)], [
    false,
    false,
    true,
  ]);
  const none = new LoopCoverKeys(0);
  none.remember(other);
  assertEquals([none.size, none.take(other)], [0, false]);
});

Deno.test("the packet builder remembers the key its cover payload travels with", async () => {
  const net = new MemoryMixnet(1);
  try {
    const c = defaultCrypto();
    const { self, encryptionSecret } = net.newClient(c);
    const keys = new LoopCoverKeys();
    const builder = new PacketBuilder({
      self,
      ackKey: systemRandom(16),
      routes: net.routes(),
      traffic: trafficConfig("default"),
      crypto: c,
      random: systemRandom,
      loopCoverKeys: keys,
    });
    const arrived = deferred<Uint8Array>();
    const link = net.link(self, (bytes) => {
      if (bytes.length > 100) arrived.resolve(bytes);
    });
    link.send(builder.coverPacket());
    const bytes = await arrived.promise;
    assert(isCover(decryptRegular(bytes, encryptionSecret)), "it is our cover");
    assertEquals([keys.size, keys.take(bytes), keys.size], [1, true, 0]);
    await link.close();
  } finally {
    await net.settle();
    net.close();
  }
});

Deno.test("a client drops its returning loop cover without an X25519, and still decrypts messages", async () => {
  const net = new MemoryMixnet(1);
  const c = countingCrypto(defaultCrypto());
  const { self, encryptionSecret: encryptionSecretKey } = net.newClient(c);
  const client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey: systemRandom(16),
    routes: net.routes(),
    traffic: trafficConfig("default", {
      messageSendingAverageDelayMs: 2,
      loopCoverAverageDelayMs: 2,
    }),
    crypto: c,
    random: systemRandom,
    clock: systemClock,
  });
  const errors: unknown[] = [];
  client.on("error", ({ error }) => errors.push(error));
  const x25519PerPayload: number[] = [];
  const enough = deferred<void>();
  const wiring = wiringOf(client);
  wiring.attach(net.link(self, (bytes) => {
    const before = c.x25519Calls;
    wiring.receive(bytes);
    if (bytes.length > 100) x25519PerPayload.push(c.x25519Calls - before);
    if (x25519PerPayload.length === 30) enough.resolve();
  }));
  try {
    await enough.promise;
    assertEquals(x25519PerPayload.slice(0, 30), new Array(30).fill(0));
    const reader = client.messages.getReader();
    client.send(client.address, "not cover");
    const { value } = await reader.read();
    reader.releaseLock();
    assertEquals(new TextDecoder().decode(value!.data), "not cover");
    assert(x25519PerPayload.includes(1), "the real message was decrypted");
    assertEquals(errors, []);
  } finally {
    await client.disconnect();
    await net.settle();
    net.close();
  }
});
