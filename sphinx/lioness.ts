/**
 * Lioness wide-block cipher as in the `lioness` 0.1.2 crate that sphinx-packet 0.6.0 uses:
 * ChaCha20 (original variant, zero nonce) as stream cipher, keyed BLAKE2b-256 as hash.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { PAYLOAD_KEY_SIZE } from "./constants.ts";
import { SphinxError } from "./sphinx_error.ts";

const HALF = 32;

function split(key: Uint8Array, block: Uint8Array) {
  if (key.length !== PAYLOAD_KEY_SIZE) {
    throw new SphinxError("length", `lioness key must be ${PAYLOAD_KEY_SIZE} bytes`);
  }
  if (block.length <= HALF) {
    throw new SphinxError("length", `lioness block must be longer than ${HALF} bytes`);
  }
  return {
    k1: key.subarray(0, 32),
    k2: key.subarray(32, 96),
    k3: key.subarray(96, 128),
    k4: key.subarray(128, 192),
    left: block.slice(0, HALF),
    right: block.subarray(HALF),
  };
}

function xor32(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(HALF);
  for (let i = 0; i < HALF; i++) out[i] = a[i] ^ b[i];
  return out;
}

function xorIn(target: Uint8Array, value: Uint8Array): void {
  for (let i = 0; i < HALF; i++) target[i] ^= value[i];
}

function join(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(HALF + right.length);
  out.set(left);
  out.set(right, HALF);
  return out;
}

/**
 * Encrypts `block` (more than 32 bytes) under a 192-byte key; returns a new array.
 *
 * @example
 * ```ts
 * import { lionessDecrypt, lionessEncrypt } from "@nym/mixnet/sphinx";
 * const key = new Uint8Array(192).fill(7);
 * const block = new Uint8Array(100).fill(1);
 * const back = lionessDecrypt(key, lionessEncrypt(key, block));
 * console.log(back.every((b) => b === 1)); // true
 * ```
 */
export function lionessEncrypt(
  key: Uint8Array,
  block: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  const { k1, k2, k3, k4, left } = split(key, block);
  let right = crypto.chacha20(xor32(left, k1), block.subarray(HALF));
  xorIn(left, crypto.blake2bMac(k2, right, HALF));
  right = crypto.chacha20(xor32(left, k3), right);
  xorIn(left, crypto.blake2bMac(k4, right, HALF));
  return join(left, right);
}

/**
 * Decrypts what {@linkcode lionessEncrypt} produced; returns a new array.
 *
 * @example
 * ```ts
 * import { lionessDecrypt, lionessEncrypt } from "@nym/mixnet/sphinx";
 * const key = crypto.getRandomValues(new Uint8Array(192));
 * const sealed = lionessEncrypt(key, new Uint8Array(64));
 * console.log(lionessDecrypt(key, sealed).length); // 64
 * ```
 */
export function lionessDecrypt(
  key: Uint8Array,
  block: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  const { k1, k2, k3, k4, left, right: sealed } = split(key, block);
  xorIn(left, crypto.blake2bMac(k4, sealed, HALF));
  let right = crypto.chacha20(xor32(left, k3), sealed);
  xorIn(left, crypto.blake2bMac(k2, right, HALF));
  right = crypto.chacha20(xor32(left, k1), right);
  return join(left, right);
}
