/**
 * End-to-end encryption of fragments (Nym `preparer/payload.rs`, `receiver.rs`,
 * `crypto/src/shared_key.rs`, client-core `received_buffer.rs`).
 *
 * - Regular packets: a fresh x25519 key pair per packet;
 *   `k = HKDF-BLAKE3(salt ∅, ikm = X25519(eph, recipient), info ∅, 16)`;
 *   output `eph_public (32) ‖ AES-128-CTR64(k, IV 0, fragment)`.
 * - Replies: `BLAKE3(reply_key) (32) ‖ AES-128-CTR64(reply_key, IV 0, fragment)`.
 *
 * A receiver looks the first 32 bytes up among the digests of reply keys it handed out; when
 * none matches they are an ephemeral public key.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { CryptoError } from "../crypto/mod.ts";
import { type RandomBytes, systemRandom } from "../sphinx/mod.ts";
import { SYMMETRIC_KEY_LENGTH, VARIANT_DATA_LENGTH } from "./constants.ts";
import { MessageError } from "./message_error.ts";

const ZERO_IV = new Uint8Array(16);
const EMPTY = new Uint8Array(0);

/** Options of the encryption functions. */
export interface EncryptionOptions {
  /** Primitive provider; {@linkcode defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
  /** Random source (ephemeral keys); the platform CSPRNG by default. */
  readonly random?: RandomBytes;
}

function checkKey(key: Uint8Array, length: number, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== length) {
    throw new MessageError("key", `${what} must be ${length} bytes`);
  }
}

/**
 * The 16-byte packet key shared by an ephemeral key and a client's x25519 key:
 * `HKDF-BLAKE3(salt ∅, X25519(secretKey, publicKey), info ∅, 16)`. Throws
 * {@linkcode MessageError} of kind `key` for unusable keys (e.g. a low-order point).
 *
 * @example
 * ```ts
 * import { packetKey } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const c = defaultCrypto();
 * const a = crypto.getRandomValues(new Uint8Array(32));
 * const b = crypto.getRandomValues(new Uint8Array(32));
 * const k1 = packetKey(a, c.x25519PublicKey(b));
 * const k2 = packetKey(b, c.x25519PublicKey(a));
 * console.log(k1.length, k1.every((v, i) => v === k2[i])); // 16 true
 * ```
 */
export function packetKey(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultCrypto();
  checkKey(secretKey, 32, "an x25519 secret key");
  checkKey(publicKey, 32, "an x25519 public key");
  let shared: Uint8Array;
  try {
    shared = crypto.x25519(secretKey, publicKey);
  } catch (cause) {
    if (cause instanceof CryptoError) {
      throw new MessageError("key", "x25519 key agreement failed", { cause });
    }
    throw cause;
  }
  return crypto.hkdfBlake3(shared, EMPTY, EMPTY, SYMMETRIC_KEY_LENGTH);
}

/**
 * Encrypts a serialized fragment (or cover content) for a client: returns
 * `ephemeral public key (32) ‖ AES-128-CTR64(k, IV 0, plaintext)`.
 *
 * @example
 * ```ts
 * import { decryptRegular, encryptForRecipient } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const sealed = encryptForRecipient(Uint8Array.of(1, 2, 3), defaultCrypto().x25519PublicKey(secret));
 * console.log(sealed.length, Array.from(decryptRegular(sealed, secret))); // 35 [ 1, 2, 3 ]
 * ```
 */
export function encryptForRecipient(
  plaintext: Uint8Array,
  recipientEncryptionKey: Uint8Array,
  options: EncryptionOptions = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  const ephemeralSecret = random(32);
  checkKey(ephemeralSecret, 32, "the random ephemeral secret");
  const ephemeralPublic = crypto.x25519PublicKey(ephemeralSecret);
  const key = packetKey(ephemeralSecret, recipientEncryptionKey, { crypto });
  const out = new Uint8Array(VARIANT_DATA_LENGTH + plaintext.length);
  out.set(ephemeralPublic);
  out.set(crypto.aes128Ctr(key, ZERO_IV, plaintext, 64), VARIANT_DATA_LENGTH);
  return out;
}

/**
 * Opens `ephemeral public key ‖ ciphertext` with the client's x25519 secret key. Throws
 * {@linkcode MessageError}: `truncated` below 32 bytes, `key` for an unusable ephemeral key.
 *
 * @example
 * ```ts
 * import { decryptRegular, encryptForRecipient } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const sealed = encryptForRecipient(Uint8Array.of(42), defaultCrypto().x25519PublicKey(secret));
 * console.log(decryptRegular(sealed, secret)[0]); // 42
 * ```
 */
export function decryptRegular(
  data: Uint8Array,
  localSecretKey: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultCrypto();
  if (data.length < VARIANT_DATA_LENGTH) {
    throw new MessageError("truncated", `${data.length} bytes cannot hold an ephemeral key`);
  }
  const key = packetKey(localSecretKey, data.subarray(0, VARIANT_DATA_LENGTH), { crypto });
  return crypto.aes128Ctr(key, ZERO_IV, data.subarray(VARIANT_DATA_LENGTH), 64);
}

/**
 * The 32-byte BLAKE3 digest that identifies a reply key on the wire.
 *
 * @example
 * ```ts
 * import { replyKeyDigest } from "@nym/mixnet/message";
 * console.log(replyKeyDigest(new Uint8Array(16)).length); // 32
 * ```
 */
export function replyKeyDigest(
  replyKey: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  checkKey(replyKey, SYMMETRIC_KEY_LENGTH, "a reply key");
  return (options.crypto ?? defaultCrypto()).blake3(replyKey);
}

/**
 * Encrypts a serialized fragment with the 16-byte key of the reply SURB it travels in:
 * `BLAKE3(replyKey) ‖ AES-128-CTR64(replyKey, IV 0, plaintext)`.
 *
 * @example
 * ```ts
 * import { decryptReply, encryptReply } from "@nym/mixnet/message";
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const sealed = encryptReply(Uint8Array.of(5, 6), key);
 * console.log(sealed.length, Array.from(decryptReply(sealed, key))); // 34 [ 5, 6 ]
 * ```
 */
export function encryptReply(
  plaintext: Uint8Array,
  replyKey: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultCrypto();
  const out = new Uint8Array(VARIANT_DATA_LENGTH + plaintext.length);
  out.set(replyKeyDigest(replyKey, { crypto }));
  out.set(crypto.aes128Ctr(replyKey, ZERO_IV, plaintext, 64), VARIANT_DATA_LENGTH);
  return out;
}

/**
 * Opens `digest ‖ ciphertext` with `replyKey` (the digest itself is not checked here; see
 * {@linkcode decryptReceived}). Throws {@linkcode MessageError} `truncated` below 32 bytes.
 *
 * @example
 * ```ts
 * import { decryptReply, encryptReply } from "@nym/mixnet/message";
 * const key = new Uint8Array(16).fill(3);
 * console.log(decryptReply(encryptReply(Uint8Array.of(9), key), key)[0]); // 9
 * ```
 */
export function decryptReply(
  data: Uint8Array,
  replyKey: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  const crypto = options.crypto ?? defaultCrypto();
  checkKey(replyKey, SYMMETRIC_KEY_LENGTH, "a reply key");
  if (data.length < VARIANT_DATA_LENGTH) {
    throw new MessageError("truncated", `${data.length} bytes cannot hold a reply key digest`);
  }
  return crypto.aes128Ctr(replyKey, ZERO_IV, data.subarray(VARIANT_DATA_LENGTH), 64);
}

/**
 * Where a receiver keeps the reply keys of the SURBs it sent, indexed by
 * {@linkcode replyKeyDigest}. Keys are single-use: `take` removes what it returns.
 */
export interface ReplyKeyStore {
  /** Removes and returns the key whose BLAKE3 digest is `digest`, if there is one. */
  take(digest: Uint8Array): Uint8Array | undefined;
}

/** A decrypted incoming payload. */
export type DecryptedPayload =
  | {
    /** Opened with an ephemeral key: a regular (plain or repliable) packet. */
    readonly kind: "regular";
    /** The serialized fragment (or cover content). */
    readonly plaintext: Uint8Array;
  }
  | {
    /** Opened with one of our reply keys: a reply. */
    readonly kind: "reply";
    /** The serialized fragment. */
    readonly plaintext: Uint8Array;
    /** The reply key that opened it (now removed from the store). */
    readonly replyKey: Uint8Array;
  };

/**
 * Opens what the gateway delivered after the SURB-ACK: if its first 32 bytes are the digest of
 * a reply key in `replyKeys`, that key is taken and used; otherwise they are an ephemeral key.
 * Throws {@linkcode MessageError} (`truncated`, `key`).
 *
 * @example
 * ```ts
 * import { decryptReceived, encryptReply, replyKeyDigest } from "@nym/mixnet/message";
 * const key = crypto.getRandomValues(new Uint8Array(16));
 * const keys = new Map([[replyKeyDigest(key).join(), key]]);
 * const store = { take: (d: Uint8Array) => { const k = keys.get(d.join()); keys.delete(d.join()); return k; } };
 * const out = decryptReceived(encryptReply(Uint8Array.of(1), key), new Uint8Array(32).fill(1), store);
 * console.log(out.kind, out.plaintext[0]); // "reply" 1
 * ```
 */
export function decryptReceived(
  data: Uint8Array,
  localSecretKey: Uint8Array,
  replyKeys: ReplyKeyStore,
  options: { readonly crypto?: CryptoProvider } = {},
): DecryptedPayload {
  if (data.length < VARIANT_DATA_LENGTH) {
    throw new MessageError("truncated", `${data.length} bytes cannot hold a 32-byte prefix`);
  }
  const replyKey = replyKeys.take(data.slice(0, VARIANT_DATA_LENGTH));
  if (replyKey !== undefined) {
    return { kind: "reply", plaintext: decryptReply(data, replyKey, options), replyKey };
  }
  return { kind: "regular", plaintext: decryptRegular(data, localSecretKey, options) };
}
