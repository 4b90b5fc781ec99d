/**
 * Text (JSON) responses a gateway sends to its client (`ServerResponse`,
 * `common/gateway-requests/src/types/text_response.rs`): serde tags the variant as `"type"` in
 * camelCase and keeps fields snake_case. `protocol_version` and `upgrade_mode` default to 0 and
 * false when absent (older gateways omit them).
 *
 * @module
 */
import {
  byteArray,
  parseJsonObject,
  readBool,
  readByteArray,
  readObject,
  readSafeInt,
  readString,
  readType,
  readUint,
} from "./_json.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";

/** The typed errors of `typedError` (`SimpleGatewayRequestsError`). */
export type TypedGatewayError =
  | { readonly kind: "outOfBandwidth"; readonly required: number; readonly available: number }
  | { readonly kind: "ticketReplay" };

/** A gateway → client text response. */
export type ServerResponse =
  | {
    readonly type: "authenticate";
    readonly protocolVersion: number;
    readonly status: boolean;
    readonly bandwidthRemaining: number;
    readonly upgradeMode: boolean;
  }
  | {
    readonly type: "register";
    readonly protocolVersion: number;
    readonly status: boolean;
    readonly upgradeMode: boolean;
  }
  | { readonly type: "bandwidth"; readonly availableTotal: number; readonly upgradeMode: boolean }
  | { readonly type: "send"; readonly remainingBandwidth: number; readonly upgradeMode: boolean }
  | { readonly type: "supportedProtocol"; readonly version: number }
  | {
    readonly type: "encryptedResponse";
    readonly ciphertext: Uint8Array;
    readonly nonce: Uint8Array;
  }
  | { readonly type: "error"; readonly message: string }
  | { readonly type: "typedError"; readonly error: TypedGatewayError };

/**
 * Encodes a response as the JSON text of a WebSocket text frame.
 *
 * @example
 * ```ts
 * import { encodeServerResponse } from "./mod.ts";
 * console.log(encodeServerResponse({ type: "send", remainingBandwidth: 10, upgradeMode: false }));
 * // {"type":"send","remaining_bandwidth":10,"upgrade_mode":false}
 * ```
 */
export function encodeServerResponse(response: ServerResponse): string {
  switch (response.type) {
    case "authenticate":
      return JSON.stringify({
        type: response.type,
        protocol_version: response.protocolVersion,
        status: response.status,
        bandwidth_remaining: response.bandwidthRemaining,
        upgrade_mode: response.upgradeMode,
      });
    case "register":
      return JSON.stringify({
        type: response.type,
        protocol_version: response.protocolVersion,
        status: response.status,
        upgrade_mode: response.upgradeMode,
      });
    case "bandwidth":
      return JSON.stringify({
        type: response.type,
        available_total: response.availableTotal,
        upgrade_mode: response.upgradeMode,
      });
    case "send":
      return JSON.stringify({
        type: response.type,
        remaining_bandwidth: response.remainingBandwidth,
        upgrade_mode: response.upgradeMode,
      });
    case "supportedProtocol":
      return JSON.stringify({ type: response.type, version: response.version });
    case "encryptedResponse":
      return JSON.stringify({
        type: response.type,
        ciphertext: byteArray(response.ciphertext),
        nonce: byteArray(response.nonce),
      });
    case "error":
      return JSON.stringify({ type: response.type, message: response.message });
    case "typedError": {
      const e = response.error;
      const error = e.kind === "ticketReplay"
        ? "ticket_replay"
        : { out_of_bandwidth: { required: e.required, available: e.available } };
      return JSON.stringify({ type: response.type, error });
    }
  }
}

function decodeTypedError(value: unknown): TypedGatewayError {
  if (value === "ticket_replay") return { kind: "ticketReplay" };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "out_of_bandwidth") {
      const inner = readObject(obj, "out_of_bandwidth");
      return {
        kind: "outOfBandwidth",
        required: readSafeInt(inner, "required"),
        available: readSafeInt(inner, "available"),
      };
    }
  }
  throw new GatewayProtocolError("json", "unknown typed gateway error");
}

/**
 * Decodes a response. Throws {@linkcode GatewayProtocolError} of kind `json` or `unknown-type`.
 *
 * @example
 * ```ts
 * import { decodeServerResponse } from "./mod.ts";
 * const r = decodeServerResponse('{"type":"supportedProtocol","version":6}');
 * if (r.type === "supportedProtocol") console.log(r.version); // 6
 * ```
 */
export function decodeServerResponse(text: string): ServerResponse {
  const obj = parseJsonObject(text, "server response");
  const type = readType(obj, "server response");
  switch (type) {
    case "authenticate":
      return {
        type,
        protocolVersion: readUint(obj, "protocol_version", 255, 0),
        status: readBool(obj, "status"),
        bandwidthRemaining: readSafeInt(obj, "bandwidth_remaining"),
        upgradeMode: readBool(obj, "upgrade_mode", false),
      };
    case "register":
      return {
        type,
        protocolVersion: readUint(obj, "protocol_version", 255, 0),
        status: readBool(obj, "status"),
        upgradeMode: readBool(obj, "upgrade_mode", false),
      };
    case "bandwidth":
      return {
        type,
        availableTotal: readSafeInt(obj, "available_total"),
        upgradeMode: readBool(obj, "upgrade_mode", false),
      };
    case "send":
      return {
        type,
        remainingBandwidth: readSafeInt(obj, "remaining_bandwidth"),
        upgradeMode: readBool(obj, "upgrade_mode", false),
      };
    case "supportedProtocol":
      return { type, version: readUint(obj, "version", 255) };
    case "encryptedResponse":
      return {
        type,
        ciphertext: readByteArray(obj, "ciphertext"),
        nonce: readByteArray(obj, "nonce"),
      };
    case "error":
      return { type, message: readString(obj, "message") };
    case "typedError":
      return { type, error: decodeTypedError(obj.error) };
    default:
      throw new GatewayProtocolError("unknown-type", `unknown server response type "${type}"`);
  }
}
