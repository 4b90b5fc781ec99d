// Strict readers for serde-shaped JSON objects. Every failure is a GatewayProtocolError("json").
import { fromBase64, toBase64 } from "../internal/encoding.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";

export type JsonObject = Record<string, unknown>;

export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new GatewayProtocolError("json", `${what} is not valid JSON`, { cause });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new GatewayProtocolError("json", `${what} is not a JSON object`);
  }
  return value as JsonObject;
}

export function readType(obj: JsonObject, what: string): string {
  const type = obj.type;
  if (typeof type !== "string") {
    throw new GatewayProtocolError("unknown-type", `${what} has no string "type" tag`);
  }
  return type;
}

function fail(field: string, expected: string): never {
  throw new GatewayProtocolError("json", `field "${field}" must be ${expected}`);
}

/** A JSON array of integers 0..255 (serde's `Vec<u8>` / fixed byte arrays). */
export function readByteArray(obj: JsonObject, field: string, length?: number): Uint8Array {
  const value = obj[field];
  if (!Array.isArray(value)) fail(field, "an array of bytes");
  if (length !== undefined && value.length !== length) {
    throw new GatewayProtocolError(
      "length",
      `field "${field}" must hold ${length} bytes, got ${value.length}`,
    );
  }
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const b = value[i];
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) {
      fail(field, "an array of integers 0..255");
    }
    out[i] = b;
  }
  return out;
}

/** A standard, padded base64 string (`nym_serde_helpers::base64`). */
export function readBase64(obj: JsonObject, field: string): Uint8Array {
  const value = obj[field];
  if (typeof value !== "string") fail(field, "a base64 string");
  let out: Uint8Array;
  try {
    out = fromBase64(value);
  } catch (cause) {
    throw new GatewayProtocolError("json", `field "${field}" is not valid base64`, { cause });
  }
  // Reject non-canonical encodings, as Rust's `base64` STANDARD engine does.
  if (toBase64(out) !== value) fail(field, "canonical padded base64");
  return out;
}

/** An unsigned integer no larger than `max` (at most 2^53 - 1); `fallback` when absent. */
export function readUint(obj: JsonObject, field: string, max: number, fallback?: number): number {
  const value = obj[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    fail(field, `an integer 0..${max}`);
  }
  return value;
}

/** A signed 64-bit integer that fits a JavaScript number exactly. */
export function readSafeInt(obj: JsonObject, field: string): number {
  const value = obj[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    fail(field, "a (safe) integer");
  }
  return value;
}

export function readBool(obj: JsonObject, field: string, fallback?: boolean): boolean {
  const value = obj[field];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "boolean") fail(field, "a boolean");
  return value;
}

export function readString(obj: JsonObject, field: string): string {
  const value = obj[field];
  if (typeof value !== "string") fail(field, "a string");
  return value;
}

export function readObject(obj: JsonObject, field: string): JsonObject {
  const value = obj[field];
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(field, "an object");
  }
  return value as JsonObject;
}

/** Bytes as serde writes `Vec<u8>`: a JSON array of numbers. */
export function byteArray(bytes: Uint8Array): number[] {
  return Array.from(bytes);
}
