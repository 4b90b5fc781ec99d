import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import {
  AnonymousSenderTag,
  buildPacketPlaintext,
  classifyReceived,
  coverPayload,
  decodeFragment,
  decodeFragmentId,
  decodeNymMessage,
  decryptAck,
  decryptReceived,
  encodeFragment,
  encodeNymMessage,
  encryptAck,
  encryptForRecipient,
  encryptReply,
  fragmentCapacity,
  fragmentId,
  isCover,
  MessageError,
  type NymMessage,
  padMessage,
  Reassembler,
  Recipient,
  replyKeyDigest,
  splitIntoFragments,
  splitPacketPlaintext,
} from "../message/mod.ts";
import {
  buildPacket,
  createSurb,
  decodeNodeAddress,
  decodeSurb,
  encodeNodeAddress,
  encodeSurb,
  PACKET_SIZES,
  padNodeAddress,
  processPacket,
  type RouteHop,
  useSurb,
} from "../sphinx/mod.ts";

const c = defaultCrypto();

Deno.test("fragment capacity is the plaintext size minus 405 and 32", () => {
  assertEquals(fragmentCapacity(), 1611);
  assertEquals(fragmentCapacity(PACKET_SIZES.extended8), 7755);
  assertEquals(fragmentCapacity(PACKET_SIZES.extended16), 15947);
  assertEquals(fragmentCapacity(PACKET_SIZES.extended32), 32331);
  assertEquals(assertThrows(() => fragmentCapacity(PACKET_SIZES.ack), MessageError).kind, "length");
});

Deno.test("the packet plaintext is SURB-ACK then payload, exactly the plaintext size", () => {
  const surbAck = new Uint8Array(405).fill(1);
  const payload = new Uint8Array(1643).fill(2);
  const plaintext = buildPacketPlaintext(surbAck, payload);
  assertEquals(plaintext.length, 2048);
  assertEquals(plaintext.subarray(0, 405), surbAck);
  assertEquals(plaintext.subarray(405), payload);
  const parts = splitPacketPlaintext(plaintext);
  assertEquals([parts.firstHop.length, parts.ackPacket.length], [19, 386]);
  assertEquals(parts.message, payload);
  assertEquals(
    buildPacketPlaintext(surbAck, new Uint8Array(8192 - 405), PACKET_SIZES.extended8).length,
    8192,
  );
});

Deno.test("a plaintext of the wrong size is refused", () => {
  const kind = (ack: number, payload: number) =>
    assertThrows(
      () => buildPacketPlaintext(new Uint8Array(ack), new Uint8Array(payload)),
      MessageError,
    ).kind;
  assertEquals(kind(404, 1644), "length");
  assertEquals(kind(405, 1642), "length");
  assertEquals(kind(405, 1644), "length");
  assertEquals(
    assertThrows(() => splitPacketPlaintext(new Uint8Array(404)), MessageError).kind,
    "truncated",
  );
});

Deno.test("pushed messages are sorted by length like Nym's gateway client", () => {
  assertEquals(classifyReceived(new Uint8Array(21)), { kind: "ack" });
  const sizes: [number, string][] = [
    [1643, "regular"],
    [7787, "extended8"],
    [15979, "extended16"],
    [32363, "extended32"],
  ];
  for (const [n, name] of sizes) {
    const r = classifyReceived(new Uint8Array(n));
    assert(r.kind === "data" && r.size?.name === name, `${n}`);
  }
  for (const n of [49, 1000, 1642, 1644, 2048]) {
    assertEquals(classifyReceived(new Uint8Array(n)), { kind: "data", size: undefined });
  }
  for (const n of [0, 1, 20, 22, 32, 48]) {
    assertEquals(
      assertThrows(() => classifyReceived(new Uint8Array(n)), MessageError).kind,
      "length",
      `${n}`,
    );
  }
});

// ---- the whole path through real Sphinx packets ----

const secret = (n: number) => new Uint8Array(32).fill(n);
const mixSecrets = [secret(11), secret(12), secret(13)];
const gatewaySecret = secret(14);
const route: RouteHop[] = [...mixSecrets, gatewaySecret].map((sk, i) => ({
  address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1791 + i}`), 32),
  publicKey: c.x25519PublicKey(sk),
}));
const secretByPort = new Map([...mixSecrets, gatewaySecret].map((sk, i) => [1791 + i, sk]));
const clientEncryptionSecret = secret(21);
const ackKey = new Uint8Array(16).fill(0x33);
const client = new Recipient(
  c.ed25519PublicKey(secret(20)),
  c.x25519PublicKey(clientEncryptionSecret),
  c.ed25519PublicKey(secret(22)),
);

/** Runs a packet through the route as the nodes would; returns the final hop's plaintext. */
function traverse(packet: Uint8Array, firstHop: Uint8Array): Uint8Array {
  let hop = decodeNodeAddress(firstHop).port;
  for (;;) {
    const result = processPacket(packet, secretByPort.get(hop)!);
    if (result.kind === "final") {
      assertEquals(result.destination, client.identity);
      return result.plaintext;
    }
    packet = result.packet;
    hop = decodeNodeAddress(result.nextHop).port;
  }
}

function surbAckFor(id: Uint8Array): Uint8Array {
  const ack = buildPacket({
    route,
    delays: route.map(() => 0n),
    destination: client.identity,
    plaintext: encryptAck(ackKey, id),
    size: PACKET_SIZES.ack,
  });
  assertEquals(ack.length, 386);
  const out = new Uint8Array(405);
  out.set(padNodeAddress(encodeNodeAddress("127.0.0.1:1791"), 19));
  out.set(ack, 19);
  return out;
}

/** What the gateway does with a data packet: deliver the message, send the ack on its way. */
function deliver(plaintext: Uint8Array): { message: Uint8Array; ackPayload: Uint8Array } {
  const parts = splitPacketPlaintext(plaintext);
  return { message: parts.message, ackPayload: traverse(parts.ackPacket, parts.firstHop) };
}

Deno.test("a repliable message crosses Sphinx, is acked, reassembled and answered by SURB", () => {
  const replyKey = new Uint8Array(16).fill(0x44);
  const surb = createSurb({ route, delays: route.map(() => 0n), destination: client.identity });
  const data = Uint8Array.from({ length: 4000 }, (_, i) => i & 0xff);
  const message: NymMessage = {
    type: "repliable",
    senderTag: AnonymousSenderTag.random(),
    content: {
      kind: "data",
      version: 2,
      keyRotation: 1,
      replySurbs: [{ encryptionKey: replyKey, surb: encodeSurb(surb) }],
      message: data,
    },
  };
  const per = fragmentCapacity();
  const fragments = splitIntoFragments(padMessage(encodeNymMessage(message), per), per);
  const reassembler = new Reassembler();
  const noReplies = { take: () => undefined };
  let received: NymMessage | undefined;
  for (const fragment of fragments) {
    const id = fragmentId(fragment.setId, fragment.currentFragment);
    const plaintext = buildPacketPlaintext(
      surbAckFor(id),
      encryptForRecipient(encodeFragment(fragment), client.encryptionKey),
    );
    const packet = buildPacket({
      route,
      delays: route.map(() => 0n),
      destination: client.identity,
      plaintext,
    });
    const { message: pushed, ackPayload } = deliver(traverse(packet, route[0].address));
    assertEquals(classifyReceived(ackPayload), { kind: "ack" });
    assertEquals(decodeFragmentId(decryptAck(ackKey, ackPayload)), {
      setId: fragment.setId,
      position: fragment.currentFragment,
    });
    const kind = classifyReceived(pushed);
    assert(kind.kind === "data" && kind.size === PACKET_SIZES.regular);
    const opened = decryptReceived(pushed, clientEncryptionSecret, noReplies);
    assertEquals(opened.kind, "regular");
    assert(!isCover(opened.plaintext));
    const outcome = reassembler.insertBytes(opened.plaintext);
    if (outcome.kind === "complete") received = decodeNymMessage(outcome.message);
  }
  assert(received?.type === "repliable" && received.content.kind === "data");
  assertEquals(received.content.message, data);

  // The receiver answers with the SURB; the original sender recognises its reply key.
  const reply = received.content.replySurbs[0];
  const replyFragments = splitIntoFragments(
    padMessage(
      encodeNymMessage({ type: "reply", content: { kind: "data", message: Uint8Array.of(7, 7) } }),
      per,
    ),
    per,
  );
  assertEquals(replyFragments.length, 1);
  const f = replyFragments[0];
  const plaintext = buildPacketPlaintext(
    surbAckFor(fragmentId(f.setId, f.currentFragment)),
    encryptReply(encodeFragment(f), reply.encryptionKey),
  );
  const { packet, firstHop } = useSurb(decodeSurb(reply.surb), plaintext);
  const { message: pushed } = deliver(traverse(packet, firstHop));
  const keys = new Map([[replyKeyDigest(replyKey).join(), replyKey]]);
  const opened = decryptReceived(pushed, clientEncryptionSecret, {
    take: (d) => keys.get(d.join()),
  });
  assert(opened.kind === "reply");
  const outcome = new Reassembler().insertBytes(opened.plaintext);
  assert(outcome.kind === "complete");
  assertEquals(decodeNymMessage(outcome.message), {
    type: "reply",
    content: { kind: "data", message: Uint8Array.of(7, 7) },
  });
});

Deno.test("a loop cover packet crosses Sphinx and is recognised as cover", () => {
  const plaintext = buildPacketPlaintext(
    surbAckFor(fragmentId(0, 0)),
    coverPayload(client.encryptionKey),
  );
  const packet = buildPacket({
    route,
    delays: route.map(() => 0n),
    destination: client.identity,
    plaintext,
  });
  const { message, ackPayload } = deliver(traverse(packet, route[0].address));
  assertEquals(decodeFragmentId(decryptAck(ackKey, ackPayload)), { setId: 0, position: 0 });
  const opened = decryptReceived(message, clientEncryptionSecret, { take: () => undefined });
  assert(isCover(opened.plaintext));
  assertEquals(assertThrows(() => decodeFragment(opened.plaintext), MessageError).kind, "header");
});
