// Binary frames and mix packets, including a ForwardSphinxV2 plaintext captured from the official
// client (tests/vectors/official-tester-packet.json).
import { officialTesterPacket } from "./vectors/mod.ts";
import { gcmsiv } from "@noble/ciphers/aes.js";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";
import { fromHex } from "../internal/bytes.ts";
import { decodeNodeAddress, encodeNodeAddress, PACKET_SIZES } from "../sphinx/mod.ts";
import {
  BINARY_FRAME_OVERHEAD,
  decodeBinaryRequest,
  decodeMixPacket,
  decodePushedMessageFrame,
  encodeForwardFrame,
  encodeMixPacket,
  encodePushedMessageFrame,
  GatewayProtocolError,
  type GatewayProtocolErrorKind,
  keyRotationFromId,
  type MixPacket,
  usesForwardSphinxV2,
} from "../gateway/mod.ts";

const vector = officialTesterPacket;

function rejects(kind: GatewayProtocolErrorKind, fn: () => unknown): void {
  assertThrows(fn, GatewayProtocolError, (e) => e.kind === kind);
}

const random = seededRandom(99);
const key = random(32);

function packet(size = 2413, hostPort = "127.0.0.1:1789", keyRotation: 0 | 1 | 2 = 2): MixPacket {
  return { nextHop: encodeNodeAddress(hostPort), packet: random(size), keyRotation, packetType: 0 };
}

Deno.test("the official client's ForwardSphinxV2 plaintext decodes and re-encodes exactly", () => {
  const bytes = fromHex(vector.forward_sphinx_v2_plaintext_hex);
  const decoded = decodeMixPacket(bytes, 2);
  assertEquals(decoded.packetType, 0);
  assertEquals(decoded.keyRotation, 2);
  assertEquals(decodeNodeAddress(decoded.nextHop).hostPort, vector.mix_hosts.mix1);
  assertEquals(decoded.packet.length, 2413);
  assertEquals(encodeMixPacket(decoded, 2), bytes);
});

Deno.test("mix packets v1 and v2 have the documented layouts", () => {
  const p = packet(386, "127.0.0.1:1790", 1);
  const v1 = encodeMixPacket(p, 1);
  const v2 = encodeMixPacket(p, 2);
  assertEquals(v1.subarray(0, 8), Uint8Array.of(0, 4, 0x06, 0xfe, 127, 0, 0, 1));
  assertEquals(v2.subarray(0, 9), Uint8Array.of(0, 1, 4, 0x06, 0xfe, 127, 0, 0, 1));
  assertEquals(v1.length, 1 + 7 + 386);
  assertEquals(v2.length, 2 + 7 + 386);
  // v1 carries no key rotation: it decodes as unknown (0)
  assertEquals(decodeMixPacket(v1, 1), { ...p, keyRotation: 0 });
  assertEquals(decodeMixPacket(v2, 2), p);
  const v6 = packet(2413, "[2001:db8::1]:1789", 2);
  assertEquals(decodeMixPacket(encodeMixPacket(v6, 2), 2), v6);
  assertEquals(encodeMixPacket(v6, 2).length, 2 + 19 + 2413);
});

Deno.test("every Sphinx packet size is accepted and nothing else", () => {
  for (const size of Object.values(PACKET_SIZES)) {
    const p = packet(size.totalSize);
    assertEquals(decodeMixPacket(encodeMixPacket(p, 2), 2).packet.length, size.totalSize);
  }
  const header = Uint8Array.of(0, 2, 4, 0x06, 0xfd, 127, 0, 0, 1);
  for (const n of [0, 1, 385, 387, 2412, 2414]) {
    const bytes = new Uint8Array(header.length + n);
    bytes.set(header);
    rejects("packet-size", () => decodeMixPacket(bytes, 2));
  }
  rejects("packet-size", () => encodeMixPacket({ ...packet(), packet: new Uint8Array(100) }, 2));
});

Deno.test("malformed mix packets are refused with typed errors", () => {
  const good = encodeMixPacket(packet(), 2);
  rejects("length", () => decodeMixPacket(new Uint8Array(0), 1));
  rejects("length", () => decodeMixPacket(Uint8Array.of(0), 1));
  rejects("length", () => decodeMixPacket(Uint8Array.of(0, 2), 2));
  const withType = (t: number) => Uint8Array.from(good, (b, i) => (i === 0 ? t : b));
  rejects("packet-type", () => decodeMixPacket(withType(1), 2));
  rejects("packet-type", () => decodeMixPacket(withType(2), 2)); // Outfox
  const withRotation = (r: number) => Uint8Array.from(good, (b, i) => (i === 1 ? r : b));
  rejects("key-rotation", () => decodeMixPacket(withRotation(3), 2));
  rejects("key-rotation", () => decodeMixPacket(withRotation(255), 2));
  const withTag = (t: number) => Uint8Array.from(good, (b, i) => (i === 2 ? t : b));
  rejects("address", () => decodeMixPacket(withTag(5), 2));
  rejects("address", () => decodeMixPacket(Uint8Array.of(0, 0, 6, 1, 2, 3), 2)); // short IPv6
  rejects("address", () => decodeMixPacket(Uint8Array.of(0, 4, 1, 2), 1)); // short IPv4
  // a v2 packet read as v1 misreads the rotation byte as the address tag
  rejects("address", () => decodeMixPacket(good, 1));
  // a padded address is not a valid next hop to encode
  rejects("address", () => encodeMixPacket({ ...packet(), nextHop: new Uint8Array(32) }, 2));
});

Deno.test("key rotation ids map to unknown, odd and even", () => {
  assertEquals(keyRotationFromId(0), 0);
  assertEquals(keyRotationFromId(0xffffffff), 0);
  assertEquals(keyRotationFromId(1), 1);
  assertEquals(keyRotationFromId(4), 2);
  assertEquals(keyRotationFromId(7), 1);
  assert(!usesForwardSphinxV2(4) && usesForwardSphinxV2(5) && usesForwardSphinxV2(6));
});

Deno.test("a regular IPv4 ForwardSphinxV2 frame is 2452 bytes and decrypts with the shared key", () => {
  const p = packet();
  const frame = encodeForwardFrame(p, 2, key, { random });
  assertEquals(frame.length, 2452);
  assertEquals(frame.length, BINARY_FRAME_OVERHEAD + 2 + 7 + 2413);
  assertEquals(frame.subarray(0, 2), Uint8Array.of(2, 1));
  const plaintext = gcmsiv(key, frame.subarray(2, 14)).decrypt(frame.subarray(14));
  assertEquals(plaintext, encodeMixPacket(p, 2));
  assertEquals(decodeBinaryRequest(frame, key), { version: 2, packet: p });
  const v1 = encodeForwardFrame(p, 1, key, { random });
  assertEquals(v1[0], 1);
  assertEquals(decodeBinaryRequest(v1, key), { version: 1, packet: { ...p, keyRotation: 0 } });
});

Deno.test("PushedMixMessage frames carry the message under the shared key", () => {
  const message = random(1643);
  const frame = encodePushedMessageFrame(message, key, { random });
  assertEquals(frame.length, 1643 + BINARY_FRAME_OVERHEAD);
  assertEquals(frame.subarray(0, 2), Uint8Array.of(1, 1));
  assertEquals(gcmsiv(key, frame.subarray(2, 14)).decrypt(frame.subarray(14)), message);
  assertEquals(decodePushedMessageFrame(frame, key), message);
  assertEquals(
    decodePushedMessageFrame(encodePushedMessageFrame(new Uint8Array(0), key), key),
    new Uint8Array(0),
  );
});

Deno.test("malformed binary frames are refused with typed errors", () => {
  const frame = encodeForwardFrame(packet(), 2, key, { random });
  const pushed = encodePushedMessageFrame(random(21), key, { random });
  for (const decode of [decodeBinaryRequest, decodePushedMessageFrame]) {
    rejects("length", () => decode(new Uint8Array(0), key));
    rejects("length", () => decode(Uint8Array.of(1), key));
    rejects("length", () => decode(Uint8Array.of(1, 1, 0, 0, 0), key));
    rejects("encryption-flag", () => decode(Uint8Array.of(1, 2, ...new Uint8Array(40)), key));
    rejects("encryption-flag", () => decode(Uint8Array.of(1, 0, ...new Uint8Array(40)), key));
    rejects("aead", () => decode(Uint8Array.of(1, 1, ...new Uint8Array(12 + 15)), key));
  }
  rejects("frame-kind", () => decodeBinaryRequest(Uint8Array.of(3, ...frame.subarray(1)), key));
  rejects("frame-kind", () => decodeBinaryRequest(Uint8Array.of(0, ...frame.subarray(1)), key));
  rejects(
    "frame-kind",
    () => decodePushedMessageFrame(Uint8Array.of(2, ...pushed.subarray(1)), key),
  );
  // truncation, bit flips anywhere after the header, and the wrong key all fail the AEAD
  rejects("aead", () => decodeBinaryRequest(frame.subarray(0, frame.length - 1), key));
  rejects("aead", () => decodeBinaryRequest(frame.subarray(0, 100), key));
  for (const i of [2, 13, 14, 500, frame.length - 1]) {
    const tampered = frame.slice();
    tampered[i] ^= 0x80;
    rejects("aead", () => decodeBinaryRequest(tampered, key));
  }
  rejects("aead", () => decodeBinaryRequest(frame, random(32)));
  rejects("aead", () => decodePushedMessageFrame(pushed, random(32)));
  // a v2 body inside a v1 frame decrypts but does not parse
  const mislabelled = frame.slice();
  mislabelled[0] = 1;
  rejects("address", () => decodeBinaryRequest(mislabelled, key));
  // the key itself must be 32 bytes
  rejects("length", () => decodeBinaryRequest(frame, new Uint8Array(16)));
});
