/**
 * The JSON text frames that carry the registration handshake (`RegistrationHandshake`,
 * `common/gateway-requests/src/types/registration_handshake_wrapper.rs`):
 * `{"type":"handshakePayload","protocol_version":6,"data":[…]}` or
 * `{"type":"handshakeError","message":"…"}`. The client's first payload doubles as the
 * `registerHandshakeInitRequest` control request.
 *
 * @module
 */
import {
  byteArray,
  parseJsonObject,
  readByteArray,
  readString,
  readType,
  readUint,
} from "./_json.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";

/** One handshake text frame. */
export type HandshakeText =
  | {
    readonly type: "handshakePayload";
    /** The protocol version the sender proposes (serde default 0 when absent). */
    readonly protocolVersion: number;
    /** The handshake message bytes. */
    readonly data: Uint8Array;
  }
  | { readonly type: "handshakeError"; readonly message: string };

/**
 * Encodes a handshake text frame.
 *
 * @example
 * ```ts
 * import { encodeHandshakeText } from "./mod.ts";
 * console.log(encodeHandshakeText({ type: "handshakePayload", protocolVersion: 6, data: Uint8Array.of(1) }));
 * // {"type":"handshakePayload","protocol_version":6,"data":[1]}
 * ```
 */
export function encodeHandshakeText(message: HandshakeText): string {
  if (message.type === "handshakeError") {
    return JSON.stringify({ type: "handshakeError", message: message.message });
  }
  return JSON.stringify({
    type: "handshakePayload",
    protocol_version: message.protocolVersion,
    data: byteArray(message.data),
  });
}

/**
 * Decodes a handshake text frame; throws `json` or `unknown-type` for anything else.
 *
 * @example
 * ```ts
 * import { decodeHandshakeText } from "./mod.ts";
 * const m = decodeHandshakeText('{"type":"handshakePayload","data":[1]}');
 * if (m.type === "handshakePayload") console.log(m.protocolVersion, m.data); // 0 Uint8Array(1) [ 1 ]
 * ```
 */
export function decodeHandshakeText(text: string): HandshakeText {
  const obj = parseJsonObject(text, "handshake message");
  const type = readType(obj, "handshake message");
  switch (type) {
    case "handshakePayload":
      return {
        type,
        protocolVersion: readUint(obj, "protocol_version", 255, 0),
        data: readByteArray(obj, "data"),
      };
    case "handshakeError":
      return { type, message: readString(obj, "message") };
    default:
      throw new GatewayProtocolError("unknown-type", `unknown handshake message type "${type}"`);
  }
}
