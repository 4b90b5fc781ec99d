import { defaultCrypto } from "../crypto/mod.ts";
import {
  createSurb,
  decodeSurb,
  encodeSurb,
  PACKET_SIZES,
  processPacket,
  SphinxError,
  useSurb,
} from "../sphinx/mod.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { testRoute } from "./_sphinx_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

for (const version of [258, 259] as const) {
  Deno.test(`a v${version} SURB survives encoding and delivers a reply along its route`, () => {
    for (let hops = 1; hops <= 5; hops++) {
      const random = seededRandom(version * 10 + hops);
      const route = testRoute(hops, random);
      const destination = random(32);
      const surb = createSurb({
        route,
        delays: Array(hops).fill(0n),
        destination,
        version,
        random,
      });
      const encoded = encodeSurb(surb);
      assertEquals(encoded.length, 348 + 32 + hops * (version === 258 ? 192 : 16));
      const decoded = decodeSurb(encoded);
      assertEquals(decoded.version, version);
      assertEquals(decoded.keys.length, hops);
      assertEquals(decoded.firstHop, route[0].address);
      for (const size of [PACKET_SIZES.regular, PACKET_SIZES.ack]) {
        const reply = random(size.plaintextSize);
        let { packet, firstHop } = useSurb(decoded, reply, size);
        assertEquals(firstHop, route[0].address);
        assertEquals(packet.length, size.totalSize);
        for (let i = 0; i < hops; i++) {
          const hop = processPacket(packet, route[i].secretKey);
          if (hop.kind === "forward") {
            packet = hop.packet;
            continue;
          }
          assertEquals(i, hops - 1);
          assertEquals(hop.version, version);
          assertEquals(hop.destination, destination);
          assertEquals(hop.plaintext, reply);
        }
      }
    }
  });
}

Deno.test("Nym's 4-hop reply SURB sizes are 1164 B (v1, with key) and 460 B (v2)", () => {
  const random = seededRandom(1);
  const route = testRoute(4, random);
  const base = { route, delays: [0n, 0n, 0n, 0n], destination: random(32), random };
  assertEquals(16 + encodeSurb(createSurb({ ...base, version: 258 })).length, 1164);
  assertEquals(16 + encodeSurb(createSurb({ ...base, version: 259 })).length, 460);
});

Deno.test("malformed SURBs are refused with length errors", () => {
  const kind = (bytes: Uint8Array) => assertThrows(() => decodeSurb(bytes), SphinxError).kind;
  for (const length of [0, 100, 348, 380, 395, 380 + 17, 380 + 100, 380 + 193, 380 + 6 * 192]) {
    assertEquals(kind(new Uint8Array(length)), "length", `length ${length}`);
  }
  const surb = decodeSurb(new Uint8Array(380 + 16));
  assertThrows(
    () => useSurb({ ...surb, keys: [new Uint8Array(20)] }, new Uint8Array(1)),
    SphinxError,
    (e) => e.kind === "length",
  );
  assertThrows(() => useSurb(surb, new Uint8Array(2049)), SphinxError, (e) => e.kind === "length");
});

Deno.test("a SURB's seeds expand to the keys a v258 SURB would carry directly", () => {
  const c = defaultCrypto();
  const random = seededRandom(8);
  const route = testRoute(3, random);
  const initialSecret = random(32);
  const base = { route, delays: [0n, 0n, 0n], destination: random(32), initialSecret };
  const seeded = createSurb({ ...base, version: 259, random: seededRandom(2) });
  const full = createSurb({ ...base, version: 258, random: seededRandom(2) });
  // Same initial secret: the seeds are the first 16 bytes of the full keys.
  for (let i = 0; i < 3; i++) assertEquals(seeded.keys[i], full.keys[i].subarray(0, 16));
  void c;
});
