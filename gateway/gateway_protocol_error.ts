/**
 * The one error type of the client ↔ gateway protocol, on both sides.
 *
 * @module
 */

/**
 * What went wrong:
 * - `json`: a text frame is not JSON, not an object, or a field has the wrong type or range
 * - `unknown-type`: the `type` tag of a control message is unknown (or absent)
 * - `length`: a handshake message, nonce, key, identity, signature or binary frame has the wrong length
 * - `encryption-flag`: the second byte of a binary frame is neither 0 nor 1
 * - `frame-kind`: the kind byte of a binary frame is unknown in that direction
 * - `aead`: AES-256-GCM-SIV decryption failed (wrong key, bit flip, truncation)
 * - `signature`: an Ed25519 signature does not verify
 * - `key`: an X25519 key exchange produced the all-zero secret (a low-order point)
 * - `packet-type`: a mix packet's type byte is not 0 (Sphinx); Outfox (2) is not supported here
 * - `key-rotation`: a mix packet's key rotation byte is not 0, 1 or 2
 * - `address`: a mix packet's next-hop node address cannot be parsed
 * - `packet-size`: a mix packet's length is not one of Nym's Sphinx packet sizes
 * - `protocol-version`: the peer's protocol version is unsupported (below 4, or in the future)
 * - `timestamp`: an `authenticateV2` timestamp is more than the allowed skew away from now
 * - `replay`: an `authenticateV2` timestamp is not newer than the last one used
 * - `not-registered`: `authenticateV2` for an identity the gateway holds no key for
 * - `ciphertext`: the `authenticateV2` address ciphertext does not match the stored key
 * - `handshake`: the registration handshake failed (remote `handshakeError`, failed finalization)
 * - `duplicate`: the gateway already serves a live session for this client
 * - `gateway-error`: the gateway answered with `error` or `typedError`
 * - `credentials-required`: the gateway enforces zk-nym credentials and refused the free
 *   bandwidth claim (`enforce_zk_nyms`); another gateway is needed
 * - `unexpected-response`: a well-formed response of the wrong type for the request
 * - `timeout`: a step did not complete in time
 * - `closed`: the WebSocket closed or failed
 * - `state`: the operation is not valid in the current connection state
 */
export type GatewayProtocolErrorKind =
  | "json"
  | "unknown-type"
  | "length"
  | "encryption-flag"
  | "frame-kind"
  | "aead"
  | "signature"
  | "key"
  | "packet-type"
  | "key-rotation"
  | "address"
  | "packet-size"
  | "protocol-version"
  | "timestamp"
  | "replay"
  | "not-registered"
  | "ciphertext"
  | "handshake"
  | "duplicate"
  | "gateway-error"
  | "credentials-required"
  | "unexpected-response"
  | "timeout"
  | "closed"
  | "state";

/**
 * Thrown by every codec of `gateway/` for malformed input from the network, and by
 * `GatewayClient` for protocol failures. Nothing else is thrown for bytes or JSON from the
 * network.
 *
 * @example
 * ```ts
 * import { decodeServerResponse, GatewayProtocolError } from "./mod.ts";
 * try {
 *   decodeServerResponse("{not json");
 * } catch (error) {
 *   if (error instanceof GatewayProtocolError) console.log(error.kind); // "json"
 * }
 * ```
 */
export class GatewayProtocolError extends Error {
  /** The category of the failure. */
  readonly kind: GatewayProtocolErrorKind;

  /** Builds an error of `kind` with a human-readable reason and an optional cause. */
  constructor(kind: GatewayProtocolErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GatewayProtocolError";
    this.kind = kind;
  }
}
