/**
 * The registration handshake that gives a new client its shared key with a gateway
 * (`common/gateway-requests/src/registration/handshake/{messages,state,client,gateway}.rs`).
 *
 * ```text
 * C → G  init        identity_C (32) ‖ g^x (32) ‖ salt (16)                      80 bytes
 * G → C  material    g^y (32) ‖ AEAD_K(n, Sign_G(g^y ‖ g^x)) (80) ‖ n (12)    124 bytes
 * C → G  material    AEAD_K(n', Sign_C(g^x ‖ g^y)) (80) ‖ n' (12)              92 bytes
 * G → C  finalization  [1] on success, [0] on failure                            1 byte
 * K = HKDF-BLAKE3(salt, ikm = X25519(x, g^y), info = ∅, 32 bytes), an AES-256-GCM-SIV key
 * ```
 *
 * Every message travels as a `handshakePayload` text frame (see `handshake_text.ts`).
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { concatBytes } from "../internal/bytes.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";
import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  decryptWithSharedKey,
  SHARED_KEY_LENGTH,
} from "./shared_key.ts";

/** Length of the HKDF salt the client picks. */
export const KDF_SALT_LENGTH = 16;
/** Length of the client's init message. */
export const HANDSHAKE_INIT_LENGTH = 80;
/** Length of the encrypted signature: 64-byte Ed25519 signature plus the AEAD tag. */
export const SIGNATURE_CIPHERTEXT_LENGTH: number = 64 + AEAD_TAG_LENGTH;
/** Length of the client's key material message. */
export const CLIENT_MATERIAL_LENGTH: number = SIGNATURE_CIPHERTEXT_LENGTH + AEAD_NONCE_LENGTH;
/** Length of the gateway's key material message. */
export const GATEWAY_MATERIAL_LENGTH: number = 32 + CLIENT_MATERIAL_LENGTH;

/** The client's first message. */
export interface HandshakeInit {
  /** The client's Ed25519 identity key. */
  readonly identity: Uint8Array;
  /** The client's ephemeral X25519 public key g^x. */
  readonly ephemeralKey: Uint8Array;
  /** The 16-byte HKDF salt. */
  readonly salt: Uint8Array;
}

/** An encrypted signature over both ephemeral keys, with its nonce. */
export interface KeyMaterial {
  /** AES-256-GCM-SIV of the 64-byte signature (80 bytes with the tag). */
  readonly ciphertext: Uint8Array;
  /** The 12-byte nonce. */
  readonly nonce: Uint8Array;
}

/** The gateway's reply: its ephemeral key and its key material. */
export interface GatewayKeyMaterial extends KeyMaterial {
  /** The gateway's ephemeral X25519 public key g^y. */
  readonly ephemeralKey: Uint8Array;
}

function checkLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new GatewayProtocolError(
      "length",
      `${what} must be ${length} bytes, got ${bytes.length}`,
    );
  }
}

/**
 * Encodes the 80-byte init message.
 *
 * @example
 * ```ts
 * import { encodeHandshakeInit } from "./mod.ts";
 * const bytes = encodeHandshakeInit({
 *   identity: new Uint8Array(32), ephemeralKey: new Uint8Array(32), salt: new Uint8Array(16),
 * });
 * console.log(bytes.length); // 80
 * ```
 */
export function encodeHandshakeInit(init: HandshakeInit): Uint8Array {
  checkLength("identity", init.identity, 32);
  checkLength("ephemeral key", init.ephemeralKey, 32);
  checkLength("salt", init.salt, KDF_SALT_LENGTH);
  return concatBytes(init.identity, init.ephemeralKey, init.salt);
}

/**
 * Decodes the init message; anything but exactly 80 bytes is a `length` error.
 *
 * @example
 * ```ts
 * import { decodeHandshakeInit } from "./mod.ts";
 * console.log(decodeHandshakeInit(new Uint8Array(80)).salt.length); // 16
 * ```
 */
export function decodeHandshakeInit(bytes: Uint8Array): HandshakeInit {
  checkLength("handshake init", bytes, HANDSHAKE_INIT_LENGTH);
  return {
    identity: bytes.slice(0, 32),
    ephemeralKey: bytes.slice(32, 64),
    salt: bytes.slice(64, 80),
  };
}

/**
 * Encodes key material as `ciphertext (80) ‖ nonce (12)`.
 *
 * @example
 * ```ts
 * import { encodeKeyMaterial } from "./mod.ts";
 * console.log(encodeKeyMaterial({ ciphertext: new Uint8Array(80), nonce: new Uint8Array(12) }).length); // 92
 * ```
 */
export function encodeKeyMaterial(material: KeyMaterial): Uint8Array {
  checkLength("signature ciphertext", material.ciphertext, SIGNATURE_CIPHERTEXT_LENGTH);
  checkLength("nonce", material.nonce, AEAD_NONCE_LENGTH);
  return concatBytes(material.ciphertext, material.nonce);
}

/**
 * Decodes the client's 92-byte key material.
 *
 * @example
 * ```ts
 * import { decodeKeyMaterial } from "./mod.ts";
 * console.log(decodeKeyMaterial(new Uint8Array(92)).nonce.length); // 12
 * ```
 */
export function decodeKeyMaterial(bytes: Uint8Array): KeyMaterial {
  checkLength("key material", bytes, CLIENT_MATERIAL_LENGTH);
  return {
    ciphertext: bytes.slice(0, SIGNATURE_CIPHERTEXT_LENGTH),
    nonce: bytes.slice(SIGNATURE_CIPHERTEXT_LENGTH),
  };
}

/**
 * Encodes the gateway's 124-byte reply `g^y ‖ ciphertext ‖ nonce`.
 *
 * @example
 * ```ts
 * import { encodeGatewayKeyMaterial } from "./mod.ts";
 * const bytes = encodeGatewayKeyMaterial({
 *   ephemeralKey: new Uint8Array(32), ciphertext: new Uint8Array(80), nonce: new Uint8Array(12),
 * });
 * console.log(bytes.length); // 124
 * ```
 */
export function encodeGatewayKeyMaterial(material: GatewayKeyMaterial): Uint8Array {
  checkLength("ephemeral key", material.ephemeralKey, 32);
  return concatBytes(material.ephemeralKey, encodeKeyMaterial(material));
}

/**
 * Decodes the gateway's reply; only the 124-byte form is accepted (Nym's outer check also lets a
 * 96-byte legacy form through, which its inner parse then refuses).
 *
 * @example
 * ```ts
 * import { decodeGatewayKeyMaterial } from "./mod.ts";
 * console.log(decodeGatewayKeyMaterial(new Uint8Array(124)).ciphertext.length); // 80
 * ```
 */
export function decodeGatewayKeyMaterial(bytes: Uint8Array): GatewayKeyMaterial {
  checkLength("gateway key material", bytes, GATEWAY_MATERIAL_LENGTH);
  return { ephemeralKey: bytes.slice(0, 32), ...decodeKeyMaterial(bytes.subarray(32)) };
}

/**
 * Encodes the finalization byte.
 *
 * @example
 * ```ts
 * import { encodeFinalization } from "./mod.ts";
 * console.log(encodeFinalization(true)); // Uint8Array(1) [ 1 ]
 * ```
 */
export function encodeFinalization(success: boolean): Uint8Array {
  return Uint8Array.of(success ? 1 : 0);
}

/**
 * Decodes the 1-byte finalization: `true` only for `[1]`.
 *
 * @example
 * ```ts
 * import { decodeFinalization } from "./mod.ts";
 * console.log(decodeFinalization(Uint8Array.of(1))); // true
 * ```
 */
export function decodeFinalization(bytes: Uint8Array): boolean {
  checkLength("finalization", bytes, 1);
  return bytes[0] === 1;
}

/**
 * K = HKDF-BLAKE3(salt, X25519(localSecret, remotePublic), no info, 32 bytes).
 * Throws `key` when the exchange yields the all-zero secret.
 *
 * @example
 * ```ts
 * import { deriveHandshakeKey } from "./mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const c = defaultCrypto();
 * const x = crypto.getRandomValues(new Uint8Array(32)), y = crypto.getRandomValues(new Uint8Array(32));
 * const salt = new Uint8Array(16);
 * const a = deriveHandshakeKey(x, c.x25519PublicKey(y), salt);
 * const b = deriveHandshakeKey(y, c.x25519PublicKey(x), salt);
 * console.log(a.join() === b.join()); // true
 * ```
 */
export function deriveHandshakeKey(
  localEphemeralSecret: Uint8Array,
  remoteEphemeralKey: Uint8Array,
  salt: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  checkLength("remote ephemeral key", remoteEphemeralKey, 32);
  checkLength("salt", salt, KDF_SALT_LENGTH);
  let dh: Uint8Array;
  try {
    dh = crypto.x25519(localEphemeralSecret, remoteEphemeralKey);
  } catch (cause) {
    throw new GatewayProtocolError("key", "X25519 with the remote ephemeral key failed", { cause });
  }
  return crypto.hkdfBlake3(dh, salt, new Uint8Array(0), SHARED_KEY_LENGTH);
}

/**
 * Signs `localEphemeralKey ‖ remoteEphemeralKey` with the identity key and encrypts the signature
 * under K with a fresh nonce.
 *
 * @example
 * ```ts
 * import { signKeyMaterial } from "./mod.ts";
 * const material = signKeyMaterial({
 *   identitySecretKey: new Uint8Array(32), localEphemeralKey: new Uint8Array(32),
 *   remoteEphemeralKey: new Uint8Array(32), sharedKey: new Uint8Array(32),
 * });
 * console.log(material.ciphertext.length); // 80
 * ```
 */
export function signKeyMaterial(options: {
  readonly identitySecretKey: Uint8Array;
  readonly localEphemeralKey: Uint8Array;
  readonly remoteEphemeralKey: Uint8Array;
  readonly sharedKey: Uint8Array;
  readonly crypto?: CryptoProvider;
  readonly random?: RandomBytes;
}): KeyMaterial {
  const crypto = options.crypto ?? defaultCrypto();
  const nonce = (options.random ?? systemRandom)(AEAD_NONCE_LENGTH);
  const signature = crypto.ed25519Sign(
    options.identitySecretKey,
    concatBytes(options.localEphemeralKey, options.remoteEphemeralKey),
  );
  return { ciphertext: crypto.aes256GcmSivEncrypt(options.sharedKey, nonce, signature), nonce };
}

/**
 * Decrypts the remote's key material and checks its signature over
 * `remoteEphemeralKey ‖ localEphemeralKey` with the remote identity. Throws `aead` or `signature`.
 *
 * @example
 * ```ts
 * import { signKeyMaterial, verifyKeyMaterial } from "./mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const sk = crypto.getRandomValues(new Uint8Array(32));
 * const a = new Uint8Array(32).fill(1), b = new Uint8Array(32).fill(2), k = new Uint8Array(32);
 * const material = signKeyMaterial({
 *   identitySecretKey: sk, localEphemeralKey: a, remoteEphemeralKey: b, sharedKey: k,
 * });
 * verifyKeyMaterial({
 *   material, remoteIdentity: defaultCrypto().ed25519PublicKey(sk),
 *   remoteEphemeralKey: a, localEphemeralKey: b, sharedKey: k,
 * }); // does not throw
 * ```
 */
export function verifyKeyMaterial(options: {
  readonly material: KeyMaterial;
  readonly remoteIdentity: Uint8Array;
  readonly remoteEphemeralKey: Uint8Array;
  readonly localEphemeralKey: Uint8Array;
  readonly sharedKey: Uint8Array;
  readonly crypto?: CryptoProvider;
}): void {
  const crypto = options.crypto ?? defaultCrypto();
  const signature = decryptWithSharedKey(
    options.sharedKey,
    options.material.nonce,
    options.material.ciphertext,
    crypto,
  );
  const signed = concatBytes(options.remoteEphemeralKey, options.localEphemeralKey);
  if (signature.length !== 64 || !crypto.ed25519Verify(signature, signed, options.remoteIdentity)) {
    throw new GatewayProtocolError("signature", "the remote key material signature is invalid");
  }
}

/** The client's state between its init message and the gateway's reply. */
export interface ClientHandshakeState {
  /** The 80-byte init message to send. */
  readonly init: Uint8Array;
  /** The client's identity secret seed. */
  readonly identitySecretKey: Uint8Array;
  /** The ephemeral secret x. */
  readonly ephemeralSecret: Uint8Array;
  /** g^x. */
  readonly ephemeralKey: Uint8Array;
  /** The HKDF salt. */
  readonly salt: Uint8Array;
}

/**
 * Client step 1: picks x and the salt and builds the init message.
 *
 * @example
 * ```ts
 * import { startClientHandshake } from "./mod.ts";
 * const state = startClientHandshake({ identitySecretKey: crypto.getRandomValues(new Uint8Array(32)) });
 * console.log(state.init.length); // 80
 * ```
 */
export function startClientHandshake(options: {
  readonly identitySecretKey: Uint8Array;
  readonly crypto?: CryptoProvider;
  readonly random?: RandomBytes;
}): ClientHandshakeState {
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  const ephemeralSecret = random(32);
  const ephemeralKey = crypto.x25519PublicKey(ephemeralSecret);
  const salt = random(KDF_SALT_LENGTH);
  const identity = crypto.ed25519PublicKey(options.identitySecretKey);
  return {
    init: encodeHandshakeInit({ identity, ephemeralKey, salt }),
    identitySecretKey: options.identitySecretKey,
    ephemeralSecret,
    ephemeralKey,
    salt,
  };
}

/**
 * Client step 2: derives K from the gateway's 124-byte reply, verifies the gateway's signature
 * against its known identity key, and returns K with the 92-byte material to send back.
 *
 * @example
 * ```ts
 * import { finishGatewayHandshake, respondToClientInit, respondToGatewayMaterial, startClientHandshake } from "./mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const gatewaySecret = crypto.getRandomValues(new Uint8Array(32));
 * const client = startClientHandshake({ identitySecretKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const gateway = respondToClientInit({ init: client.init, identitySecretKey: gatewaySecret });
 * const done = respondToGatewayMaterial(client, gateway.material, defaultCrypto().ed25519PublicKey(gatewaySecret));
 * const key = finishGatewayHandshake(gateway, done.material);
 * console.log(key.join() === done.sharedKey.join()); // true
 * ```
 */
export function respondToGatewayMaterial(
  state: ClientHandshakeState,
  gatewayMaterial: Uint8Array,
  gatewayIdentity: Uint8Array,
  options: { readonly crypto?: CryptoProvider; readonly random?: RandomBytes } = {},
): { readonly sharedKey: Uint8Array; readonly material: Uint8Array } {
  const crypto = options.crypto ?? defaultCrypto();
  const reply = decodeGatewayKeyMaterial(gatewayMaterial);
  const sharedKey = deriveHandshakeKey(
    state.ephemeralSecret,
    reply.ephemeralKey,
    state.salt,
    crypto,
  );
  verifyKeyMaterial({
    material: reply,
    remoteIdentity: gatewayIdentity,
    remoteEphemeralKey: reply.ephemeralKey,
    localEphemeralKey: state.ephemeralKey,
    sharedKey,
    crypto,
  });
  const material = signKeyMaterial({
    identitySecretKey: state.identitySecretKey,
    localEphemeralKey: state.ephemeralKey,
    remoteEphemeralKey: reply.ephemeralKey,
    sharedKey,
    crypto,
    random: options.random,
  });
  return { sharedKey, material: encodeKeyMaterial(material) };
}

/** The gateway's state between its reply and the client's material. */
export interface GatewayHandshakeState {
  /** The 124-byte reply to send. */
  readonly material: Uint8Array;
  /** The client's identity from the init message. */
  readonly clientIdentity: Uint8Array;
  /** g^x. */
  readonly clientEphemeralKey: Uint8Array;
  /** g^y. */
  readonly ephemeralKey: Uint8Array;
  /** K. */
  readonly sharedKey: Uint8Array;
}

/**
 * Gateway step 1: parses the client's init, derives K and builds the signed 124-byte reply.
 *
 * @example
 * ```ts
 * import { respondToClientInit, startClientHandshake } from "./mod.ts";
 * const client = startClientHandshake({ identitySecretKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const gateway = respondToClientInit({ init: client.init, identitySecretKey: new Uint8Array(32) });
 * console.log(gateway.material.length); // 124
 * ```
 */
export function respondToClientInit(options: {
  readonly init: Uint8Array;
  readonly identitySecretKey: Uint8Array;
  readonly crypto?: CryptoProvider;
  readonly random?: RandomBytes;
}): GatewayHandshakeState {
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  const init = decodeHandshakeInit(options.init);
  const ephemeralSecret = random(32);
  const ephemeralKey = crypto.x25519PublicKey(ephemeralSecret);
  const sharedKey = deriveHandshakeKey(ephemeralSecret, init.ephemeralKey, init.salt, crypto);
  const material = signKeyMaterial({
    identitySecretKey: options.identitySecretKey,
    localEphemeralKey: ephemeralKey,
    remoteEphemeralKey: init.ephemeralKey,
    sharedKey,
    crypto,
    random,
  });
  return {
    material: encodeGatewayKeyMaterial({ ephemeralKey, ...material }),
    clientIdentity: init.identity,
    clientEphemeralKey: init.ephemeralKey,
    ephemeralKey,
    sharedKey,
  };
}

/**
 * Gateway step 2: verifies the client's 92-byte material (its signature over `g^x ‖ g^y` with
 * the identity from the init message) and returns K.
 *
 * @example
 * ```ts
 * import { finishGatewayHandshake, respondToClientInit, startClientHandshake } from "./mod.ts";
 * const client = startClientHandshake({ identitySecretKey: crypto.getRandomValues(new Uint8Array(32)) });
 * const gateway = respondToClientInit({ init: client.init, identitySecretKey: new Uint8Array(32) });
 * try {
 *   finishGatewayHandshake(gateway, new Uint8Array(92));
 * } catch (error) {
 *   console.log((error as Error).name); // "GatewayProtocolError"
 * }
 * ```
 */
export function finishGatewayHandshake(
  state: GatewayHandshakeState,
  clientMaterial: Uint8Array,
  crypto: CryptoProvider = defaultCrypto(),
): Uint8Array {
  verifyKeyMaterial({
    material: decodeKeyMaterial(clientMaterial),
    remoteIdentity: state.clientIdentity,
    remoteEphemeralKey: state.clientEphemeralKey,
    localEphemeralKey: state.ephemeralKey,
    sharedKey: state.sharedKey,
    crypto,
  });
  return state.sharedKey;
}
