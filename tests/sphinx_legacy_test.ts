// Legacy versions 1 and 257 are processed (never built): their blinding uses unclamped scalars.
import { defaultCrypto } from "../crypto/mod.ts";
import { decodeNodeAddress, processPacket } from "../sphinx/mod.ts";
import { buildHeader } from "../sphinx/header.ts";
import { type ExpandedSecret, expandSharedSecret } from "../sphinx/_keys.ts";
import { legacyBlind } from "../sphinx/_legacy.ts";
import { encapsulatePayload } from "../sphinx/payload.ts";
import { assertEquals } from "./_assert.ts";
import { testRoute } from "./_sphinx_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const BASE_POINT = Uint8Array.of(9, ...new Uint8Array(31));
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const toLe = (v: bigint) =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

// The sender side of sphinx's `derive_legacy`: α₀ = x·B and s_i = (x·Πb_j mod ℓ)·pub_i, unclamped.
function legacyKeys(publicKeys: Uint8Array[], x: Uint8Array) {
  const c = defaultCrypto();
  let accumulator = le(x) % L;
  const secrets: ExpandedSecret[] = [];
  for (const publicKey of publicKeys) {
    const secret = expandSharedSecret(c, legacyBlind(publicKey, toLe(accumulator)));
    secrets.push(secret);
    accumulator = (accumulator * (le(secret.blindingFactor) % L)) % L;
  }
  return { alpha: legacyBlind(BASE_POINT, x), secrets };
}

for (const version of [1, 257]) {
  Deno.test(`a legacy v${version} packet is processed along its whole route`, () => {
    const c = defaultCrypto();
    const random = seededRandom(version);
    const route = testRoute(4, random);
    const keys = legacyKeys(route.map((h) => h.publicKey), random(32));
    const destination = random(32);
    const delays = [5n, 6n, 7n, 0n];
    const header = buildHeader(
      c,
      keys,
      route,
      delays,
      destination,
      new Uint8Array(16),
      version,
      random,
    );
    const plaintext = random(2048);
    const payload = encapsulatePayload(
      c,
      plaintext,
      2065,
      keys.secrets.map((s) => s.legacyPayloadKey),
    );
    let packet: Uint8Array = Uint8Array.from([...header, ...payload]);
    for (let i = 0; i < 4; i++) {
      const hop = processPacket(packet, route[i].secretKey);
      assertEquals(hop.version, version);
      if (hop.kind === "forward") {
        assertEquals(decodeNodeAddress(hop.nextHop).hostPort, route[i + 1].hostPort);
        assertEquals(hop.delay, delays[i]);
        packet = hop.packet;
      } else {
        assertEquals(i, 3);
        assertEquals(hop.destination, destination);
        assertEquals(hop.plaintext, plaintext);
      }
    }
  });
}

Deno.test("legacy blinding equals clamped X25519 when the scalar is already clamped", () => {
  const c = defaultCrypto();
  const random = seededRandom(5);
  for (let i = 0; i < 10; i++) {
    const scalar = random(32);
    scalar[0] &= 248;
    scalar[31] = (scalar[31] & 127) | 64;
    const point = c.x25519PublicKey(random(32));
    const reduced = toLe(le(scalar) % L);
    assertEquals(legacyBlind(point, reduced), c.x25519(scalar, point));
  }
});
