/**
 * The portable crypto provider: `@noble/curves`, `@noble/ciphers` and `@noble/hashes` only.
 *
 * @module
 */
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { ctr, gcmsiv } from "@noble/ciphers/aes.js";
import { chacha20orig } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { blake3 } from "@noble/hashes/blake3.js";
import { CryptoError, type CryptoProvider } from "./crypto_provider.ts";
import { ctr64With } from "./_ctr64.ts";
import { blake2b } from "./_blake2b.ts";

const ZERO_NONCE_8 = new Uint8Array(8);

function checkLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new CryptoError(`${name} must be ${length} bytes, got ${bytes.length}`);
  }
}

/**
 * Pure-TypeScript primitives that run in every JavaScript runtime.
 *
 * @example Derive an X25519 shared secret
 * ```ts
 * import { nobleCrypto } from "@nym/mixnet/crypto";
 * const a = crypto.getRandomValues(new Uint8Array(32));
 * const b = crypto.getRandomValues(new Uint8Array(32));
 * const ab = nobleCrypto.x25519(a, nobleCrypto.x25519PublicKey(b));
 * const ba = nobleCrypto.x25519(b, nobleCrypto.x25519PublicKey(a));
 * if (ab.join() !== ba.join()) throw new Error("mismatch");
 * ```
 */
export const nobleCrypto: CryptoProvider = {
  name: "noble",
  x25519(secretKey, publicKey) {
    checkLength("x25519 secret key", secretKey, 32);
    checkLength("x25519 public key", publicKey, 32);
    try {
      return x25519.getSharedSecret(secretKey, publicKey);
    } catch {
      throw new CryptoError("x25519 produced the all-zero point (low-order public key)");
    }
  },
  x25519PublicKey(secretKey) {
    checkLength("x25519 secret key", secretKey, 32);
    return x25519.getPublicKey(secretKey);
  },
  ed25519PublicKey(secretKey) {
    checkLength("ed25519 secret key", secretKey, 32);
    return ed25519.getPublicKey(secretKey);
  },
  ed25519Sign(secretKey, message) {
    checkLength("ed25519 secret key", secretKey, 32);
    return ed25519.sign(message, secretKey);
  },
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
  hkdfSha256(ikm, salt, info, length) {
    return hkdf(sha256, ikm, salt, info, length);
  },
  hkdfBlake3(ikm, salt, info, length) {
    return hkdf(blake3, ikm, salt, info, length);
  },
  hmacSha256(key, message) {
    return hmac(sha256, key, message);
  },
  aes128Ctr(key, iv, data, counterBits) {
    checkLength("aes-128 key", key, 16);
    checkLength("aes-ctr iv", iv, 16);
    const run = (nonce: Uint8Array, chunk: Uint8Array) => ctr(key, nonce).encrypt(chunk);
    return counterBits === 64 ? ctr64With(run, iv, data) : run(iv, data);
  },
  aes256GcmSivEncrypt(key, nonce, plaintext) {
    checkLength("aes-256-gcm-siv key", key, 32);
    checkLength("aes-256-gcm-siv nonce", nonce, 12);
    return gcmsiv(key, nonce).encrypt(plaintext);
  },
  aes256GcmSivDecrypt(key, nonce, ciphertext) {
    checkLength("aes-256-gcm-siv key", key, 32);
    checkLength("aes-256-gcm-siv nonce", nonce, 12);
    if (ciphertext.length < 16) {
      throw new CryptoError("aes-256-gcm-siv ciphertext shorter than its tag");
    }
    try {
      return gcmsiv(key, nonce).decrypt(ciphertext);
    } catch {
      throw new CryptoError("aes-256-gcm-siv tag does not verify");
    }
  },
  chacha20(key, data) {
    checkLength("chacha20 key", key, 32);
    return chacha20orig(key, ZERO_NONCE_8, data);
  },
  blake2bMac(key, message, outputLength) {
    // Our own BLAKE2b (crypto/_blake2b.ts): 4× noble's on Lioness-sized inputs, byte-identical.
    return blake2b(message, key, outputLength);
  },
  blake3(message) {
    return blake3(message);
  },
  sha256(message) {
    return sha256(message);
  },
};
