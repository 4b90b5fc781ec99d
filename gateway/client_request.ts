/**
 * Text (JSON) control requests a client sends to its gateway (`ClientControlRequest`,
 * `common/gateway-requests/src/types/text_request/mod.rs`). serde tags the variant as `"type"` in
 * camelCase; fields stay snake_case except inside `authenticateV2`, whose fields are camelCase.
 * Byte vectors are JSON arrays of numbers; the `authenticateV2` ciphertext and nonce are base64.
 *
 * @module
 */
import {
  byteArray,
  type JsonObject,
  parseJsonObject,
  readBase64,
  readByteArray,
  readString,
  readType,
  readUint,
} from "./_json.ts";
import type { AuthenticateV2Request } from "./authenticate_v2.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";
import { toBase64 } from "../internal/encoding.ts";

/** A client → gateway control request. */
export type ClientRequest =
  | { readonly type: "supportedProtocol" }
  | {
    /** Decoded from `registerHandshakeInitRequest` and its alias `handshakePayload`. */
    readonly type: "registerHandshakeInitRequest";
    readonly protocolVersion: number;
    readonly data: Uint8Array;
  }
  | { readonly type: "authenticateV2"; readonly request: AuthenticateV2Request }
  | { readonly type: "claimFreeTestnetBandwidth" }
  | {
    readonly type: "ecashCredential";
    readonly encCredential: Uint8Array;
    /** Sent as `iv`; `nonce` is accepted as an alias. */
    readonly nonce: Uint8Array;
  }
  | { readonly type: "upgradeModeJWT"; readonly token: string }
  | {
    readonly type: "encryptedRequest";
    readonly ciphertext: Uint8Array;
    readonly nonce: Uint8Array;
  }
  | {
    /** Requests Nym no longer supports; their content is not decoded. */
    readonly type: "authenticate" | "bandwidthCredential" | "bandwidthCredentialV2";
  };

/**
 * Encodes a control request as the JSON text of a WebSocket text frame.
 *
 * @example
 * ```ts
 * import { encodeClientRequest } from "./mod.ts";
 * console.log(encodeClientRequest({ type: "supportedProtocol" })); // {"type":"supportedProtocol"}
 * ```
 */
export function encodeClientRequest(request: ClientRequest): string {
  switch (request.type) {
    case "registerHandshakeInitRequest":
      return JSON.stringify({
        type: request.type,
        protocol_version: request.protocolVersion,
        data: byteArray(request.data),
      });
    case "authenticateV2": {
      const r = request.request;
      return JSON.stringify({
        type: request.type,
        protocolVersion: r.protocolVersion,
        clientIdentity: byteArray(r.clientIdentity),
        addressCiphertext: toBase64(r.addressCiphertext),
        nonce: toBase64(r.nonce),
        requestUnixTimestamp: r.requestUnixTimestamp,
        requestSignature: byteArray(r.requestSignature),
      });
    }
    case "ecashCredential":
      return JSON.stringify({
        type: request.type,
        enc_credential: byteArray(request.encCredential),
        iv: byteArray(request.nonce),
      });
    case "upgradeModeJWT":
      return JSON.stringify({ type: request.type, token: request.token });
    case "encryptedRequest":
      return JSON.stringify({
        type: request.type,
        ciphertext: byteArray(request.ciphertext),
        nonce: byteArray(request.nonce),
      });
    default:
      return JSON.stringify({ type: request.type });
  }
}

function decodeAuthenticateV2(obj: JsonObject): AuthenticateV2Request {
  return {
    protocolVersion: readUint(obj, "protocolVersion", 255),
    clientIdentity: readByteArray(obj, "clientIdentity", 32),
    addressCiphertext: readBase64(obj, "addressCiphertext"),
    nonce: readBase64(obj, "nonce"),
    requestUnixTimestamp: readUint(obj, "requestUnixTimestamp", Number.MAX_SAFE_INTEGER),
    requestSignature: readByteArray(obj, "requestSignature", 64),
  };
}

/**
 * Decodes a control request. Throws {@linkcode GatewayProtocolError} of kind `json` (not JSON, or
 * a field of the wrong type), `length` (identity or signature of the wrong size) or
 * `unknown-type`. Unknown extra fields are ignored, as serde does.
 *
 * @example
 * ```ts
 * import { decodeClientRequest } from "./mod.ts";
 * const r = decodeClientRequest('{"type":"handshakePayload","protocol_version":3,"data":[1,2]}');
 * console.log(r.type); // "registerHandshakeInitRequest"
 * ```
 */
export function decodeClientRequest(text: string): ClientRequest {
  const obj = parseJsonObject(text, "client request");
  const type = readType(obj, "client request");
  switch (type) {
    case "supportedProtocol":
    case "claimFreeTestnetBandwidth":
    case "authenticate":
    case "bandwidthCredential":
    case "bandwidthCredentialV2":
      return { type };
    case "registerHandshakeInitRequest":
    case "handshakePayload":
      return {
        type: "registerHandshakeInitRequest",
        protocolVersion: readUint(obj, "protocol_version", 255, 0),
        data: readByteArray(obj, "data"),
      };
    case "authenticateV2":
      return { type, request: decodeAuthenticateV2(obj) };
    case "ecashCredential":
      return {
        type,
        encCredential: readByteArray(obj, "enc_credential"),
        nonce: readByteArray(obj, obj.iv === undefined ? "nonce" : "iv"),
      };
    case "upgradeModeJWT":
      return { type, token: readString(obj, "token") };
    case "encryptedRequest":
      return {
        type,
        ciphertext: readByteArray(obj, "ciphertext"),
        nonce: readByteArray(obj, "nonce"),
      };
    default:
      throw new GatewayProtocolError("unknown-type", `unknown client request type "${type}"`);
  }
}
