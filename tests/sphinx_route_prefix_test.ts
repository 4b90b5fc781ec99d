import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import {
  buildPacket,
  encodeNodeAddress,
  padNodeAddress,
  prepareRoutePrefix,
  processPacket,
  type RouteHop,
  sampleDelays,
  SphinxError,
} from "../sphinx/mod.ts";
import { toHex } from "../internal/bytes.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";

function network(seed: number): { secrets: Uint8Array[]; route: RouteHop[] } {
  const random = seededRandom(seed);
  const secrets = [0, 1, 2, 3].map(() => random(32));
  const route = secrets.map((sk, i) => ({
    address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
    publicKey: nobleCrypto.x25519PublicKey(sk),
  }));
  return { secrets, route };
}

Deno.test("a packet built on a prepared prefix is byte-identical to one built in one go", () => {
  const { route } = network(1);
  for (const crypto of [defaultCrypto(), nobleCrypto]) {
    for (const version of [258, 259] as const) {
      for (let hops = 0; hops < 4; hops++) {
        const random = seededRandom(100 + hops);
        const x = random(32);
        const delays = sampleDelays(4, 15, seededRandom(5));
        const common = {
          route,
          delays,
          destination: new Uint8Array(32).fill(9),
          plaintext: new TextEncoder().encode(`hops ${hops}`),
          version,
          crypto,
        };
        const whole = buildPacket({ ...common, initialSecret: x, random: seededRandom(7) });
        const prefix = prepareRoutePrefix(route.slice(0, hops), { crypto, initialSecret: x });
        const split = buildPacket({ ...common, prefix, random: seededRandom(7) });
        assertEquals(toHex(split), toHex(whole), `${crypto.name} v${version}, ${hops} hops ahead`);
      }
    }
  }
});

Deno.test("a prepared packet travels the whole route and its prefix is used once", () => {
  const { secrets, route } = network(2);
  const prefix = prepareRoutePrefix(route.slice(0, 3));
  let packet = buildPacket({
    route,
    prefix,
    delays: sampleDelays(4, 0),
    destination: new Uint8Array(32),
    plaintext: Uint8Array.of(1, 2, 3),
  });
  for (const [i, sk] of secrets.entries()) {
    const hop = processPacket(packet, sk);
    if (hop.kind === "forward") packet = hop.packet;
    else {
      assertEquals(i, 3);
      assertEquals(hop.plaintext, Uint8Array.of(1, 2, 3));
    }
  }
  const again = () =>
    buildPacket({
      route,
      prefix,
      delays: sampleDelays(4, 0),
      destination: new Uint8Array(32),
      plaintext: Uint8Array.of(1),
    });
  const error = assertThrows(again, SphinxError);
  assertEquals(error.kind, "key");
});

Deno.test("a prefix refuses a route that does not start with its hops, or adds no hop", () => {
  const { route } = network(3);
  const other = network(4).route;
  const build = (prefixHops: RouteHop[], packetRoute: RouteHop[], initialSecret?: Uint8Array) =>
    buildPacket({
      route: packetRoute,
      prefix: prepareRoutePrefix(prefixHops),
      delays: sampleDelays(packetRoute.length, 0),
      destination: new Uint8Array(32),
      plaintext: Uint8Array.of(1),
      initialSecret,
    });
  for (
    const [prefixHops, packetRoute] of [
      [route.slice(0, 3), [other[0], ...route.slice(1)]], // another first hop
      [route.slice(0, 3), [
        ...route.slice(0, 2),
        { ...route[2], publicKey: other[2].publicKey },
        route[3],
      ]],
      [route, route], // nothing left to add
    ]
  ) {
    assertEquals(assertThrows(() => build(prefixHops, packetRoute), SphinxError).kind, "address");
  }
  assertEquals(
    assertThrows(() => build(route.slice(0, 3), route, new Uint8Array(32)), SphinxError).kind,
    "key",
  );
  assertThrows(() => prepareRoutePrefix([...route, route[0]]), SphinxError); // 5 hops
  assertThrows(
    () => prepareRoutePrefix([{ address: new Uint8Array(7), publicKey: route[0].publicKey }]),
    SphinxError,
  );
});
