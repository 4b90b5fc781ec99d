// Bytes from the network: every malformed packet gives a SphinxError, never anything else.
import { defaultCrypto } from "../crypto/mod.ts";
import {
  buildPacket,
  HEADER_SIZE,
  PACKET_SIZES,
  type ProcessedPacket,
  processPacket,
  SphinxError,
  type SphinxErrorKind,
} from "../sphinx/mod.ts";
import { routingKeystream } from "../sphinx/header.ts";
import { expandSharedSecret } from "../sphinx/_keys.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { testRoute } from "./_sphinx_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const random = seededRandom(42);
const route = testRoute(4, random);
const plaintext = random(2048);
const packet = buildPacket({
  route,
  delays: [1n, 2n, 3n, 4n],
  destination: random(32),
  plaintext,
  version: 258,
});

function kindOf(bytes: Uint8Array, key = route[0].secretKey): SphinxErrorKind | "ok" {
  try {
    processPacket(bytes, key);
    return "ok";
  } catch (error) {
    if (error instanceof SphinxError) return error.kind;
    throw error;
  }
}

function walkAll(bytes: Uint8Array): ProcessedPacket {
  let current = bytes;
  for (let i = 0; i < 3; i++) {
    const hop = processPacket(current, route[i].secretKey);
    if (hop.kind !== "forward") throw new Error("expected a forward hop");
    current = hop.packet;
  }
  return processPacket(current, route[3].secretKey);
}

Deno.test("every truncation of a packet is refused with a typed error", () => {
  for (let length = 0; length < packet.length; length++) {
    const truncated = packet.subarray(0, length);
    if (kindOf(truncated) !== "ok") continue;
    // Only a truncation to another Nym size (the 386-byte ack) passes a forward hop, whose
    // payload is unauthenticated; the final hop then refuses it.
    assertEquals(length, PACKET_SIZES.ack.totalSize);
    assertThrows(() => walkAll(truncated), SphinxError, (e) => e.kind === "padding");
  }
  assertEquals(kindOf(packet.subarray(0, HEADER_SIZE)), "length");
});

Deno.test("every bit flip in γ and β fails the MAC, and in α fails the MAC or the key", () => {
  for (let byte = 0; byte < HEADER_SIZE; byte++) {
    for (const bit of [0, 3, 7]) {
      const copy = packet.slice();
      copy[byte] ^= 1 << bit;
      if (byte === 31 && bit === 7) continue; // X25519 ignores u's top bit: see the next test
      const kind = kindOf(copy);
      if (byte < 32) assert(kind === "mac" || kind === "key", `α byte ${byte}: ${kind}`);
      else assertEquals(kind, "mac", `header byte ${byte} bit ${bit}`);
    }
  }
});

Deno.test("α's ignored top bit gives the same replay tag, so replay protection still holds", () => {
  const copy = packet.slice();
  copy[31] ^= 0x80;
  const original = processPacket(packet, route[0].secretKey);
  const flipped = processPacket(copy, route[0].secretKey);
  assertEquals(flipped.replayTag, original.replayTag);
});

Deno.test("a bit flip in the payload is caught at the final hop as a padding error", () => {
  for (const offset of [HEADER_SIZE, HEADER_SIZE + 31, HEADER_SIZE + 32, packet.length - 1]) {
    const copy = packet.slice();
    copy[offset] ^= 0x10;
    assertThrows(() => walkAll(copy), SphinxError, (e) => e.kind === "padding");
  }
});

Deno.test("a wrong node key fails the MAC, and a bad key length is refused", () => {
  assertEquals(kindOf(packet, route[1].secretKey), "mac");
  assertEquals(kindOf(packet, new Uint8Array(31)), "key");
});

Deno.test("a low-order α is refused as a key error", () => {
  const copy = packet.slice();
  copy.fill(0, 0, 32);
  assertEquals(kindOf(copy), "key");
  copy[0] = 1; // u = 1 is also of low order
  assertEquals(kindOf(copy), "key");
});

Deno.test("the replay callback sees the tag and can refuse the packet", () => {
  const seen = new Set<string>();
  const isReplay = (tag: Uint8Array) => {
    const id = tag.join();
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  };
  processPacket(packet, route[0].secretKey, { isReplay });
  assertThrows(
    () => processPacket(packet, route[0].secretKey, { isReplay }),
    SphinxError,
    (e) => e.kind === "replay",
  );
});

// A one-hop header whose routing block starts with `head`, correctly MACed, so the content
// checks behind the MAC are reached.
function craftOneHop(head: number[]): { bytes: Uint8Array; key: Uint8Array } {
  const c = defaultCrypto();
  const key = random(32);
  const x = random(32);
  const secret = expandSharedSecret(c, c.x25519(x, c.x25519PublicKey(key)));
  const plain = new Uint8Array(300);
  plain.set(head);
  const stream = routingKeystream(c, secret.streamCipherKey);
  const beta = plain.map((b, i) => b ^ stream[i]);
  const gamma = c.hmacSha256(secret.macKey, beta).subarray(0, 16);
  const bytes = new Uint8Array(PACKET_SIZES.regular.totalSize);
  bytes.set(c.x25519PublicKey(x));
  bytes.set(gamma, 32);
  bytes.set(beta, 48);
  return { bytes, key };
}

Deno.test("an unknown routing flag and a malformed version field are typed errors", () => {
  for (const flag of [0, 3, 255]) {
    const { bytes, key } = craftOneHop([flag, 0, 1, 3]);
    assertEquals(kindOf(bytes, key), "flag");
  }
  const { bytes, key } = craftOneHop([2, 7, 1, 3]);
  assertEquals(kindOf(bytes, key), "version");
});

Deno.test("a final hop whose payload was never built gives a padding error", () => {
  const { bytes, key } = craftOneHop([2, 0, 1, 3]);
  assertEquals(kindOf(bytes, key), "padding");
});

Deno.test("random garbage of every Nym size never throws anything but SphinxError", () => {
  const noise = seededRandom(77);
  for (const size of Object.values(PACKET_SIZES)) {
    for (let i = 0; i < 40; i++) assert(kindOf(noise(size.totalSize)) !== "ok");
  }
});

Deno.test("building refuses bad routes, sizes and versions with typed errors", () => {
  const base = {
    route,
    delays: [0n, 0n, 0n, 0n],
    destination: new Uint8Array(32),
    plaintext: new Uint8Array(1),
  };
  const kind = (f: () => unknown) => assertThrows(f, SphinxError).kind;
  assertEquals(kind(() => buildPacket({ ...base, route: [], delays: [] })), "length");
  assertEquals(
    kind(() => buildPacket({ ...base, route: testRoute(6), delays: Array(6).fill(0n) })),
    "length",
  );
  assertEquals(kind(() => buildPacket({ ...base, delays: [0n] })), "length");
  assertEquals(kind(() => buildPacket({ ...base, destination: new Uint8Array(31) })), "length");
  assertEquals(kind(() => buildPacket({ ...base, plaintext: new Uint8Array(2049) })), "length");
  assertEquals(
    kind(() => buildPacket({ ...base, size: PACKET_SIZES.ack, plaintext: new Uint8Array(22) })),
    "length",
  );
  // deno-lint-ignore no-explicit-any
  assertEquals(kind(() => buildPacket({ ...base, version: 257 as any })), "version");
});
