/**
 * The primitive set every module of `@nym/mixnet` uses. All operations are synchronous and
 * byte-in/byte-out so that Sphinx processing stays a pure function.
 *
 * @module
 */

/** Raised by a crypto provider for inputs it refuses (bad lengths, low-order points, failed AEAD). */
export class CryptoError extends Error {
  /** Builds an error with a human-readable reason. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CryptoError";
  }
}

/**
 * The cryptographic primitives behind the client, the Sphinx layer and localnet.
 *
 * Two implementations ship: {@linkcode nobleCrypto} (portable, pure TypeScript) and a native one
 * backed by `node:crypto` where the runtime offers it (Deno, Node, Bun). Both produce identical bytes.
 */
export interface CryptoProvider {
  /** A short label, e.g. `"noble"` or `"native"`. */
  readonly name: string;
  /** X25519(secretKey, publicKey) with RFC 7748 clamping; throws {@linkcode CryptoError} on an all-zero result. */
  x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** The X25519 public key X25519(secretKey, 9). */
  x25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /** The Ed25519 public key of a 32-byte secret seed. */
  ed25519PublicKey(secretKey: Uint8Array): Uint8Array;
  /** A 64-byte Ed25519 signature. */
  ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Verifies an Ed25519 signature; returns false (never throws) on any malformed input. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** HKDF-SHA256 (RFC 5869); an empty salt means "salt absent". */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** HKDF over HMAC-BLAKE3 (64-byte block, 32-byte digest), as Nym's `Hkdf<Blake3, SimpleHmac<Blake3>>`. */
  hkdfBlake3(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** HMAC-SHA256, 32 bytes. */
  hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array;
  /**
   * AES-128 in counter mode; `counterBits` 128 increments the whole 16-byte block big-endian,
   * 64 only its low half (Rust `Ctr64BE`). Encryption and decryption are the same operation.
   */
  aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array, counterBits: 64 | 128): Uint8Array;
  /** AES-256-GCM-SIV with a 12-byte nonce and no associated data; returns ciphertext ‖ 16-byte tag. */
  aes256GcmSivEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** Opens AES-256-GCM-SIV; throws {@linkcode CryptoError} when the tag does not verify. */
  aes256GcmSivDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /** XORs `data` with the original (DJB) ChaCha20 keystream: 32-byte key, zero 8-byte nonce, counter 0. */
  chacha20(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Keyed BLAKE2b with an output of `outputLength` bytes. */
  blake2bMac(key: Uint8Array, message: Uint8Array, outputLength: number): Uint8Array;
  /** BLAKE3, 32 bytes. */
  blake3(message: Uint8Array): Uint8Array;
  /** SHA-256, 32 bytes. */
  sha256(message: Uint8Array): Uint8Array;
}
