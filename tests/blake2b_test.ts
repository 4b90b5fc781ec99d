import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import { blake2b } from "../crypto/_blake2b.ts";
import { CryptoError } from "../crypto/crypto_provider.ts";
import { fromHex, toHex } from "../internal/bytes.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";

/** `@noble/hashes` takes an absent key (not an empty one) for unkeyed hashing. */
function reference(message: Uint8Array, key: Uint8Array, outputLength: number): Uint8Array {
  return key.length === 0
    ? nobleBlake2b(message, { dkLen: outputLength })
    : nobleBlake2b(message, { key, dkLen: outputLength });
}

const counting = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);

Deno.test("BLAKE2b-512 of 'abc' matches RFC 7693 Appendix A", () => {
  const digest = blake2b(new TextEncoder().encode("abc"), new Uint8Array(0), 64);
  assertEquals(
    toHex(digest),
    "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
      "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
  );
});

// BLAKE2 reference test vectors (BLAKE2/BLAKE2 testvectors/blake2b-kat.txt, also published as
// blake2b-test.txt): key 00..3f, input 00 01 .. (n-1), 64-byte output.
const KEYED_KAT: [number, string][] = [
  [
    0,
    "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786" +
    "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568",
  ],
  [
    1,
    "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4" +
    "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd",
  ],
  [
    2,
    "da2cfbe2d8409a0f38026113884f84b50156371ae304c4430173d08a99d9fb1b" +
    "983164a3770706d537f49e0c916d9f32b95cc37a95b99d857436f0232c88a965",
  ],
  [
    255,
    "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e9248" +
    "4be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461",
  ],
];

for (const [length, expected] of KEYED_KAT) {
  Deno.test(`keyed BLAKE2b of a ${length}-byte input matches the reference KAT`, () => {
    assertEquals(toHex(blake2b(counting(length), counting(64), 64)), expected);
  });
}

Deno.test("boundary lengths around the block size agree with noble for every key and output class", () => {
  const rng = seededRandom(0x5eed_0001);
  const lengths = [0, 1, 2, 63, 64, 111, 112, 127, 128, 129, 255, 256, 257, 383, 384, 385, 2033];
  for (const n of lengths) {
    const message = rng(n);
    for (const keyLength of [0, 1, 32, 63, 64]) {
      const key = rng(keyLength);
      for (const outputLength of [1, 16, 20, 32, 33, 48, 63, 64]) {
        assertEquals(
          blake2b(message, key, outputLength),
          reference(message, key, outputLength),
          `length ${n}, key ${keyLength}, output ${outputLength}`,
        );
      }
    }
  }
});

Deno.test("3000 seeded random cases agree with noble byte for byte", () => {
  const rng = seededRandom(0x5eed_0002);
  for (let i = 0; i < 3000; i++) {
    // Lengths are skewed towards small ones and block multiples, where padding bugs hide.
    const pick = rng.below(4);
    const n = pick === 0
      ? rng.below(5001)
      : pick === 1
      ? rng.below(301)
      : 128 * rng.below(40) + rng.below(3);
    const message = rng(Math.min(n, 5000));
    const key = rng(rng.below(65));
    const outputLength = 1 + rng.below(64);
    assertEquals(
      blake2b(message, key, outputLength),
      reference(message, key, outputLength),
      `case ${i}: length ${message.length}, key ${key.length}, output ${outputLength}`,
    );
  }
});

Deno.test("views at odd offsets hash only their own bytes", () => {
  const rng = seededRandom(0x5eed_0003);
  const backing = rng(6000);
  for (const [start, n] of [[1, 0], [3, 127], [5, 128], [7, 129], [2, 2033], [11, 4096]]) {
    const view = backing.subarray(start, start + n);
    const keyView = backing.subarray(start + 1, start + 65);
    assertEquals(blake2b(view, keyView, 32), reference(view.slice(), keyView.slice(), 32));
  }
});

Deno.test("the inputs are left untouched and repeated calls give the same digest", () => {
  const rng = seededRandom(0x5eed_0004);
  const message = rng(300);
  const key = rng(64);
  const messageCopy = message.slice();
  const keyCopy = key.slice();
  const first = blake2b(message, key, 32);
  blake2b(rng(1000), rng(17), 64); // a different call in between
  assertEquals(blake2b(message, key, 32), first);
  assertEquals(message, messageCopy);
  assertEquals(key, keyCopy);
});

Deno.test("an empty key is the unkeyed hash and differs from a key of one zero byte", () => {
  const message = fromHex("616263");
  assertEquals(blake2b(message, new Uint8Array(0), 32), nobleBlake2b(message, { dkLen: 32 }));
  const zeroKey = blake2b(message, new Uint8Array(1), 32);
  assertEquals(zeroKey, nobleBlake2b(message, { key: new Uint8Array(1), dkLen: 32 }));
  assertEquals(toHex(zeroKey) === toHex(blake2b(message, new Uint8Array(0), 32)), false);
});

Deno.test("a key longer than 64 bytes is refused with a CryptoError", () => {
  for (const keyLength of [65, 128]) {
    assertThrows(
      () => blake2b(new Uint8Array(10), new Uint8Array(keyLength), 32),
      CryptoError,
      (e) => e.message.includes(`${keyLength}`),
    );
  }
});

Deno.test("an output length outside 1 to 64 or not an integer is refused with a CryptoError", () => {
  for (const outputLength of [0, -1, 65, 1.5, NaN, Infinity]) {
    assertThrows(() => blake2b(new Uint8Array(10), new Uint8Array(64), outputLength), CryptoError);
  }
});
