/**
 * `authenticateV2`: how a registered client proves it holds the shared key
 * (`common/gateway-requests/src/types/text_request/authenticate.rs`).
 *
 * The client encrypts its destination address (its 32-byte Ed25519 identity) under the shared
 * key with a fresh nonce and signs
 * `protocol_version (u8) ‖ identity (32) ‖ address_ciphertext (48) ‖ nonce (12) ‖ timestamp (u64 BE)`.
 * The gateway checks, in this order: the protocol version, the timestamp skew, the signature,
 * that it holds a key, the ciphertext, and that the timestamp is newer than the last one used.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { concatBytes, constantTimeEqual, u64be } from "../internal/bytes.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";
import { AUTHENTICATE_V2_PROTOCOL_VERSION, CURRENT_PROTOCOL_VERSION } from "./protocol_version.ts";
import { AEAD_NONCE_LENGTH, SHARED_KEY_LENGTH } from "./shared_key.ts";

/** The largest accepted distance between a request timestamp and the gateway's clock. */
export const MAX_REQUEST_TIMESTAMP_SKEW_SECONDS = 120;

/** An `authenticateV2` request, with its fields as the wire carries them. */
export interface AuthenticateV2Request {
  /** The protocol version the client asks for (4 or above). */
  readonly protocolVersion: number;
  /** The client's Ed25519 identity public key, 32 bytes. */
  readonly clientIdentity: Uint8Array;
  /** AES-256-GCM-SIV of the identity under the shared key: 48 bytes for a valid request. */
  readonly addressCiphertext: Uint8Array;
  /** The AEAD nonce, 12 bytes for a valid request. */
  readonly nonce: Uint8Array;
  /** Seconds since the Unix epoch when the request was made. */
  readonly requestUnixTimestamp: number;
  /** Ed25519 signature of {@linkcode authenticateV2SignedBytes}, 64 bytes. */
  readonly requestSignature: Uint8Array;
}

/** Options of {@linkcode createAuthenticateV2Request}. */
export interface CreateAuthenticateV2Options {
  /** The protocol version to request. */
  readonly protocolVersion: number;
  /** The 32-byte AES-256-GCM-SIV key from the registration handshake. */
  readonly sharedKey: Uint8Array;
  /** The client's 32-byte Ed25519 secret seed. */
  readonly identitySecretKey: Uint8Array;
  /** The current time in milliseconds since the Unix epoch. */
  readonly nowMs: number;
  /** Primitive provider; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
  /** Source of the nonce; the platform CSPRNG by default. */
  readonly random?: RandomBytes;
}

/**
 * The bytes the client signs:
 * `protocol_version (u8) ‖ identity ‖ address_ciphertext ‖ nonce ‖ timestamp (u64 BE)`.
 *
 * @example
 * ```ts
 * import { authenticateV2SignedBytes } from "./mod.ts";
 * const bytes = authenticateV2SignedBytes({
 *   protocolVersion: 6, clientIdentity: new Uint8Array(32), addressCiphertext: new Uint8Array(48),
 *   nonce: new Uint8Array(12), requestUnixTimestamp: 1, requestSignature: new Uint8Array(64),
 * });
 * console.log(bytes.length); // 101
 * ```
 */
export function authenticateV2SignedBytes(request: AuthenticateV2Request): Uint8Array {
  return concatBytes(
    Uint8Array.of(request.protocolVersion & 0xff),
    request.clientIdentity,
    request.addressCiphertext,
    request.nonce,
    u64be(BigInt(request.requestUnixTimestamp)),
  );
}

/**
 * Builds and signs an `authenticateV2` request for a client that registered before.
 *
 * @example
 * ```ts
 * import { createAuthenticateV2Request } from "./mod.ts";
 * const request = createAuthenticateV2Request({
 *   protocolVersion: 6,
 *   sharedKey: crypto.getRandomValues(new Uint8Array(32)),
 *   identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   nowMs: Date.now(),
 * });
 * console.log(request.addressCiphertext.length); // 48
 * ```
 */
export function createAuthenticateV2Request(
  options: CreateAuthenticateV2Options,
): AuthenticateV2Request {
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  if (options.sharedKey.length !== SHARED_KEY_LENGTH) {
    throw new GatewayProtocolError("length", `shared key must be ${SHARED_KEY_LENGTH} bytes`);
  }
  const clientIdentity = crypto.ed25519PublicKey(options.identitySecretKey);
  const nonce = random(AEAD_NONCE_LENGTH);
  const unsigned: AuthenticateV2Request = {
    protocolVersion: options.protocolVersion,
    clientIdentity,
    addressCiphertext: crypto.aes256GcmSivEncrypt(options.sharedKey, nonce, clientIdentity),
    nonce,
    requestUnixTimestamp: Math.floor(options.nowMs / 1000),
    requestSignature: new Uint8Array(0),
  };
  const requestSignature = crypto.ed25519Sign(
    options.identitySecretKey,
    authenticateV2SignedBytes(unsigned),
  );
  return { ...unsigned, requestSignature };
}

/** What the gateway holds for a registered client. */
export interface AuthenticateV2Stored {
  /** The shared key from registration. */
  readonly sharedKey: Uint8Array;
  /** The timestamp (Unix seconds) of the last successful `authenticateV2`, if any. */
  readonly lastAuthTimestamp?: number;
}

/** Options of {@linkcode verifyAuthenticateV2Request}. */
export interface VerifyAuthenticateV2Options {
  /** The stored record for `request.clientIdentity`, or `undefined` if it never registered. */
  readonly stored: AuthenticateV2Stored | undefined;
  /** The gateway's clock, milliseconds since the Unix epoch. */
  readonly nowMs: number;
  /** Allowed clock skew in seconds; {@linkcode MAX_REQUEST_TIMESTAMP_SKEW_SECONDS} by default. */
  readonly maxSkewSeconds?: number;
  /** The gateway's own protocol version; `CURRENT_PROTOCOL_VERSION` by default. */
  readonly maxProtocolVersion?: number;
  /** Primitive provider; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
}

/**
 * Runs the gateway's checks in Nym's order and returns the negotiated protocol version (the
 * client's). Throws {@linkcode GatewayProtocolError} of kind `protocol-version`, `timestamp`,
 * `signature`, `not-registered`, `length` (nonce), `ciphertext` or `replay`.
 *
 * @example
 * ```ts
 * import { createAuthenticateV2Request, verifyAuthenticateV2Request } from "./mod.ts";
 * const sharedKey = crypto.getRandomValues(new Uint8Array(32));
 * const request = createAuthenticateV2Request({
 *   protocolVersion: 6, sharedKey, identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
 *   nowMs: Date.now(),
 * });
 * console.log(verifyAuthenticateV2Request(request, { stored: { sharedKey }, nowMs: Date.now() })); // 6
 * ```
 */
export function verifyAuthenticateV2Request(
  request: AuthenticateV2Request,
  options: VerifyAuthenticateV2Options,
): number {
  const crypto = options.crypto ?? defaultCrypto();
  const ours = options.maxProtocolVersion ?? CURRENT_PROTOCOL_VERSION;
  const version = request.protocolVersion;
  if (version < AUTHENTICATE_V2_PROTOCOL_VERSION || version > ours) {
    throw new GatewayProtocolError(
      "protocol-version",
      `incompatible protocol version: ours is ${ours} and the client reports ${version}`,
    );
  }
  const skewMs = (options.maxSkewSeconds ?? MAX_REQUEST_TIMESTAMP_SKEW_SECONDS) * 1000;
  const requestMs = request.requestUnixTimestamp * 1000;
  if (requestMs < options.nowMs - skewMs || requestMs - skewMs > options.nowMs) {
    throw new GatewayProtocolError(
      "timestamp",
      `request timestamp ${request.requestUnixTimestamp} is excessively skewed from ${
        Math.floor(options.nowMs / 1000)
      }`,
    );
  }
  if (
    request.clientIdentity.length !== 32 || request.requestSignature.length !== 64 ||
    !crypto.ed25519Verify(
      request.requestSignature,
      authenticateV2SignedBytes(request),
      request.clientIdentity,
    )
  ) {
    throw new GatewayProtocolError("signature", "failed to verify request signature");
  }
  const stored = options.stored;
  if (stored === undefined) {
    throw new GatewayProtocolError("not-registered", "the client is not registered");
  }
  if (request.nonce.length !== AEAD_NONCE_LENGTH) {
    throw new GatewayProtocolError("length", `nonce must be ${AEAD_NONCE_LENGTH} bytes`);
  }
  const expected = crypto.aes256GcmSivEncrypt(
    stored.sharedKey,
    request.nonce,
    request.clientIdentity,
  );
  if (!constantTimeEqual(expected, request.addressCiphertext)) {
    throw new GatewayProtocolError("ciphertext", "failed to verify provided address ciphertext");
  }
  if (
    stored.lastAuthTimestamp !== undefined &&
    request.requestUnixTimestamp <= stored.lastAuthTimestamp
  ) {
    throw new GatewayProtocolError(
      "replay",
      "the request timestamp is smaller than or equal to one previously used",
    );
  }
  return version;
}
