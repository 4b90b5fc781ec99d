import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import {
  buildPacket,
  decodeNodeAddress,
  type FinalHop,
  PACKET_SIZES,
  processPacket,
  sampleDelays,
} from "../sphinx/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { type TestNode, testRoute } from "./_sphinx_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

function walk(packet: Uint8Array, route: TestNode[], delays: bigint[], crypto = defaultCrypto()) {
  for (let i = 0; i < route.length - 1; i++) {
    const hop = processPacket(packet, route[i].secretKey, { crypto });
    assertEquals(hop.kind, "forward", `hop ${i} is a forward hop`);
    if (hop.kind !== "forward") throw new Error("unreachable");
    assertEquals(decodeNodeAddress(hop.nextHop).hostPort, route[i + 1].hostPort);
    assertEquals(hop.delay, delays[i]);
    assertEquals(hop.packet.length, packet.length);
    packet = hop.packet;
  }
  const last = processPacket(packet, route[route.length - 1].secretKey, { crypto });
  assertEquals(last.kind, "final");
  return last as FinalHop;
}

for (const version of [258, 259] as const) {
  for (const size of Object.values(PACKET_SIZES)) {
    Deno.test(`v${version} ${size.name} packets round-trip over 1 to 5 hops`, () => {
      for (let hops = 1; hops <= 5; hops++) {
        const random = seededRandom(hops * 1000 + version + size.tag);
        const route = testRoute(hops, random, hops === 5);
        const delays = sampleDelays(hops, 15, random);
        const destination = random(32);
        const identifier = random(16);
        const plaintext = random(size.plaintextSize);
        const packet = buildPacket({
          route,
          delays,
          destination,
          identifier,
          plaintext,
          size,
          version,
          random,
        });
        assertEquals(packet.length, size.totalSize);
        const final = walk(packet, route, delays);
        assertEquals(final.version, version);
        assertEquals(final.destination, destination);
        assertEquals(final.identifier, identifier);
        assertEquals(final.plaintext, plaintext);
      }
    });
  }
}

Deno.test("a packet built with one provider is processed identically by the other", () => {
  const random = seededRandom(99);
  const route = testRoute(4, random);
  const delays = sampleDelays(4, 15, random);
  const initialSecret = random(32);
  const common = { route, delays, destination: random(32), plaintext: random(100), initialSecret };
  const fixedRandom = () => seededRandom(5);
  const a = buildPacket({ ...common, crypto: nobleCrypto, random: fixedRandom() });
  const b = buildPacket({ ...common, crypto: defaultCrypto(), random: fixedRandom() });
  assertEquals(a, b, "same inputs give the same bytes with either provider");
  assertEquals(walk(a, route, delays, nobleCrypto).plaintext, common.plaintext);
});

Deno.test("short plaintexts keep their exact length and the version is read at every hop", () => {
  const random = seededRandom(3);
  const route = testRoute(4, random);
  for (const length of [0, 1, 17, 1000]) {
    const plaintext = random(length).map((b) => b | 1);
    const delays = [0n, 1n, 2n ** 63n, 0n];
    const packet = buildPacket({ route, delays, destination: random(32), plaintext, version: 258 });
    assertEquals(walk(packet, route, delays).plaintext, plaintext);
  }
});

Deno.test("the replay tag is stable for a packet at a node and differs between nodes", () => {
  const random = seededRandom(4);
  const route = testRoute(2, random);
  const packet = buildPacket({
    route,
    delays: [0n, 0n],
    destination: random(32),
    plaintext: random(10),
  });
  const first = processPacket(packet, route[0].secretKey);
  const again = processPacket(packet, route[0].secretKey);
  assertEquals(first.replayTag, again.replayTag);
  assertEquals(first.replayTag.length, 32);
  assert(first.kind === "forward");
  const second = processPacket(first.packet, route[1].secretKey);
  assert(second.replayTag.some((b, i) => b !== first.replayTag[i]));
});

Deno.test("sampled delays have the requested mean and a zero mean gives zeros", () => {
  const random = seededRandom(11);
  const delays = sampleDelays(20000, 15, random);
  const meanMs = delays.reduce((a, b) => a + Number(b), 0) / delays.length / 1e6;
  assert(meanMs > 14 && meanMs < 16, `mean ${meanMs} ms`);
  assertEquals(sampleDelays(3, 0, random), [0n, 0n, 0n]);
});
