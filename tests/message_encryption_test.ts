import { assert, assertEquals, assertNotEquals, assertThrows } from "./_assert.ts";
import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import { fromHex } from "../internal/bytes.ts";
import {
  coverContent,
  coverPayload,
  decryptAck,
  decryptReceived,
  decryptRegular,
  decryptReply,
  encryptAck,
  encryptForRecipient,
  encryptReply,
  fragmentId,
  isCover,
  loopCoverMarker,
  MessageError,
  packetKey,
  replyKeyDigest,
  type ReplyKeyStore,
} from "../message/mod.ts";
import { PACKET_SIZES } from "../sphinx/mod.ts";

const c = defaultCrypto();
const EMPTY = new Uint8Array(0);
const IV0 = new Uint8Array(16);
const recipientSecret = new Uint8Array(32).fill(0x42);
const recipientPublic = c.x25519PublicKey(recipientSecret);
const ephemeralSecret = new Uint8Array(32).fill(0x17);

/** A reply-key store over a Map, keyed by hex digest; counts lookups. */
function store(keys: Uint8Array[]): ReplyKeyStore & { lookups: Uint8Array[] } {
  const map = new Map(keys.map((k) => [replyKeyDigest(k).join(), k]));
  const lookups: Uint8Array[] = [];
  return {
    lookups,
    take(digest) {
      lookups.push(digest);
      const key = map.get(digest.join());
      map.delete(digest.join());
      return key;
    },
  };
}

Deno.test("the packet key is HKDF-BLAKE3 of the X25519 secret with no salt or info", () => {
  const expected = c.hkdfBlake3(c.x25519(ephemeralSecret, recipientPublic), EMPTY, EMPTY, 16);
  assertEquals(packetKey(ephemeralSecret, recipientPublic), expected);
  assertEquals(packetKey(recipientSecret, c.x25519PublicKey(ephemeralSecret)), expected);
  assertEquals(packetKey(ephemeralSecret, recipientPublic, { crypto: nobleCrypto }), expected);
});

Deno.test("regular encryption is ephemeral key then AES-128-CTR64 under a zero IV", () => {
  const plaintext = Uint8Array.from({ length: 1611 }, (_, i) => i % 251);
  const sealed = encryptForRecipient(plaintext, recipientPublic, {
    random: () => ephemeralSecret.slice(),
  });
  const key = c.hkdfBlake3(c.x25519(ephemeralSecret, recipientPublic), EMPTY, EMPTY, 16);
  assertEquals(sealed.length, 32 + 1611);
  assertEquals(sealed.subarray(0, 32), c.x25519PublicKey(ephemeralSecret));
  assertEquals(sealed.subarray(32), c.aes128Ctr(key, IV0, plaintext, 64));
  assertEquals(decryptRegular(sealed, recipientSecret), plaintext);
  assertEquals(decryptRegular(sealed, recipientSecret, { crypto: nobleCrypto }), plaintext);
});

Deno.test("every packet gets a fresh ephemeral key by default", () => {
  const a = encryptForRecipient(new Uint8Array(8), recipientPublic);
  const b = encryptForRecipient(new Uint8Array(8), recipientPublic);
  assertNotEquals(a.subarray(0, 32), b.subarray(0, 32));
});

Deno.test("reply encryption is BLAKE3 of the key then AES-128-CTR64 under the key", () => {
  const replyKey = fromHex("000102030405060708090a0b0c0d0e0f");
  const plaintext = new TextEncoder().encode("a reply fragment");
  const sealed = encryptReply(plaintext, replyKey);
  assertEquals(sealed.subarray(0, 32), c.blake3(replyKey));
  assertEquals(replyKeyDigest(replyKey), c.blake3(replyKey));
  assertEquals(sealed.subarray(32), c.aes128Ctr(replyKey, IV0, plaintext, 64));
  assertEquals(decryptReply(sealed, replyKey), plaintext);
});

Deno.test("the receiver takes the reply path when the prefix is a known key digest", () => {
  const replyKey = new Uint8Array(16).fill(9);
  const keys = store([replyKey]);
  const sealed = encryptReply(Uint8Array.of(1, 2, 3), replyKey);
  const opened = decryptReceived(sealed, recipientSecret, keys);
  assertEquals(opened, { kind: "reply", plaintext: Uint8Array.of(1, 2, 3), replyKey });
  assertEquals(keys.lookups, [c.blake3(replyKey)]);
  // Single use: the same digest now falls through to the ephemeral-key path.
  assertEquals(decryptReceived(sealed, recipientSecret, keys).kind, "regular");
});

Deno.test("the receiver takes the ephemeral path when no reply key matches", () => {
  const keys = store([new Uint8Array(16).fill(1)]);
  const sealed = encryptForRecipient(Uint8Array.of(4, 5), recipientPublic);
  assertEquals(decryptReceived(sealed, recipientSecret, keys), {
    kind: "regular",
    plaintext: Uint8Array.of(4, 5),
  });
  assertEquals(keys.lookups.length, 1);
});

Deno.test("short or unusable inputs throw typed errors", () => {
  const keys = store([]);
  for (const n of [0, 1, 31]) {
    assertEquals(
      assertThrows(() => decryptReceived(new Uint8Array(n), recipientSecret, keys), MessageError)
        .kind,
      "truncated",
    );
    assertEquals(
      assertThrows(() => decryptRegular(new Uint8Array(n), recipientSecret), MessageError).kind,
      "truncated",
    );
    assertEquals(
      assertThrows(() => decryptReply(new Uint8Array(n), new Uint8Array(16)), MessageError).kind,
      "truncated",
    );
  }
  // An all-zero (low-order) ephemeral key gives an all-zero shared secret, which is refused.
  assertEquals(
    assertThrows(() => decryptRegular(new Uint8Array(64), recipientSecret), MessageError).kind,
    "key",
  );
  assertEquals(
    assertThrows(() => encryptReply(EMPTY, new Uint8Array(15)), MessageError).kind,
    "key",
  );
  assertEquals(
    assertThrows(() => encryptForRecipient(EMPTY, new Uint8Array(31)), MessageError).kind,
    "key",
  );
  assertEquals(
    assertThrows(() => packetKey(new Uint8Array(32), new Uint8Array(33)), MessageError).kind,
    "key",
  );
});

Deno.test("an ack payload is a random IV then the fragment id under AES-128-CTR64", () => {
  const ackKey = fromHex("52f35a4c246e657852e19aea92494e87");
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
  const id = fragmentId(0x12345678, 3);
  const payload = encryptAck(ackKey, id, { random: () => iv.slice() });
  assertEquals(payload.length, 21);
  assertEquals(payload.subarray(0, 16), iv);
  assertEquals(payload.subarray(16), c.aes128Ctr(ackKey, iv, id, 64));
  assertEquals(decryptAck(ackKey, payload), id);
  assertEquals(decryptAck(ackKey, payload, { crypto: nobleCrypto }), id);
  const other = encryptAck(ackKey, id);
  assertNotEquals(other.subarray(0, 16), iv);
  assertEquals(decryptAck(ackKey, other), id);
});

Deno.test("ack decryption accepts exactly 21 bytes and a 16-byte key", () => {
  const key = new Uint8Array(16);
  for (const n of [0, 5, 20, 22, 48]) {
    assertEquals(
      assertThrows(() => decryptAck(key, new Uint8Array(n)), MessageError).kind,
      "length",
    );
  }
  assertEquals(
    assertThrows(() => decryptAck(new Uint8Array(32), new Uint8Array(21)), MessageError).kind,
    "key",
  );
  assertEquals(assertThrows(() => encryptAck(key, new Uint8Array(4)), MessageError).kind, "length");
});

Deno.test("cover content is the cake marker, 0x01, then zeros", () => {
  const marker = new TextEncoder().encode("The cake is a lie!");
  assertEquals(loopCoverMarker(), marker);
  const content = coverContent(1611);
  assertEquals(content.subarray(0, 18), marker);
  assertEquals(content[18], 1);
  assert(content.subarray(19).every((b) => b === 0));
  assertEquals(coverContent(10), marker.subarray(0, 10));
  assert(isCover(content));
  assert(!isCover(content.subarray(0, 17)));
  assert(!isCover(Uint8Array.from([...marker.subarray(0, 17), 0x20])));
  assertEquals(assertThrows(() => coverContent(-1), MessageError).kind, "length");
});

Deno.test("a cover payload fills the packet and is recognised after decryption", () => {
  const payload = coverPayload(recipientPublic, PACKET_SIZES.regular, {
    random: () => ephemeralSecret.slice(),
  });
  assertEquals(payload.length, 2048 - 405);
  assertEquals(
    payload,
    encryptForRecipient(coverContent(1611), recipientPublic, {
      random: () => ephemeralSecret.slice(),
    }),
  );
  assert(isCover(decryptRegular(payload, recipientSecret)));
  assert(!isCover(payload.subarray(32)));
  assertEquals(coverPayload(recipientPublic, PACKET_SIZES.extended8).length, 8192 - 405);
});
