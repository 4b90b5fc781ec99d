/**
 * The client ↔ gateway shared key: 32 bytes of AES-256-GCM-SIV, used with a random 12-byte nonce,
 * a 16-byte tag appended and no associated data (`common/gateway-requests/src/shared_key.rs`).
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";

/** Length of the shared key. */
export const SHARED_KEY_LENGTH = 32;
/** Length of an AES-256-GCM-SIV nonce. */
export const AEAD_NONCE_LENGTH = 12;
/** Length of an AES-256-GCM-SIV tag. */
export const AEAD_TAG_LENGTH = 16;

/**
 * Opens `ciphertext ‖ tag` under the shared key. Throws {@linkcode GatewayProtocolError} of kind
 * `length` for a bad key or nonce length and `aead` when the tag does not verify.
 *
 * @example
 * ```ts
 * import { decryptWithSharedKey } from "./mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const key = new Uint8Array(32), nonce = new Uint8Array(12);
 * const sealed = defaultCrypto().aes256GcmSivEncrypt(key, nonce, Uint8Array.of(1, 2, 3));
 * console.log(decryptWithSharedKey(key, nonce, sealed)); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export function decryptWithSharedKey(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  checkKeyAndNonce(key, nonce);
  if (ciphertext.length < AEAD_TAG_LENGTH) {
    throw new GatewayProtocolError(
      "aead",
      `ciphertext of ${ciphertext.length} bytes is shorter than the AEAD tag`,
    );
  }
  try {
    return crypto.aes256GcmSivDecrypt(key, nonce, ciphertext);
  } catch (cause) {
    throw new GatewayProtocolError("aead", "AES-256-GCM-SIV decryption failed", { cause });
  }
}

/**
 * Seals `plaintext` under the shared key with `nonce`; returns `ciphertext ‖ tag`.
 *
 * @example
 * ```ts
 * import { encryptWithSharedKey } from "./mod.ts";
 * console.log(encryptWithSharedKey(new Uint8Array(32), new Uint8Array(12), new Uint8Array(5)).length); // 21
 * ```
 */
export function encryptWithSharedKey(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  checkKeyAndNonce(key, nonce);
  return crypto.aes256GcmSivEncrypt(key, nonce, plaintext);
}

function checkKeyAndNonce(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== SHARED_KEY_LENGTH) {
    throw new GatewayProtocolError(
      "length",
      `shared key must be ${SHARED_KEY_LENGTH} bytes, got ${key.length}`,
    );
  }
  if (nonce.length !== AEAD_NONCE_LENGTH) {
    throw new GatewayProtocolError(
      "length",
      `nonce must be ${AEAD_NONCE_LENGTH} bytes, got ${nonce.length}`,
    );
  }
}
