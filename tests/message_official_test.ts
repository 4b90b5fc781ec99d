// Conformance with the official client (@nymproject/nym-client-wasm@1.4.1): a packet it built
// (tests/vectors/official-tester-packet.json) and the message layout it accepted (a regular
// message pushed by a test gateway: see tests/vectors/README.md).
import { officialTesterPacket } from "./vectors/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";
import {
  classifyReceived,
  decodeFragment,
  decodeFragmentId,
  decodeNymMessage,
  decryptAck,
  decryptReceived,
  encodeFragment,
  encodeNymMessage,
  encryptForRecipient,
  fragmentCapacity,
  padMessage,
  Reassembler,
  removePadding,
  splitIntoFragments,
  splitPacketPlaintext,
} from "../message/mod.ts";
import { decodeNodeAddress, processPacket } from "../sphinx/mod.ts";

const c = defaultCrypto();

const vector = officialTesterPacket;
const nodeByHost = new Map(Object.entries(vector.mix_hosts).map(([name, host]) => [host, name]));

function unwrap(packet: Uint8Array, firstHop: Uint8Array): Uint8Array {
  let node = nodeByHost.get(decodeNodeAddress(firstHop).hostPort)!;
  for (;;) {
    const result = processPacket(packet, fromHex(vector.nodes[node].x25519_sk));
    if (result.kind === "final") {
      assertEquals(toHex(result.destination), vector.client.ed25519_pk);
      return result.plaintext;
    }
    packet = result.packet;
    node = nodeByHost.get(decodeNodeAddress(result.nextHop).hostPort)!;
  }
}

Deno.test("a packet built by the official client decodes through the whole message layer", () => {
  // ForwardSphinxV2 plaintext: packet type ‖ key rotation ‖ next hop (7) ‖ Sphinx packet.
  const frame = fromHex(vector.forward_sphinx_v2_plaintext_hex);
  const plaintext = unwrap(frame.subarray(9), frame.subarray(2, 9));
  assertEquals(plaintext.length, 2048);
  const { firstHop, ackPacket, message } = splitPacketPlaintext(plaintext);
  const kind = classifyReceived(message);
  assert(kind.kind === "data" && kind.size?.name === "regular");

  const opened = decryptReceived(message, fromHex(vector.client.x25519_sk), {
    take: () => undefined,
  });
  assertEquals(opened.kind, "regular");
  const fragment = decodeFragment(opened.plaintext);
  assertEquals([fragment.totalFragments, fragment.currentFragment], [1, 1]);
  assertEquals(fragment.payload.length, 1604);
  // Our encoder reproduces its serialized fragment and padding byte for byte.
  assertEquals(encodeFragment(fragment), opened.plaintext);
  const decoded = decodeNymMessage(removePadding(fragment.payload));
  assert(decoded.type === "plain");
  assertEquals(padMessage(encodeNymMessage(decoded), fragmentCapacity()), fragment.payload);
  const test = JSON.parse(new TextDecoder().decode(decoded.data));
  assertEquals(test.tested_node.encoded_identity, "C5DkzuAZK7XAo62qf968UYrvpAGm57ie5E2QC3wkhiUT");
  const outcome = new Reassembler().insertBytes(opened.plaintext);
  assert(outcome.kind === "complete");
  assertEquals(outcome.message, encodeNymMessage(decoded));

  // Its SURB-ACK travels back to the client and names the same fragment.
  const ack = unwrap(ackPacket, firstHop);
  assertEquals(classifyReceived(ack), { kind: "ack" });
  assertEquals(decodeFragmentId(decryptAck(fromHex(vector.client.ack_key_aes128), ack)), {
    setId: fragment.setId,
    position: 1,
  });
});

Deno.test("we build the 1643-byte message layout the official client accepted", () => {
  const text = new TextEncoder().encode(
    "hello official client, this message layer was built by a JS test",
  );
  const recipientSecret = fromHex(vector.client.x25519_sk);
  const recipientKey = c.x25519PublicKey(recipientSecret);
  const ephemeral = new Uint8Array(32).fill(0x5a);
  const setIdBytes = Uint8Array.of(0x0b, 0xad, 0xf0, 0x0d);

  const per = fragmentCapacity();
  const fragments = splitIntoFragments(
    padMessage(encodeNymMessage({ type: "plain", data: text }), per),
    per,
    () => setIdBytes.slice(),
  );
  assertEquals(fragments.length, 1);
  const ours = encryptForRecipient(encodeFragment(fragments[0]), recipientKey, {
    random: () => ephemeral.slice(),
  });

  // Built by hand from official-client.md §4 d.
  const fragment = new Uint8Array(1611);
  fragment.set([0x8b, 0xad, 0xf0, 0x0d, 1, 1, 0]);
  fragment[7] = 0x00; // Plain
  fragment.set(text, 8);
  fragment[8 + text.length] = 0x01; // then zeros
  const key = c.hkdfBlake3(
    c.x25519(ephemeral, recipientKey),
    new Uint8Array(0),
    new Uint8Array(0),
    16,
  );
  const expected = new Uint8Array(1643);
  expected.set(c.x25519PublicKey(ephemeral));
  expected.set(c.aes128Ctr(key, new Uint8Array(16), fragment, 64), 32);

  assertEquals(ours.length, 1643);
  assertEquals(ours, expected);
  const back = decryptReceived(ours, recipientSecret, { take: () => undefined });
  const outcome = new Reassembler().insertBytes(back.plaintext);
  assert(outcome.kind === "complete");
  assertEquals(decodeNymMessage(outcome.message), { type: "plain", data: text });
});
