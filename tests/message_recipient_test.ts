import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { AddressError, AnonymousSenderTag, Recipient } from "../message/mod.ts";

const c = defaultCrypto();
const seed = (n: number) => new Uint8Array(32).fill(n);
const identity = c.ed25519PublicKey(seed(1));
const encryptionKey = c.x25519PublicKey(seed(2));
const gateway = c.ed25519PublicKey(seed(3));
/** 0x02 followed by zeros: y = 2 is not on edwards25519 (x² would be a non-residue). */
const notAPoint = new Uint8Array(32);
notAPoint[0] = 2;

// An address printed by the official wasm client (official-client.md §4 c).
const OFFICIAL =
  "9WPSp6wfHKrrMMhwmFjQjCDg9DHptNBAsrA4HpYPkJZh.4w6bQtgeJ9HiJDbFkVCdiTDEATePxa9XQ2nNShbpMvk4@4yY1ZRhCFxcbzRqDDGHRRhUZmpvUcUWUoKwGugh3GgTj";

Deno.test("an address printed by the official client parses and prints back identically", () => {
  const r = Recipient.parse(OFFICIAL);
  assertEquals(r.toString(), OFFICIAL);
  assertEquals(toBase58(r.gateway), "4yY1ZRhCFxcbzRqDDGHRRhUZmpvUcUWUoKwGugh3GgTj");
  assertEquals(Recipient.fromBytes(r.toBytes()).toString(), OFFICIAL);
});

Deno.test("the byte form is identity then encryption key then gateway, 96 bytes", () => {
  const r = new Recipient(identity, encryptionKey, gateway);
  const bytes = r.toBytes();
  assertEquals(bytes.length, 96);
  assertEquals(bytes.subarray(0, 32), identity);
  assertEquals(bytes.subarray(32, 64), encryptionKey);
  assertEquals(bytes.subarray(64), gateway);
  assertEquals(r.sphinxDestination(), identity);
  assert(Recipient.fromBytes(bytes).equals(r));
});

Deno.test("the text form is bs58 identity dot bs58 key at bs58 gateway", () => {
  const r = new Recipient(identity, encryptionKey, gateway);
  assertEquals(
    r.toString(),
    `${toBase58(identity)}.${toBase58(encryptionKey)}@${toBase58(gateway)}`,
  );
  assert(Recipient.parse(r.toString()).equals(r));
});

Deno.test("the address copies its inputs so later mutation does not change it", () => {
  const id = identity.slice();
  const r = new Recipient(id, encryptionKey, gateway);
  id[0] ^= 1;
  assertEquals(r.identity, identity);
});

Deno.test("any 32 bytes are accepted as the x25519 encryption key, as in Nym", () => {
  const r = new Recipient(identity, new Uint8Array(32), gateway);
  assertEquals(r.encryptionKey, new Uint8Array(32));
});

Deno.test("parse rejects text without exactly one at sign and one dot", () => {
  const id = toBase58(identity), key = toBase58(encryptionKey), gw = toBase58(gateway);
  for (
    const text of [
      `${id}.${key}`,
      `${id}.${key}@${gw}@${gw}`,
      `${id}${key}@${gw}`,
      `${id}.${key}.${key}@${gw}`,
      "",
    ]
  ) {
    const error = assertThrows(() => Recipient.parse(text), AddressError);
    assertEquals(error.kind, "format", text);
  }
});

Deno.test("parse rejects bad base58 with an encoding error naming the part", () => {
  const id = toBase58(identity), key = toBase58(encryptionKey), gw = toBase58(gateway);
  const cases: [string, string][] = [
    [`0${id.slice(1)}.${key}@${gw}`, "identity"],
    [`${id}.O${key.slice(1)}@${gw}`, "encryptionKey"],
    [`${id}.${key}@l${gw.slice(1)}`, "gateway"],
    [`${id}.${key}@${gw}.x`, "gateway"],
  ];
  for (const [text, part] of cases) {
    const error = assertThrows(() => Recipient.parse(text), AddressError);
    assertEquals([error.kind, error.part], ["encoding", part], text);
  }
});

Deno.test("parse rejects keys of the wrong length", () => {
  const short = toBase58(identity.subarray(0, 31));
  const long = toBase58(new Uint8Array([...encryptionKey, 1]));
  const gw = toBase58(gateway);
  let error = assertThrows(
    () => Recipient.parse(`${short}.${toBase58(encryptionKey)}@${gw}`),
    AddressError,
  );
  assertEquals([error.kind, error.part], ["length", "identity"]);
  error = assertThrows(() => Recipient.parse(`${toBase58(identity)}.${long}@${gw}`), AddressError);
  assertEquals([error.kind, error.part], ["length", "encryptionKey"]);
  error = assertThrows(
    () => Recipient.parse(`${toBase58(identity)}.${toBase58(encryptionKey)}@`),
    AddressError,
  );
  assertEquals([error.kind, error.part], ["length", "gateway"]);
});

Deno.test("identity and gateway must be valid ed25519 points", () => {
  let error = assertThrows(() => new Recipient(notAPoint, encryptionKey, gateway), AddressError);
  assertEquals([error.kind, error.part], ["point", "identity"]);
  error = assertThrows(() => new Recipient(identity, encryptionKey, notAPoint), AddressError);
  assertEquals([error.kind, error.part], ["point", "gateway"]);
  const bytes = new Recipient(identity, encryptionKey, gateway).toBytes();
  bytes.set(notAPoint, 64);
  error = assertThrows(() => Recipient.fromBytes(bytes), AddressError);
  assertEquals(error.part, "gateway");
  const text = `${toBase58(notAPoint)}.${toBase58(encryptionKey)}@${toBase58(gateway)}`;
  assertEquals(assertThrows(() => Recipient.parse(text), AddressError).kind, "point");
});

Deno.test("fromBytes rejects anything but 96 bytes", () => {
  for (const n of [0, 95, 97]) {
    const error = assertThrows(() => Recipient.fromBytes(new Uint8Array(n)), AddressError);
    assertEquals(error.kind, "length");
  }
});

Deno.test("a sender tag is 16 bytes shown in base58", () => {
  const zero = new AnonymousSenderTag(new Uint8Array(16));
  assertEquals(zero.toString(), "1".repeat(16));
  const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 13);
  const tag = new AnonymousSenderTag(bytes);
  assertEquals(tag.toString(), toBase58(bytes));
  assert(AnonymousSenderTag.parse(tag.toString()).equals(tag));
  assert(!AnonymousSenderTag.parse(tag.toString()).equals(zero));
  const random = AnonymousSenderTag.random((n) => new Uint8Array(n).fill(0xab));
  assertEquals(random.bytes, new Uint8Array(16).fill(0xab));
});

Deno.test("malformed sender tags are rejected with typed errors", () => {
  assertEquals(
    assertThrows(() => AnonymousSenderTag.parse(toBase58(new Uint8Array(15).fill(1))), AddressError)
      .kind,
    "length",
  );
  assertEquals(
    assertThrows(() => AnonymousSenderTag.parse(toBase58(new Uint8Array(17).fill(1))), AddressError)
      .kind,
    "length",
  );
  assertEquals(assertThrows(() => AnonymousSenderTag.parse("I0Ol"), AddressError).kind, "encoding");
  assertEquals(
    assertThrows(() => new AnonymousSenderTag(new Uint8Array(3)), AddressError).part,
    "senderTag",
  );
});
