/**
 * Binary WebSocket frames between client and gateway
 * (`common/gateway-requests/src/types/{helpers,binary_request,binary_response}.rs`):
 *
 * ```text
 * kind (u8) ‖ encrypted flag (u8, 1) ‖ nonce (12) ‖ AES-256-GCM-SIV(shared key, nonce, body) ‖ tag (16)
 * ```
 *
 * Client → gateway kinds: 1 `ForwardSphinx` (mix packet v1), 2 `ForwardSphinxV2` (mix packet v2).
 * Gateway → client kind: 1 `PushedMixMessage` (the body is the message itself). Every frame Nym
 * sends today is encrypted; frames with the flag 0 are refused here.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { concatBytes } from "../internal/bytes.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";
import { decodeMixPacket, encodeMixPacket, type MixPacket } from "./mix_packet.ts";
import { AEAD_NONCE_LENGTH, decryptWithSharedKey, encryptWithSharedKey } from "./shared_key.ts";

/** Client → gateway kind: forward a v1 mix packet. */
export const FORWARD_SPHINX_KIND = 1;
/** Client → gateway kind: forward a v2 mix packet (with the key rotation byte). */
export const FORWARD_SPHINX_V2_KIND = 2;
/** Gateway → client kind: a message the gateway received for the client. */
export const PUSHED_MIX_MESSAGE_KIND = 1;
/** Bytes a frame adds around its body: kind, flag, nonce and tag. */
export const BINARY_FRAME_OVERHEAD: number = 2 + AEAD_NONCE_LENGTH + 16;

/** Options shared by the frame encoders and decoders. */
export interface BinaryFrameOptions {
  /** Primitive provider; `defaultCrypto()` by default. */
  readonly crypto?: CryptoProvider;
  /** Source of nonces; the platform CSPRNG by default. */
  readonly random?: RandomBytes;
}

/** A decoded client → gateway frame. */
export interface BinaryRequest {
  /** 1 for `ForwardSphinx`, 2 for `ForwardSphinxV2`. */
  readonly version: 1 | 2;
  /** The packet to forward. */
  readonly packet: MixPacket;
}

function seal(kind: number, body: Uint8Array, key: Uint8Array, o: BinaryFrameOptions): Uint8Array {
  const nonce = (o.random ?? systemRandom)(AEAD_NONCE_LENGTH);
  const ciphertext = encryptWithSharedKey(key, nonce, body, o.crypto ?? defaultCrypto());
  return concatBytes(Uint8Array.of(kind, 1), nonce, ciphertext);
}

function open(
  frame: Uint8Array,
  key: Uint8Array,
  kinds: readonly number[],
  o: BinaryFrameOptions,
): { kind: number; body: Uint8Array } {
  if (frame.length < 2) {
    throw new GatewayProtocolError("length", `binary frame of ${frame.length} bytes is too short`);
  }
  const flag = frame[1];
  if (flag !== 0 && flag !== 1) {
    throw new GatewayProtocolError("encryption-flag", `invalid encryption flag ${flag}`);
  }
  if (frame.length < 2 + AEAD_NONCE_LENGTH) {
    throw new GatewayProtocolError("length", `binary frame of ${frame.length} bytes has no nonce`);
  }
  const kind = frame[0];
  if (!kinds.includes(kind)) {
    throw new GatewayProtocolError("frame-kind", `unknown binary frame kind ${kind}`);
  }
  if (flag === 0) {
    throw new GatewayProtocolError("encryption-flag", "unencrypted binary frames are refused");
  }
  const nonce = frame.subarray(2, 2 + AEAD_NONCE_LENGTH);
  const body = decryptWithSharedKey(
    key,
    nonce,
    frame.subarray(2 + AEAD_NONCE_LENGTH),
    o.crypto ?? defaultCrypto(),
  );
  return { kind, body };
}

/**
 * Encrypts a mix packet into a `ForwardSphinx` (version 1) or `ForwardSphinxV2` (version 2) frame.
 *
 * @example
 * ```ts
 * import { encodeForwardFrame } from "./mod.ts";
 * import { encodeNodeAddress } from "../sphinx/mod.ts";
 * const frame = encodeForwardFrame({
 *   nextHop: encodeNodeAddress("127.0.0.1:1789"), packet: new Uint8Array(2413),
 *   keyRotation: 2, packetType: 0,
 * }, 2, new Uint8Array(32));
 * console.log(frame.length); // 2452
 * ```
 */
export function encodeForwardFrame(
  packet: MixPacket,
  version: 1 | 2,
  sharedKey: Uint8Array,
  options: BinaryFrameOptions = {},
): Uint8Array {
  const kind = version === 2 ? FORWARD_SPHINX_V2_KIND : FORWARD_SPHINX_KIND;
  return seal(kind, encodeMixPacket(packet, version), sharedKey, options);
}

/**
 * Decrypts and parses a client → gateway frame. Throws {@linkcode GatewayProtocolError} of kind
 * `length`, `encryption-flag`, `frame-kind`, `aead` or one of the mix packet kinds.
 *
 * @example
 * ```ts
 * import { decodeBinaryRequest, encodeForwardFrame } from "./mod.ts";
 * import { encodeNodeAddress } from "../sphinx/mod.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const frame = encodeForwardFrame({
 *   nextHop: encodeNodeAddress("127.0.0.1:1789"), packet: new Uint8Array(2413),
 *   keyRotation: 1, packetType: 0,
 * }, 2, key);
 * console.log(decodeBinaryRequest(frame, key).packet.keyRotation); // 1
 * ```
 */
export function decodeBinaryRequest(
  frame: Uint8Array,
  sharedKey: Uint8Array,
  options: BinaryFrameOptions = {},
): BinaryRequest {
  const { kind, body } = open(
    frame,
    sharedKey,
    [FORWARD_SPHINX_KIND, FORWARD_SPHINX_V2_KIND],
    options,
  );
  const version = kind === FORWARD_SPHINX_V2_KIND ? 2 : 1;
  return { version, packet: decodeMixPacket(body, version) };
}

/**
 * Encrypts a message for the client into a `PushedMixMessage` frame.
 *
 * @example
 * ```ts
 * import { encodePushedMessageFrame } from "./mod.ts";
 * console.log(encodePushedMessageFrame(new Uint8Array(21), new Uint8Array(32)).length); // 51
 * ```
 */
export function encodePushedMessageFrame(
  message: Uint8Array,
  sharedKey: Uint8Array,
  options: BinaryFrameOptions = {},
): Uint8Array {
  return seal(PUSHED_MIX_MESSAGE_KIND, message, sharedKey, options);
}

/**
 * Decrypts a gateway → client frame and returns the pushed message. Throws
 * {@linkcode GatewayProtocolError} of kind `length`, `encryption-flag`, `frame-kind` or `aead`.
 *
 * @example
 * ```ts
 * import { decodePushedMessageFrame, encodePushedMessageFrame } from "./mod.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const frame = encodePushedMessageFrame(Uint8Array.of(7), key);
 * console.log(decodePushedMessageFrame(frame, key)); // Uint8Array(1) [ 7 ]
 * ```
 */
export function decodePushedMessageFrame(
  frame: Uint8Array,
  sharedKey: Uint8Array,
  options: BinaryFrameOptions = {},
): Uint8Array {
  return open(frame, sharedKey, [PUSHED_MIX_MESSAGE_KIND], options).body;
}
