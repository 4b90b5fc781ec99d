// The native provider keeps its native primitives in Deno (none silently replaced by noble
// after its self-check), and its size-dependent paths agree with noble on both sides.
import { nativeCrypto, nobleCrypto } from "../crypto/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

// Bun's node:crypto lacks ChaCha20, so its provider keeps noble's there: this is Deno's and Node's.
const bun = "Bun" in globalThis;

Deno.test({
  name: "in Deno the native provider keeps every native primitive after its self-check",
  ignore: bun,
}, () => {
  const native = nativeCrypto() as unknown as Record<string, unknown>;
  assert(native, "node:crypto is available in Deno");
  const noble = nobleCrypto as unknown as Record<string, unknown>;
  const replaced = [
    "x25519",
    "x25519PublicKey",
    "hkdfSha256",
    "hmacSha256",
    "aes128Ctr",
    "chacha20",
    "aes256GcmSivEncrypt",
    "aes256GcmSivDecrypt",
  ].filter((name) => native[name] === noble[name]);
  assertEquals(replaced, []);
});

Deno.test("HMAC-SHA256 and ChaCha20 agree with noble below and above the native threshold", () => {
  const native = nativeCrypto()!;
  const key = crypto.getRandomValues(new Uint8Array(32));
  for (const n of [0, 1, 6, 300, 1023, 1024, 1025, 2033, 5000]) {
    const data = crypto.getRandomValues(new Uint8Array(n));
    assertEquals(
      native.hmacSha256(key.subarray(0, 16), data),
      nobleCrypto.hmacSha256(key.subarray(0, 16), data),
    );
    assertEquals(native.chacha20(key, data), nobleCrypto.chacha20(key, data));
  }
});
