/**
 * The Nym client ↔ gateway WebSocket protocol: control messages (JSON text frames), the
 * registration handshake, `authenticateV2`, encrypted binary frames, mix packets, and
 * {@linkcode GatewayClient}, which drives one connection over an injected `WebSocket`.
 *
 * Pure codecs use Web-standard APIs only and throw {@linkcode GatewayProtocolError} for anything
 * malformed that comes from the network.
 *
 * @example Control messages
 * ```ts
 * import { decodeServerResponse, encodeClientRequest } from "./mod.ts";
 * console.log(encodeClientRequest({ type: "claimFreeTestnetBandwidth" }));
 * // {"type":"claimFreeTestnetBandwidth"}
 * const response = decodeServerResponse('{"type":"bandwidth","available_total":68719476736}');
 * if (response.type === "bandwidth") console.log(response.availableTotal); // 68719476736
 * ```
 *
 * @module
 */
export { GatewayProtocolError, type GatewayProtocolErrorKind } from "./gateway_protocol_error.ts";
export {
  AES_GCM_SIV_PROTOCOL_VERSION,
  AUTHENTICATE_V2_PROTOCOL_VERSION,
  CURRENT_PROTOCOL_VERSION,
  KEY_ROTATION_PROTOCOL_VERSION,
  UPGRADE_MODE_PROTOCOL_VERSION,
  usesForwardSphinxV2,
} from "./protocol_version.ts";
export {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  decryptWithSharedKey,
  encryptWithSharedKey,
  SHARED_KEY_LENGTH,
} from "./shared_key.ts";
export { type ClientRequest, decodeClientRequest, encodeClientRequest } from "./client_request.ts";
export {
  decodeServerResponse,
  encodeServerResponse,
  type ServerResponse,
  type TypedGatewayError,
} from "./server_response.ts";
export { decodeHandshakeText, encodeHandshakeText, type HandshakeText } from "./handshake_text.ts";
export {
  CLIENT_MATERIAL_LENGTH,
  type ClientHandshakeState,
  decodeFinalization,
  decodeGatewayKeyMaterial,
  decodeHandshakeInit,
  decodeKeyMaterial,
  deriveHandshakeKey,
  encodeFinalization,
  encodeGatewayKeyMaterial,
  encodeHandshakeInit,
  encodeKeyMaterial,
  finishGatewayHandshake,
  GATEWAY_MATERIAL_LENGTH,
  type GatewayHandshakeState,
  type GatewayKeyMaterial,
  HANDSHAKE_INIT_LENGTH,
  type HandshakeInit,
  KDF_SALT_LENGTH,
  type KeyMaterial,
  respondToClientInit,
  respondToGatewayMaterial,
  SIGNATURE_CIPHERTEXT_LENGTH,
  signKeyMaterial,
  startClientHandshake,
  verifyKeyMaterial,
} from "./registration_handshake.ts";
export {
  type AuthenticateV2Request,
  authenticateV2SignedBytes,
  type AuthenticateV2Stored,
  type CreateAuthenticateV2Options,
  createAuthenticateV2Request,
  MAX_REQUEST_TIMESTAMP_SKEW_SECONDS,
  type VerifyAuthenticateV2Options,
  verifyAuthenticateV2Request,
} from "./authenticate_v2.ts";
export {
  decodeMixPacket,
  encodeMixPacket,
  type KeyRotation,
  keyRotationFromId,
  type MixPacket,
  PACKET_TYPE_MIX,
  PACKET_TYPE_OUTFOX,
} from "./mix_packet.ts";
export {
  BINARY_FRAME_OVERHEAD,
  type BinaryFrameOptions,
  type BinaryRequest,
  decodeBinaryRequest,
  decodePushedMessageFrame,
  encodeForwardFrame,
  encodePushedMessageFrame,
  FORWARD_SPHINX_KIND,
  FORWARD_SPHINX_V2_KIND,
  PUSHED_MIX_MESSAGE_KIND,
} from "./binary_frame.ts";
export { type GatewayKeyStorage, MemoryGatewayKeyStorage } from "./key_storage.ts";
export {
  DEFAULT_AUTHENTICATION_TIMEOUT_MS,
  DEFAULT_BANDWIDTH_THRESHOLD,
  DEFAULT_STEP_TIMEOUT_MS,
  GatewayClient,
  type GatewayClientOptions,
  type GatewayClientState,
  type GatewayCloseEvent,
  type GatewayConnection,
  ONLY_CREDENTIALS_MESSAGE,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./gateway_client.ts";

// Types that the exports above mention in their signatures.
export type { CryptoProvider } from "../crypto/crypto_provider.ts";
export type { RandomBytes } from "../internal/random.ts";

// The clock type `GatewayClientOptions.clock` takes (one `Clock` type across the library).
export type { Clock, TimerHandle } from "../internal/clock.ts";
