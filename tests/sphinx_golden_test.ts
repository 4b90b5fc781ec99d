// The packet captured from the official Nym client (nym-client-wasm 1.4.1, NymNodeTester),
// processed with its node keys (tests/vectors/official-tester-packet.json).
import { officialTesterPacket } from "./vectors/mod.ts";
import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import { fromHex, readU32be, toHex } from "../internal/bytes.ts";
import { fromBase58 } from "../internal/encoding.ts";
import { decodeNodeAddress, PACKET_SIZES, processPacket } from "../sphinx/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

const vector = officialTesterPacket;
const nodeAt = Object.fromEntries(Object.entries(vector.mix_hosts).map(([n, h]) => [h, n]));
const secretOf = (name: string) => fromHex(vector.nodes[name].x25519_sk);

function walk(packet: Uint8Array, first: string, crypto = defaultCrypto()) {
  const hops: { node: string; version: number; next?: string; delay?: bigint }[] = [];
  let at = first;
  for (;;) {
    const result = processPacket(packet, secretOf(at), { crypto });
    if (result.kind === "final") {
      hops.push({ node: at, version: result.version });
      return { hops, final: result };
    }
    const next = decodeNodeAddress(result.nextHop).hostPort;
    hops.push({ node: at, version: result.version, next, delay: result.delay });
    packet = result.packet;
    at = nodeAt[next];
  }
}

// ForwardSphinxV2 plaintext: packet_type ‖ key_rotation ‖ next hop (7) ‖ Sphinx packet.
const forward = fromHex(vector.forward_sphinx_v2_plaintext_hex);
const officialPacket = forward.subarray(9);

Deno.test("the node keys in the vector are the published Sphinx keys", () => {
  for (const node of Object.values(vector.nodes)) {
    assertEquals(
      defaultCrypto().x25519PublicKey(fromHex(node.x25519_sk)),
      fromBase58(node.x25519_pk_bs58),
    );
  }
});

Deno.test("the official client's packet walks mix1, mix2, mix3 to the gateway with valid MACs", () => {
  assertEquals(officialPacket.length, PACKET_SIZES.regular.totalSize);
  assertEquals(decodeNodeAddress(forward.subarray(2, 9)).hostPort, vector.mix_hosts.mix1);
  for (const crypto of [defaultCrypto(), nobleCrypto]) {
    const { hops, final } = walk(officialPacket, "mix1", crypto);
    assertEquals(hops.map((h) => h.node), ["mix1", "mix2", "mix3", "gw"]);
    assertEquals(hops.map((h) => h.next), [
      "127.0.0.1:1792",
      "127.0.0.1:1793",
      "127.0.0.1:1790",
      undefined,
    ]);
    assertEquals(hops.map((h) => h.version), [258, 258, 258, 258]);
    assertEquals(hops.map((h) => h.delay), [13628352n, 2611092n, 2572016n, undefined]);
    assertEquals(toHex(final.destination), vector.client.ed25519_pk);
    assertEquals(final.identifier, new Uint8Array(16));
    assertEquals(final.plaintext.length, 2048);
  }
});

Deno.test("the recovered plaintext starts with a SURB-ACK that routes back to the client", () => {
  const { final } = walk(officialPacket, "mix1");
  const surbAck = final.plaintext.subarray(0, 405);
  const firstHop = decodeNodeAddress(surbAck.subarray(0, 19));
  assertEquals(firstHop.hostPort, vector.mix_hosts.mix1);
  assertEquals(surbAck.subarray(7, 19), new Uint8Array(12), "address is zero-padded to 19 bytes");
  const ackPacket = surbAck.subarray(19);
  assertEquals(ackPacket.length, PACKET_SIZES.ack.totalSize);
  const ack = walk(ackPacket, nodeAt[firstHop.hostPort]);
  assertEquals(ack.hops.map((h) => h.node), ["mix1", "mix2", "mix3", "gw"]);
  assertEquals(toHex(ack.final.destination), vector.client.ed25519_pk);
  assertEquals(ack.final.plaintext.length, 21);
  // IV (16) ‖ AES-128-CTR with a 64-bit counter over the 5-byte fragment id.
  const id = defaultCrypto().aes128Ctr(
    fromHex(vector.client.ack_key_aes128),
    ack.final.plaintext.subarray(0, 16),
    ack.final.plaintext.subarray(16),
    64,
  );
  assertEquals(id.length, 5);
  assertEquals(toHex(id), "7bf29e6301");
});

Deno.test("the rest of the plaintext decrypts with the client's key to a fragment of that id", () => {
  const c = defaultCrypto();
  const { final } = walk(officialPacket, "mix1");
  const message = final.plaintext.subarray(405);
  assertEquals(message.length, 1643);
  const key = c.hkdfBlake3(
    c.x25519(fromHex(vector.client.x25519_sk), message.subarray(0, 32)),
    new Uint8Array(0),
    new Uint8Array(0),
    16,
  );
  const fragment = c.aes128Ctr(key, new Uint8Array(16), message.subarray(32), 64);
  assertEquals(readU32be(fragment), (0x7bf29e63 | 0x80000000) >>> 0);
  assertEquals([fragment[4], fragment[5], fragment[6]], [1, 1, 0]);
  assertEquals(fragment[7], 0, "NymMessage type Plain");
  const text = new TextDecoder().decode(fragment.subarray(8, fragment.lastIndexOf(1)));
  const test = JSON.parse(text);
  assertEquals(test.tested_node.encoded_identity, "C5DkzuAZK7XAo62qf968UYrvpAGm57ie5E2QC3wkhiUT");
  assert(fragment.subarray(8 + text.length + 1).every((b) => b === 0), "zero padding");
});
