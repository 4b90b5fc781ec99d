// Strict readers for serde-shaped JSON. Every failure is a TopologyError of kind "json" or
// "shape" that names the path of the offending field.
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromBase58 } from "../internal/encoding.ts";
import { TopologyError } from "./topology_error.ts";

export type JsonObject = Record<string, unknown>;

export function shapeError(path: string, expected: string): TopologyError {
  return new TopologyError("shape", `${path || "response"} must be ${expected}`);
}

/** Parses a response body; invalid JSON is a `json` error. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TopologyError("json", `${what} is not valid JSON`, { cause });
  }
}

export function asObject(value: unknown, path: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw shapeError(path, "an object");
  }
  return value as JsonObject;
}

export function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** The value of an own property (`undefined` when absent). */
export function get(obj: JsonObject, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

export function asUint(value: unknown, max: number, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw shapeError(path, `an integer in 0..${max}`);
  }
  return value;
}

export const U8_MAX = 0xff;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;

export function readUint(obj: JsonObject, name: string, max: number, path: string): number {
  return asUint(get(obj, name), max, join(path, name));
}

/** A `usize`: any non-negative safe integer. */
export function readUsize(obj: JsonObject, name: string, path: string): number {
  return asUint(get(obj, name), Number.MAX_SAFE_INTEGER, join(path, name));
}

export function readString(obj: JsonObject, name: string, path: string): string {
  const value = get(obj, name);
  if (typeof value !== "string") throw shapeError(join(path, name), "a string");
  return value;
}

/** `Option<String>`: absent or `null` is `null`. */
export function readOptionalString(obj: JsonObject, name: string, path: string): string | null {
  const value = get(obj, name);
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw shapeError(join(path, name), "a string or null");
  return value;
}

/** `Option<u16>` / `Option<u32>`: absent or `null` is `null`. */
export function readOptionalUint(
  obj: JsonObject,
  name: string,
  max: number,
  path: string,
): number | null {
  const value = get(obj, name);
  if (value === undefined || value === null) return null;
  return asUint(value, max, join(path, name));
}

export function readBool(obj: JsonObject, name: string, path: string): boolean {
  const value = get(obj, name);
  if (typeof value !== "boolean") throw shapeError(join(path, name), "a boolean");
  return value;
}

export function readArray(obj: JsonObject, name: string, path: string): unknown[] {
  const value = get(obj, name);
  if (!Array.isArray(value)) throw shapeError(join(path, name), "an array");
  return value;
}

export function readU32Array(obj: JsonObject, name: string, path: string): number[] {
  const p = join(path, name);
  return readArray(obj, name, path).map((v, i) => asUint(v, U32_MAX, `${p}[${i}]`));
}

/**
 * A base58 public key of 32 bytes. Ed25519 keys must also decode to a curve point (Nym parses
 * them with curve25519-dalek, which accepts non-canonical encodings, hence ZIP-215 rules).
 */
export function readBase58Key(
  obj: JsonObject,
  name: string,
  curve: "ed25519" | "x25519",
  path: string,
): Uint8Array {
  const p = join(path, name);
  const text = readString(obj, name, path);
  return decodeBase58Key(text, curve, p);
}

export function decodeBase58Key(
  text: string,
  curve: "ed25519" | "x25519",
  path: string,
): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase58(text);
  } catch (cause) {
    throw new TopologyError("shape", `${path} is not valid base58`, { cause });
  }
  if (bytes.length !== 32) {
    throw new TopologyError("shape", `${path} decodes to ${bytes.length} bytes, expected 32`);
  }
  if (curve === "ed25519") {
    try {
      ed25519.Point.fromBytes(bytes, true);
    } catch (cause) {
      throw new TopologyError("shape", `${path} is not a valid ed25519 public key`, { cause });
    }
  }
  return bytes;
}
