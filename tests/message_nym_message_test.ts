import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import {
  AnonymousSenderTag,
  decodeNymMessage,
  encodeNymMessage,
  messageData,
  MessageError,
  type NymMessage,
  padMessage,
  Recipient,
  removePadding,
  type ReplySurbBytes,
} from "../message/mod.ts";
import {
  createSurb,
  decodeSurb,
  encodeNodeAddress,
  encodeSurb,
  padNodeAddress,
} from "../sphinx/mod.ts";

const c = defaultCrypto();
const tag = new AnonymousSenderTag(Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i));
const recipient = new Recipient(
  c.ed25519PublicKey(new Uint8Array(32).fill(1)),
  c.x25519PublicKey(new Uint8Array(32).fill(2)),
  c.ed25519PublicKey(new Uint8Array(32).fill(3)),
);

function surb(hops: number, version: 258 | 259, n: number): ReplySurbBytes {
  const route = Array.from({ length: hops }, (_, i) => ({
    address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
    publicKey: c.x25519PublicKey(new Uint8Array(32).fill(10 + i)),
  }));
  const s = createSurb({
    route,
    delays: route.map(() => 1000n),
    destination: recipient.identity,
    version,
    initialSecret: new Uint8Array(32).fill(50 + n),
  });
  return { encryptionKey: new Uint8Array(16).fill(0x70 + n), surb: encodeSurb(s) };
}

const u32 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

Deno.test("a plain message is 0x00 followed by the data", () => {
  const data = new TextEncoder().encode("hi");
  const bytes = encodeNymMessage({ type: "plain", data });
  assertEquals(Array.from(bytes), [0, 104, 105]);
  assertEquals(decodeNymMessage(bytes), { type: "plain", data });
  assertEquals(decodeNymMessage(Uint8Array.of(0)), { type: "plain", data: new Uint8Array(0) });
});

Deno.test("a V1 repliable data message has the u32 count and 1164-byte SURB entries", () => {
  const surbs = [surb(4, 258, 1), surb(4, 258, 2)];
  assertEquals(surbs[0].surb.length, 1148);
  const data = Uint8Array.of(1, 2, 3);
  const message: NymMessage = {
    type: "repliable",
    senderTag: tag,
    content: { kind: "data", version: 1, replySurbs: surbs, keyRotation: 0, message: data },
  };
  const bytes = encodeNymMessage(message);
  assertEquals(bytes.length, 1 + 16 + 1 + 4 + 2 * 1164 + 3);
  assertEquals(bytes[0], 1);
  assertEquals(bytes.subarray(1, 17), tag.bytes);
  assertEquals(bytes[17], 0);
  assertEquals(Array.from(bytes.subarray(18, 22)), u32(2));
  assertEquals(bytes.subarray(22, 38), surbs[0].encryptionKey);
  assertEquals(bytes.subarray(38, 38 + 1148), surbs[0].surb);
  assertEquals(bytes.subarray(22 + 1164, 22 + 1164 + 16), surbs[1].encryptionKey);
  assertEquals(Array.from(bytes.subarray(bytes.length - 3)), [1, 2, 3]);
  assertEquals(decodeNymMessage(bytes), message);
  assertEquals(messageData(decodeNymMessage(bytes)), data);
  // The SURB bytes open with the Sphinx layer.
  const decoded = decodeNymMessage(bytes);
  assert(decoded.type === "repliable");
  assertEquals(decodeSurb(decoded.content.replySurbs[1].surb).version, 258);
});

Deno.test("a V2 repliable message has count u16, hops, key rotation and seed-sized SURBs", () => {
  const surbs = [surb(3, 259, 1), surb(3, 259, 2), surb(3, 259, 3)];
  assertEquals(surbs[0].surb.length, 348 + 32 + 3 * 16);
  const message: NymMessage = {
    type: "repliable",
    senderTag: tag,
    content: {
      kind: "data",
      version: 2,
      replySurbs: surbs,
      keyRotation: 2,
      message: Uint8Array.of(9),
    },
  };
  const bytes = encodeNymMessage(message);
  assertEquals(bytes[17], 3);
  assertEquals(Array.from(bytes.subarray(18, 22)), [0, 3, 3, 2]);
  assertEquals(bytes.length, 22 + 3 * (16 + 428) + 1);
  assertEquals(decodeNymMessage(bytes), message);
});

Deno.test("SURB-only contents use tags 1, 2, 4 and 5 and tolerate trailing bytes", () => {
  const cases = [
    { kind: "additionalSurbs", version: 1, tag: 1, s: surb(4, 258, 1) },
    { kind: "heartbeat", version: 1, tag: 2, s: surb(4, 258, 1) },
    { kind: "additionalSurbs", version: 2, tag: 4, s: surb(4, 259, 1) },
    { kind: "heartbeat", version: 2, tag: 5, s: surb(4, 259, 1) },
  ] as const;
  for (const { kind, version, tag: contentTag, s } of cases) {
    const message: NymMessage = {
      type: "repliable",
      senderTag: tag,
      content: { kind, version, replySurbs: [s], keyRotation: version === 2 ? 1 : 0 },
    };
    const bytes = encodeNymMessage(message);
    assertEquals(bytes[17], contentTag);
    assertEquals(decodeNymMessage(bytes), message);
    const trailing = new Uint8Array([...bytes, 7, 7]);
    assertEquals(decodeNymMessage(trailing), message);
    assertEquals(messageData(message), new Uint8Array(0));
  }
});

Deno.test("an empty V2 block writes zero hops and zero rotation, as Nym does", () => {
  const bytes = encodeNymMessage({
    type: "repliable",
    senderTag: tag,
    content: {
      kind: "data",
      version: 2,
      replySurbs: [],
      keyRotation: 2,
      message: Uint8Array.of(5),
    },
  });
  assertEquals(Array.from(bytes.subarray(17)), [3, 0, 0, 0, 0, 5]);
  const v1 = encodeNymMessage({
    type: "repliable",
    senderTag: tag,
    content: { kind: "data", version: 1, replySurbs: [], message: new Uint8Array(0) },
  });
  assertEquals(Array.from(v1.subarray(17)), [0, 0, 0, 0, 0]);
});

Deno.test("replies carry data or a SURB request of recipient and u32 amount", () => {
  const data: NymMessage = {
    type: "reply",
    content: { kind: "data", message: Uint8Array.of(4, 5) },
  };
  assertEquals(Array.from(encodeNymMessage(data)), [2, 0, 4, 5]);
  assertEquals(decodeNymMessage(encodeNymMessage(data)), data);
  const request: NymMessage = {
    type: "reply",
    content: { kind: "surbRequest", recipient, amount: 0x01020304 },
  };
  const bytes = encodeNymMessage(request);
  assertEquals(bytes.length, 2 + 96 + 4);
  assertEquals(Array.from(bytes.subarray(0, 2)), [2, 1]);
  assertEquals(bytes.subarray(2, 98), recipient.toBytes());
  assertEquals(Array.from(bytes.subarray(98)), [1, 2, 3, 4]);
  const back = decodeNymMessage(bytes);
  assert(back.type === "reply" && back.content.kind === "surbRequest");
  assert(back.content.recipient.equals(recipient));
  assertEquals(back.content.amount, 0x01020304);
});

Deno.test("decoding malformed messages throws typed errors", () => {
  const kind = (bytes: Uint8Array | number[]) =>
    assertThrows(() => decodeNymMessage(Uint8Array.from(bytes)), MessageError).kind;
  assertEquals(kind([]), "empty");
  assertEquals(kind([3]), "type");
  assertEquals(kind([255, 1]), "type");
  assertEquals(kind([1, ...tag.bytes]), "truncated");
  assertEquals(kind([1, ...tag.bytes, 0]), "truncated");
  assertEquals(kind([1, ...tag.bytes, 6, 0, 0, 0, 0]), "tag");
  assertEquals(kind([1, ...tag.bytes, 0, 0, 0, 1]), "truncated");
  assertEquals(kind([1, ...tag.bytes, 0, 0, 0, 0, 1, 0]), "truncated");
  assertEquals(kind([1, ...tag.bytes, 3, 0, 0, 4, 3]), "key-rotation");
  assertEquals(kind([1, ...tag.bytes, 3, 0, 1, 4, 0]), "truncated");
  assertEquals(kind([2]), "truncated");
  assertEquals(kind([2, 0]), "truncated");
  assertEquals(kind([2, 2, 1]), "tag");
  assertEquals(kind([2, 1, ...recipient.toBytes(), 0, 0, 1]), "length");
  assertEquals(kind([2, 1, ...recipient.toBytes(), 0, 0, 0, 1, 0]), "length");
  const badRecipient = recipient.toBytes();
  badRecipient.fill(0, 0, 32);
  badRecipient[0] = 2;
  assertEquals(kind([2, 1, ...badRecipient, 0, 0, 0, 1]), "recipient");
});

Deno.test("a SURB with an unparsable first hop or a bad hop count is rejected", () => {
  const good = surb(4, 258, 1);
  const message = (s: ReplySurbBytes, version: 1 | 2) =>
    encodeNymMessage({
      type: "repliable",
      senderTag: tag,
      content: { kind: "additionalSurbs", version, replySurbs: [s] },
    });
  const bytes = message(good, 1);
  bytes[22 + 16 + 348] = 5; // first hop address tag must be 4 or 6
  assertEquals(assertThrows(() => decodeNymMessage(bytes), MessageError).kind, "surb");
  // A V2 block claiming 0 hops with one SURB cannot hold a SURB.
  const v2 = [1, ...tag.bytes, 4, 0, 1, 0, 0, ...new Uint8Array(16 + 380)];
  assertEquals(
    assertThrows(() => decodeNymMessage(Uint8Array.from(v2)), MessageError).kind,
    "surb",
  );
});

Deno.test("encoding refuses content that no Nym receiver accepts back", () => {
  const kind = (m: NymMessage) => assertThrows(() => encodeNymMessage(m), MessageError).kind;
  assertEquals(
    kind({ type: "reply", content: { kind: "data", message: new Uint8Array(0) } }),
    "empty",
  );
  assertEquals(
    kind({ type: "reply", content: { kind: "surbRequest", recipient, amount: 2 ** 32 } }),
    "length",
  );
  const v2 = surb(3, 259, 1);
  assertEquals(
    kind({
      type: "repliable",
      senderTag: tag,
      content: { kind: "heartbeat", version: 1, replySurbs: [v2] },
    }),
    "surb",
  );
  assertEquals(
    kind({
      type: "repliable",
      senderTag: tag,
      content: { kind: "heartbeat", version: 2, replySurbs: [v2, surb(4, 259, 2)] },
    }),
    "surb",
  );
  assertEquals(
    kind({
      type: "repliable",
      senderTag: tag,
      content: {
        kind: "heartbeat",
        version: 2,
        replySurbs: [{ encryptionKey: new Uint8Array(15), surb: v2.surb }],
      },
    }),
    "surb",
  );
});

Deno.test("padding appends 0x01 and zeros to fill the last fragment exactly", () => {
  const encoded = Uint8Array.of(0, 104, 105);
  const padded = padMessage(encoded, 1611);
  assertEquals(padded.length, 1604);
  assertEquals(Array.from(padded.subarray(0, 5)), [0, 104, 105, 1, 0]);
  assert(padded.subarray(4).every((b) => b === 0));
  assertEquals(removePadding(padded), encoded);
  // Plain data of 1602 bytes is the most one regular packet carries: 1 + 1602 + 1 = 1604.
  assertEquals(padMessage(new Uint8Array(1603), 1611).length, 1604);
  assertEquals(padMessage(new Uint8Array(1604), 1611).length, 2 * 1604);
  // The marker is the last 0x01 even when the message itself ends in 0x01.
  assertEquals(removePadding(padMessage(Uint8Array.of(0, 1, 1), 1611)), Uint8Array.of(0, 1, 1));
});

Deno.test("a padded message without a 0x01 marker is rejected", () => {
  assertEquals(assertThrows(() => removePadding(new Uint8Array(50)), MessageError).kind, "padding");
  assertEquals(assertThrows(() => removePadding(new Uint8Array(0)), MessageError).kind, "padding");
});
