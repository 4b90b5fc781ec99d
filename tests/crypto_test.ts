import { type CryptoProvider, defaultCrypto, nativeCrypto, nobleCrypto } from "../crypto/mod.ts";
import { CryptoError } from "../crypto/mod.ts";
import { buildNative, type NodeCrypto } from "../crypto/native.ts";
import { fromHex, toHex } from "../internal/bytes.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const native = nativeCrypto();
const providers: CryptoProvider[] = native ? [nobleCrypto, native] : [nobleCrypto];
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
  .process?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
const inDeno = globalThis.navigator?.userAgent?.startsWith("Deno/") ?? false;

/** Why the native provider's own tests cannot run here (undefined where they can). */
const noNative = native
  ? undefined
  : 'this runtime has no process.getBuiltinModule("node:crypto") (Node < 20.16), so the native provider is absent';
if (noNative) console.log(`crypto_test: the native-provider tests are ignored: ${noNative}`);

Deno.test("the default provider is native where node:crypto is built in, and noble elsewhere", () => {
  // Deno always has it; Node 20.16+ and Bun too. Node 20 before 20.16 lacks getBuiltinModule.
  if (inDeno) assert(nodeCrypto !== undefined, "Deno provides process.getBuiltinModule");
  assertEquals(defaultCrypto().name, nodeCrypto ? "native" : "noble");
  assertEquals(native !== undefined, nodeCrypto !== undefined);
});

for (const c of providers) {
  Deno.test(`${c.name}: HKDF-SHA256 matches RFC 5869 test case 1`, () => {
    const okm = c.hkdfSha256(
      fromHex("0b".repeat(22)),
      fromHex("000102030405060708090a0b0c"),
      fromHex("f0f1f2f3f4f5f6f7f8f9"),
      42,
    );
    assertEquals(
      toHex(okm),
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });

  Deno.test(`${c.name}: AES-128-CTR matches NIST SP 800-38A F.5.1`, () => {
    const out = c.aes128Ctr(
      fromHex("2b7e151628aed2a6abf7158809cf4f3c"),
      fromHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
      fromHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"),
      128,
    );
    assertEquals(toHex(out), "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff");
  });

  Deno.test(`${c.name}: a 64-bit AES-CTR counter wraps without carrying into the high half`, () => {
    const key = fromHex("000102030405060708090a0b0c0d0e0f");
    const iv = fromHex("0102030405060708ffffffffffffffff");
    const data = new Uint8Array(48);
    const wrapped = c.aes128Ctr(key, iv, data, 64);
    const carried = c.aes128Ctr(key, iv, data, 128);
    assertEquals(toHex(wrapped.subarray(0, 16)), toHex(carried.subarray(0, 16)));
    const expectedSecond = c.aes128Ctr(key, fromHex("01020304050607080000000000000000"), data, 128);
    assertEquals(toHex(wrapped.subarray(16)), toHex(expectedSecond.subarray(0, 32)));
    assert(toHex(wrapped.subarray(16)) !== toHex(carried.subarray(16)));
  });

  Deno.test(`${c.name}: original ChaCha20 with a zero key gives the known keystream`, () => {
    assertEquals(
      toHex(c.chacha20(new Uint8Array(32), new Uint8Array(64))),
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7" +
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
    );
  });

  Deno.test(`${c.name}: AES-256-GCM-SIV matches RFC 8452 and rejects a bad tag`, () => {
    const key = fromHex("01" + "00".repeat(31));
    const nonce = fromHex("030000000000000000000000");
    const sealed = c.aes256GcmSivEncrypt(key, nonce, new Uint8Array(0));
    assertEquals(toHex(sealed), "07f5f4169bbf55a8400cd47ea6fd400f");
    const message = new TextEncoder().encode("gateway frame");
    const ct = c.aes256GcmSivEncrypt(key, nonce, message);
    assertEquals(c.aes256GcmSivDecrypt(key, nonce, ct), message);
    ct[3] ^= 1;
    assertThrows(() => c.aes256GcmSivDecrypt(key, nonce, ct), CryptoError);
    assertThrows(() => c.aes256GcmSivDecrypt(key, nonce, new Uint8Array(5)), CryptoError);
  });

  Deno.test(`${c.name}: BLAKE3 of the empty input is the published digest`, () => {
    assertEquals(
      toHex(c.blake3(new Uint8Array(0))),
      "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
    );
  });

  Deno.test(`${c.name}: X25519 matches RFC 7748 section 6.1 and refuses low-order points`, () => {
    const alice = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bob = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    assertEquals(
      toHex(c.x25519PublicKey(alice)),
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    assertEquals(
      toHex(c.x25519(alice, c.x25519PublicKey(bob))),
      "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    );
    assertThrows(() => c.x25519(alice, new Uint8Array(32)), CryptoError);
    assertThrows(() => c.x25519(alice, new Uint8Array(31)), CryptoError);
  });

  Deno.test(`${c.name}: Ed25519 signs as RFC 8032 test 1 and verify never throws`, () => {
    const sk = fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const pk = c.ed25519PublicKey(sk);
    assertEquals(toHex(pk), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const sig = c.ed25519Sign(sk, new Uint8Array(0));
    assertEquals(
      toHex(sig),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    assert(c.ed25519Verify(sig, new Uint8Array(0), pk));
    assert(!c.ed25519Verify(sig, new Uint8Array(1), pk));
    assert(!c.ed25519Verify(sig.subarray(1), new Uint8Array(0), pk));
    assert(!c.ed25519Verify(sig, new Uint8Array(0), new Uint8Array(32).fill(0xff)));
  });
}

Deno.test({
  name: "native AES-256-GCM-SIV equals noble's at every block boundary and rejects a flipped bit",
  ignore: native === undefined,
}, () => {
  const native = nativeCrypto()!;
  const random = seededRandom(8);
  const key = random(32), nonce = random(12);
  for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 100, 1024, 2422, 2423]) {
    const message = random(length);
    const sealed = native.aes256GcmSivEncrypt(key, nonce, message);
    assertEquals(toHex(sealed), toHex(nobleCrypto.aes256GcmSivEncrypt(key, nonce, message)));
    assertEquals(native.aes256GcmSivDecrypt(key, nonce, sealed), message);
    for (const at of [0, sealed.length - 1]) {
      const flipped = sealed.slice();
      flipped[at] ^= 1;
      assertThrows(() => native.aes256GcmSivDecrypt(key, nonce, flipped), CryptoError);
    }
  }
  assertThrows(() => native.aes256GcmSivDecrypt(key, nonce, new Uint8Array(15)), CryptoError);
});

Deno.test({
  name: "native and noble providers agree byte for byte on random inputs",
  ignore: native === undefined,
}, () => {
  const native = nativeCrypto()!;
  const random = seededRandom(7);
  for (let round = 0; round < 50; round++) {
    const a = random(32), b = random(32), key64 = random(64);
    const data = random(1 + (round * 37) % 3000);
    const pairs: [string, (p: CryptoProvider) => Uint8Array][] = [
      ["x25519", (p) => p.x25519(a, p.x25519PublicKey(b))],
      ["x25519PublicKey", (p) => p.x25519PublicKey(a)],
      ["hkdfSha256", (p) => p.hkdfSha256(a, b.subarray(0, round % 20), data.subarray(0, 50), 288)],
      ["hkdfBlake3", (p) => p.hkdfBlake3(a, b.subarray(0, 16), data.subarray(0, 10), 32)],
      ["hmacSha256", (p) => p.hmacSha256(a.subarray(0, 16), data)],
      ["aes128Ctr/128", (p) => p.aes128Ctr(a.subarray(0, 16), b.subarray(0, 16), data, 128)],
      ["aes128Ctr/64", (p) => p.aes128Ctr(a.subarray(0, 16), b.subarray(0, 16), data, 64)],
      ["chacha20", (p) => p.chacha20(a, data)],
      ["blake2bMac", (p) => p.blake2bMac(key64, data, 32)],
      ["aes256GcmSiv", (p) => p.aes256GcmSivEncrypt(a, b.subarray(0, 12), data)],
      ["ed25519Sign", (p) => p.ed25519Sign(a, data)],
    ];
    for (const [name, f] of pairs) {
      assertEquals(toHex(f(native)), toHex(f(nobleCrypto)), `${name} differs in round ${round}`);
    }
  }
});

Deno.test({
  name: "the native provider finalises every cipher it creates (an unfinalised one leaks)",
  ignore: nodeCrypto === undefined,
}, () => {
  const nc = nodeCrypto!;
  let created = 0, finalised = 0;
  const spy: NodeCrypto = {
    ...nc,
    createPrivateKey: (o) => nc.createPrivateKey(o),
    createPublicKey: (o) => nc.createPublicKey(o),
    diffieHellman: (o) => nc.diffieHellman(o),
    createHmac: (a, k) => nc.createHmac(a, k),
    hkdfSync: (...args) => nc.hkdfSync(...args),
    createCipheriv(algorithm, key, iv) {
      // Counted once created: Bun's node:crypto has no chacha20 and throws here (the provider
      // then falls back to noble for it), which leaves nothing to finalise.
      const cipher = nc.createCipheriv(algorithm, key, iv);
      created++;
      const final = cipher.final.bind(cipher);
      cipher.final = () => {
        finalised++;
        return final();
      };
      return cipher;
    },
  };
  const p = buildNative(spy);
  const key = new Uint8Array(32).fill(7), nonce = new Uint8Array(12).fill(1);
  const data = new Uint8Array(2422).fill(3);
  p.aes128Ctr(key.subarray(0, 16), key.subarray(0, 16), data, 128);
  p.aes128Ctr(key.subarray(0, 16), key.subarray(0, 16), data, 64);
  p.chacha20(key, data);
  p.aes256GcmSivDecrypt(key, nonce, p.aes256GcmSivEncrypt(key, nonce, data));
  assert(created > 0, "the spy saw the ciphers");
  assertEquals(finalised, created);
});

Deno.test({
  name:
    "the native provider imports a repeated X25519 secret once, never serves a stale key, and keeps only recent ones",
  ignore: nodeCrypto === undefined,
}, () => {
  const nc = nodeCrypto!;
  let imported = 0;
  const p = buildNative({
    ...nc,
    createPrivateKey(o) {
      imported++;
      return nc.createPrivateKey(o);
    },
  });
  const random = seededRandom(11);
  const peer = nobleCrypto.x25519PublicKey(random(32));
  const secret = random(32);
  const start = imported;
  for (let i = 0; i < 3; i++) {
    assertEquals(toHex(p.x25519(secret, peer)), toHex(nobleCrypto.x25519(secret, peer)));
  }
  assertEquals(imported - start, 1, "one import for three uses of the same array");
  secret[5] ^= 0xff; // changed in place: the remembered key must not be used
  assertEquals(toHex(p.x25519(secret, peer)), toHex(nobleCrypto.x25519(secret, peer)));
  assertEquals(imported - start, 2);
  // Fresh secrets (as Sphinx draws per packet) push the old one out: the memory stays bounded.
  for (let i = 0; i < 8; i++) p.x25519(random(32), peer);
  assertEquals(imported - start, 10);
  p.x25519(secret, peer);
  assertEquals(imported - start, 11, "the secret used 8 fresh secrets ago was forgotten");
});

Deno.test({
  name:
    "X25519 through DER and through JWK import gives noble's bytes, and a refused JWK falls back to DER",
  ignore: nodeCrypto === undefined,
}, () => {
  const nc = nodeCrypto!;
  const random = seededRandom(12);
  let jwkImports = 0;
  const refusing: NodeCrypto = {
    ...nc,
    createPrivateKey(o) {
      if (o.format === "jwk") {
        jwkImports++;
        throw new TypeError("x does not match d"); // as a runtime that checks a JWK's x would
      }
      return nc.createPrivateKey(o);
    },
  };
  const providers = {
    der: buildNative(nc, { x25519Import: "der" }),
    jwk: buildNative(nc, { x25519Import: "jwk" }),
    refused: buildNative(refusing, { x25519Import: "jwk" }),
  };
  assert(jwkImports > 0, "the JWK path was tried");
  for (let round = 0; round < 20; round++) {
    const a = random(32), b = random(32);
    const expectedPublic = toHex(nobleCrypto.x25519PublicKey(a));
    const expectedShared = toHex(nobleCrypto.x25519(a, nobleCrypto.x25519PublicKey(b)));
    for (const [name, p] of Object.entries(providers)) {
      assertEquals(toHex(p.x25519PublicKey(a)), expectedPublic, `${name} public key`);
      assertEquals(toHex(p.x25519(a, p.x25519PublicKey(b))), expectedShared, `${name} DH`);
    }
  }
  const tried = jwkImports;
  providers.refused.x25519(random(32), nobleCrypto.x25519PublicKey(random(32)));
  assertEquals(jwkImports, tried, "after the refusal every key goes through DER");
  for (const p of Object.values(providers)) {
    assertThrows(() => p.x25519(random(32), new Uint8Array(32)), CryptoError); // low order
  }
});
