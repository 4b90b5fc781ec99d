// Vectors from the Rust sources named in the Sphinx spec (§7).
import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";
import { lionessDecrypt, lionessEncrypt } from "../sphinx/mod.ts";
import { expandSharedSecret, payloadKeyFromSeed } from "../sphinx/_keys.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("the shared-secret expansion reproduces sphinx's seed-[1;32] vector", () => {
  for (const c of [defaultCrypto(), nobleCrypto]) {
    // rand_chacha's ChaCha20Rng::from_seed([1; 32]) is the ChaCha20 keystream under that key.
    const stream = c.chacha20(new Uint8Array(32).fill(1), new Uint8Array(64));
    const sk1 = stream.subarray(0, 32), sk2 = stream.subarray(32, 64);
    const shared = c.x25519(sk2, c.x25519PublicKey(sk1));
    assertEquals(toHex(shared), "499a6ab6e6c50f92a5f15d4a93bf90c0b7d8b0e9577f31907c8e01152b752747");
    const e = expandSharedSecret(c, shared);
    assertEquals(toHex(e.streamCipherKey), "baea9871ca7cbfe4ad595b087ffbd6c8");
    assertEquals(toHex(e.macKey), "1cde11e32eb4aa072234b18e96898ede");
    assertEquals(
      toHex(e.blindingFactor),
      "e340b8eb8c3ee8aceb2a3aa9f1fdf50288954a3006a59185be69dedaf8ac31bc",
    );
    assertEquals(toHex(e.legacyPayloadKey.subarray(0, 8)), "d2d151f1fe7b2451");
    assertEquals(toHex(e.legacyPayloadKey.subarray(184)), "d68b2046421e3f66");
    assertEquals(e.legacyPayloadKey.length, 192);
    assertEquals(
      toHex(e.replayTag),
      "10e008d2c39ea43ac2a4837ec49a2a0151825117c62f8fc51b31abd37202ade5",
    );
    assertEquals(
      toHex(payloadKeyFromSeed(c, e.payloadKeySeed).subarray(0, 16)),
      "5e3ec0826fabe7ad928194bd4b2b5877",
    );
  }
});

Deno.test("the fixed X25519 key pairs of sphinx's legacy header test match", () => {
  const pairs = [
    [
      [
        202,
        37,
        190,
        57,
        90,
        36,
        148,
        40,
        37,
        203,
        207,
        229,
        5,
        80,
        8,
        77,
        227,
        95,
        67,
        20,
        47,
        83,
        220,
        34,
        164,
        207,
        5,
        212,
        97,
        151,
        142,
        168,
      ],
      [
        105,
        91,
        210,
        146,
        245,
        155,
        27,
        169,
        192,
        123,
        75,
        121,
        19,
        204,
        59,
        187,
        190,
        150,
        131,
        118,
        151,
        77,
        180,
        144,
        253,
        88,
        6,
        212,
        63,
        5,
        51,
        7,
      ],
    ],
    [
      [
        130,
        31,
        0,
        83,
        139,
        16,
        225,
        239,
        132,
        130,
        122,
        18,
        217,
        187,
        91,
        87,
        250,
        137,
        152,
        220,
        254,
        153,
        246,
        249,
        252,
        43,
        153,
        191,
        152,
        48,
        154,
        170,
      ],
      [
        178,
        47,
        98,
        179,
        103,
        199,
        16,
        245,
        35,
        85,
        9,
        63,
        138,
        212,
        83,
        233,
        169,
        31,
        205,
        20,
        73,
        238,
        141,
        204,
        19,
        35,
        226,
        138,
        44,
        67,
        225,
        46,
      ],
    ],
    [
      [
        116,
        204,
        108,
        186,
        75,
        233,
        232,
        22,
        79,
        66,
        65,
        176,
        196,
        246,
        253,
        30,
        133,
        153,
        109,
        229,
        133,
        177,
        40,
        42,
        175,
        72,
        80,
        70,
        161,
        7,
        187,
        155,
      ],
      [
        21,
        93,
        4,
        80,
        178,
        177,
        7,
        218,
        192,
        213,
        58,
        157,
        239,
        242,
        139,
        45,
        75,
        26,
        225,
        54,
        174,
        21,
        159,
        25,
        62,
        87,
        187,
        46,
        92,
        246,
        136,
        81,
      ],
    ],
  ];
  for (const c of [defaultCrypto(), nobleCrypto]) {
    for (const [sk, pk] of pairs) {
      assertEquals(c.x25519PublicKey(Uint8Array.from(sk)), Uint8Array.from(pk));
    }
  }
});

Deno.test("Lioness reproduces the lioness 0.1.2 ChaCha20/BLAKE2b vector both ways", () => {
  const key = fromHex(
    "0f2c69732932c99e56fa50fbb2763ad77ee221fc5d9e6c08f89fc577a7467f1ee34003440ee2bfbf" +
      "aac60912b0e547fbe9a6a9292db70bc718c6f2773ab198ac8f255378f7ea799e1d4b8596079173b6" +
      "e443c416f13195f1976acc03d53a4b8581b609df3b7029d5b487051d5ae4189129c045edc8822e1f" +
      "52e30251e4b322b3f6d6e8bb0ddb0578dcba41603abf5e51848c84d2082d293f30a645faf4df028e" +
      "e2c40853ea33e40b55fca902371dc00dc1e0e77161bd097a59e8368bf99174d9",
  );
  const input = fromHex(
    "5ac4cb9674a8908915a2b1aaf2043271612531911a26186bd5c811951330753a0e3259f3fcf52f" +
      "b86e666ab4d96243e57d73b976611f928d44ad137799016861576ca0a6b8a8a9e2ea02db71e71c" +
      "9654e476ca845c44456eba62f11f004b222756e485185c446c30b7a05cf9acd53b3131227b428d" +
      "a5c9601664d45ae5c2387956307961a0680894844190605dce0c86e597105884e151eb8a005eda" +
      "08ff5891a6b40bae299cddad979063a9a356f3477feabb9cc7bd80a1e2d6a419fcd8af9e98f7b1" +
      "93c71bd6056d7634b8c2b8f85920f314554104659e52d9266ddbc2ac40c1b875f6b00225f832cf" +
      "310e139ad8cc2568608f0323534fa15a84280e776e7e1167a001f6e18c49f3cd02c19837da47ac" +
      "091219ee2fdb4458836db20cbd362bb65add9b40f2817f666caf19787abc2013737eea8c7552d7" +
      "55a29beba5da31956f75fe7628221fe8d0a75da5bee39af956a2246c5a339560dcf029eb76d191" +
      "963354b70142df29ec69930977ce2f0e491513664ce83a8fa75f3e698530cf9dafbdb90b19745e" +
      "9257d03d7320c6d306f529eda242cb3f6f452a943f6e1c04eb02cbb0368d79e49a2b42ac3ff7cd" +
      "9a5686bfdb90a29322016bbcef5c733f451a9f4ea7c534116158eb611796d47b83ffe7cd6e6c11" +
      "d56e2d26c7a386853212a2f92efeabc74e8fe69e3d374d7b033d0ec9862221435b14ad534217ad" +
      "7da50bc236",
  );
  const output = fromHex(
    "9eb45ca2ca4d0b6ff05a749511aad1357aa64caf9ce547c7388fe24fd1300fe856bb5c396869a" +
      "cd21c45805e6a7c8a1b7f71cc5f0ea9dd0c4ecd4bba9a7a4853bc352bc9f6562e9907973f91fb" +
      "cf7c710f5a89abc8eb4489b90e8111cbf85ffd595d603268ddceb40e39e747a4e7bd5c965585b" +
      "6964e180bd6ccb9d0fad210c7f7dd6f90cf6db9bda70d41d3922cedec5ea147ef318de5f34e6f" +
      "e5bd646859a9d4171b973b6b58c8d7f94bc9eb293c197f3408a51e3626196e3f6bca625cef90f" +
      "a7a3e3713bdaebdda82f48db1a97c9ed5c48bc419dbc3d1f9ef43d1b17dd83c966bde9d9360b7" +
      "cdac0871844c27921dcf3bb7edce9fb24661a41a8f92c8502925f062e9cd2f77c561e5825eae2" +
      "11657652330bc64cd63b18d1014975f167f8b68d6e702dd3d3547971662238216cc5b07517cc9" +
      "0aaa49a61ee423861cdc49c0e1f64e086007095a00f8adb0314fd85c88158001202edf2ed43c2" +
      "01176d6141e469dd89430352a927ee22a41c62c8cfdfd5d592e76793e58a9c63b7fe6dad335d7" +
      "acec90727675854d7708358115794e013bb4fdb504c44e21ce500f764fac211e8de20b81ca55f" +
      "c778ace024d2a40045241e71b023ceb519c8c28285c333b9f90f5e2cde21ca6744e43f89d0054" +
      "5dd34df072c7214f6cbd2123c4b0613614609961dd855d6d611c3018e4df3550b4e93f33f7c3e" +
      "8b2c890ca0405c957aa277d",
  );
  for (const c of [defaultCrypto(), nobleCrypto]) {
    assertEquals(toHex(lionessEncrypt(key, input, c)), toHex(output));
    assertEquals(toHex(lionessDecrypt(key, output, c)), toHex(input));
  }
});
