/**
 * The seed's protobuf messages (`nymtech/nym-mixnet` @ `67b5870e`, `client/rpc/types/types.proto`
 * and `config/structs.proto`): `Request`/`Response` with their oneofs, and `ClientConfig` /
 * `MixConfig`. A hand-written encoder and decoder for exactly this schema, proto3 rules:
 * default values are not written, unknown fields are skipped, the last of a repeated scalar
 * field wins, a repeated oneof member merges into the previous one.
 *
 * Field numbers: `Request{send=2, fetch=3, clients=4, details=5, flush=6}`,
 * `Response{exception=1, send=2, fetch=3, clients=4, details=5, flush=6}`,
 * `RequestSendMessage{message=1, recipient=2}`, `ResponseException{error=1}`,
 * `ResponseGetClients{clients=1}`, `ResponseOwnDetails{details=1}`,
 * `ResponseFetchMessages{messages=1}`, `ClientConfig{Id=1, Host=2, Port=3, PubKey=4, Provider=5}`,
 * `MixConfig{Id=1, Host=2, Port=3, PubKey=4, Layer=5}`.
 *
 * @module
 */

/** Why protobuf bytes could not be decoded. */
export type SeedProtobufErrorKind =
  | "truncated"
  | "varint-too-long"
  | "wire-type"
  | "field-number"
  | "utf8";

/**
 * Bytes that are not a valid protobuf message of the seed's schema.
 *
 * @example
 * ```ts
 * import { decodeSeedRequest, SeedProtobufError } from "./seed_protobuf.ts";
 * try {
 *   decodeSeedRequest(new Uint8Array([0x12, 0x05]));
 * } catch (error) {
 *   console.log(error instanceof SeedProtobufError && error.kind); // "truncated"
 * }
 * ```
 */
export class SeedProtobufError extends Error {
  /** What is wrong. */
  readonly kind: SeedProtobufErrorKind;

  /** Builds an error of `kind`. */
  constructor(kind: SeedProtobufErrorKind, message: string) {
    super(message);
    this.name = "SeedProtobufError";
    this.kind = kind;
  }
}

/** `config.MixConfig`: a mix node or provider (gateway). */
export interface SeedMixConfig {
  /** `Id` (field 1). */
  readonly id?: string;
  /** `Host` (field 2). */
  readonly host?: string;
  /** `Port` (field 3). */
  readonly port?: string;
  /** `PubKey` (field 4). */
  readonly pubKey?: Uint8Array;
  /** `Layer` (field 5, uint64). */
  readonly layer?: bigint;
}

/** `config.ClientConfig`: a client and its provider. */
export interface SeedClientConfig {
  /** `Id` (field 1); for us, the Nym address. */
  readonly id?: string;
  /** `Host` (field 2). */
  readonly host?: string;
  /** `Port` (field 3). */
  readonly port?: string;
  /** `PubKey` (field 4). */
  readonly pubKey?: Uint8Array;
  /** `Provider` (field 5). */
  readonly provider?: SeedMixConfig;
}

/** `types.Request`; `none` is a request with no oneof member set. */
export type SeedRequest =
  | {
    readonly type: "send";
    readonly message?: Uint8Array;
    readonly recipient?: SeedClientConfig;
  }
  | { readonly type: "fetch" }
  | { readonly type: "clients" }
  | { readonly type: "details" }
  | { readonly type: "flush" }
  | { readonly type: "none" };

/** `types.Response`. */
export type SeedResponse =
  | { readonly type: "exception"; readonly error: string }
  | { readonly type: "send" }
  | { readonly type: "fetch"; readonly messages: readonly Uint8Array[] }
  | { readonly type: "clients"; readonly clients: readonly SeedClientConfig[] }
  | { readonly type: "details"; readonly details?: SeedClientConfig }
  | { readonly type: "flush" };

const REQUEST_FIELDS = ["", "", "send", "fetch", "clients", "details", "flush"] as const;
const RESPONSE_FIELDS = ["", "exception", "send", "fetch", "clients", "details", "flush"] as const;

// ---- encoding -------------------------------------------------------------------------------

class Writer {
  #parts: number[] = [];

  varint(value: bigint | number): void {
    let v = BigInt(value);
    while (v > 0x7fn) {
      this.#parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#parts.push(Number(v));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    for (const b of value) this.#parts.push(b);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

const utf8 = new TextEncoder();

function encodeMixConfig(config: SeedMixConfig): Uint8Array {
  const w = new Writer();
  if (config.id) w.bytes(1, utf8.encode(config.id));
  if (config.host) w.bytes(2, utf8.encode(config.host));
  if (config.port) w.bytes(3, utf8.encode(config.port));
  if (config.pubKey && config.pubKey.length > 0) w.bytes(4, config.pubKey);
  if (config.layer) {
    w.tag(5, 0);
    w.varint(BigInt.asUintN(64, config.layer));
  }
  return w.finish();
}

/**
 * Encodes a `config.ClientConfig`.
 *
 * @example
 * ```ts
 * import { encodeSeedClientConfig } from "./seed_protobuf.ts";
 * console.log(encodeSeedClientConfig({ id: "a" })); // Uint8Array(3) [ 10, 1, 97 ]
 * ```
 */
export function encodeSeedClientConfig(config: SeedClientConfig): Uint8Array {
  const w = new Writer();
  if (config.id) w.bytes(1, utf8.encode(config.id));
  if (config.host) w.bytes(2, utf8.encode(config.host));
  if (config.port) w.bytes(3, utf8.encode(config.port));
  if (config.pubKey && config.pubKey.length > 0) w.bytes(4, config.pubKey);
  if (config.provider) w.bytes(5, encodeMixConfig(config.provider));
  return w.finish();
}

/**
 * Encodes a `types.Request` (a `none` request encodes to no bytes).
 *
 * @example
 * ```ts
 * import { encodeSeedRequest } from "./seed_protobuf.ts";
 * console.log(encodeSeedRequest({ type: "fetch" })); // Uint8Array(2) [ 26, 0 ]
 * ```
 */
export function encodeSeedRequest(request: SeedRequest): Uint8Array {
  const w = new Writer();
  if (request.type === "none") return w.finish();
  const field = REQUEST_FIELDS.indexOf(request.type);
  if (request.type === "send") {
    const inner = new Writer();
    if (request.message && request.message.length > 0) inner.bytes(1, request.message);
    if (request.recipient) inner.bytes(2, encodeSeedClientConfig(request.recipient));
    w.bytes(field, inner.finish());
  } else {
    w.bytes(field, new Uint8Array(0));
  }
  return w.finish();
}

/**
 * Encodes a `types.Response`.
 *
 * @example
 * ```ts
 * import { encodeSeedResponse } from "./seed_protobuf.ts";
 * console.log(encodeSeedResponse({ type: "flush" })); // Uint8Array(2) [ 50, 0 ]
 * ```
 */
export function encodeSeedResponse(response: SeedResponse): Uint8Array {
  const w = new Writer();
  const field = RESPONSE_FIELDS.indexOf(response.type);
  const inner = new Writer();
  switch (response.type) {
    case "exception":
      if (response.error) inner.bytes(1, utf8.encode(response.error));
      break;
    case "fetch":
      // repeated bytes: every element is written, empty ones too
      for (const message of response.messages) inner.bytes(1, message);
      break;
    case "clients":
      for (const client of response.clients) inner.bytes(1, encodeSeedClientConfig(client));
      break;
    case "details":
      if (response.details) inner.bytes(1, encodeSeedClientConfig(response.details));
      break;
    case "send":
    case "flush":
      break;
  }
  w.bytes(field, inner.finish());
  return w.finish();
}

// ---- decoding -------------------------------------------------------------------------------

type Field =
  | { readonly number: number; readonly wire: 0; readonly value: bigint }
  | { readonly number: number; readonly wire: 2; readonly value: Uint8Array }
  | { readonly number: number; readonly wire: 1 | 5; readonly value: undefined };

function readVarint(bytes: Uint8Array, at: { offset: number }): bigint {
  let result = 0n;
  for (let i = 0; i < 10; i++) {
    if (at.offset >= bytes.length) throw new SeedProtobufError("truncated", "truncated varint");
    const b = bytes[at.offset++];
    result |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
  }
  throw new SeedProtobufError("varint-too-long", "varint longer than 10 bytes");
}

/** The fields of one message, in order; groups (wire types 3 and 4) are rejected. */
function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  const at = { offset: 0 };
  while (at.offset < bytes.length) {
    const key = readVarint(bytes, at);
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number === 0 || key >> 3n > 0x1fffffffn) {
      throw new SeedProtobufError("field-number", `invalid field number ${key >> 3n}`);
    }
    if (wire === 0) {
      out.push({ number, wire, value: readVarint(bytes, at) });
    } else if (wire === 2) {
      const length = readVarint(bytes, at);
      if (length > BigInt(bytes.length - at.offset)) {
        throw new SeedProtobufError(
          "truncated",
          `field ${number} claims ${length} bytes, ${bytes.length - at.offset} left`,
        );
      }
      const end = at.offset + Number(length);
      out.push({ number, wire, value: bytes.subarray(at.offset, end) });
      at.offset = end;
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (at.offset + size > bytes.length) {
        throw new SeedProtobufError("truncated", `truncated fixed${size * 8} field ${number}`);
      }
      at.offset += size;
      out.push({ number, wire, value: undefined });
    } else {
      throw new SeedProtobufError("wire-type", `unsupported wire type ${wire} (field ${number})`);
    }
  }
  return out;
}

/** Fields numbered `known` must have `wire`; others are skipped (proto3 unknown fields). */
function expect(field: Field, wire: 0 | 2, what: string): void {
  if (field.wire !== wire) {
    throw new SeedProtobufError(
      "wire-type",
      `${what} (field ${field.number}) has wire type ${field.wire}, not ${wire}`,
    );
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function text(field: Field, what: string): string {
  expect(field, 2, what);
  try {
    return strictUtf8.decode(field.value as Uint8Array);
  } catch {
    throw new SeedProtobufError("utf8", `${what} is not valid UTF-8`);
  }
}

function blob(field: Field, what: string): Uint8Array {
  expect(field, 2, what);
  return (field.value as Uint8Array).slice();
}

function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (!a) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function decodeMixConfig(bytes: Uint8Array): SeedMixConfig {
  const out: { -readonly [K in keyof SeedMixConfig]: SeedMixConfig[K] } = {};
  for (const f of fields(bytes)) {
    if (f.number === 1) out.id = text(f, "MixConfig.Id");
    else if (f.number === 2) out.host = text(f, "MixConfig.Host");
    else if (f.number === 3) out.port = text(f, "MixConfig.Port");
    else if (f.number === 4) out.pubKey = blob(f, "MixConfig.PubKey");
    else if (f.number === 5) {
      expect(f, 0, "MixConfig.Layer");
      out.layer = f.value as bigint;
    }
  }
  return out;
}

/**
 * Decodes a `config.ClientConfig`; throws {@linkcode SeedProtobufError}.
 *
 * @example
 * ```ts
 * import { decodeSeedClientConfig } from "./seed_protobuf.ts";
 * console.log(decodeSeedClientConfig(new Uint8Array([10, 1, 97])).id); // "a"
 * ```
 */
export function decodeSeedClientConfig(bytes: Uint8Array): SeedClientConfig {
  const out: { -readonly [K in keyof SeedClientConfig]: SeedClientConfig[K] } = {};
  let provider: Uint8Array | undefined;
  for (const f of fields(bytes)) {
    if (f.number === 1) out.id = text(f, "ClientConfig.Id");
    else if (f.number === 2) out.host = text(f, "ClientConfig.Host");
    else if (f.number === 3) out.port = text(f, "ClientConfig.Port");
    else if (f.number === 4) out.pubKey = blob(f, "ClientConfig.PubKey");
    else if (f.number === 5) provider = concat(provider, blob(f, "ClientConfig.Provider"));
  }
  if (provider) out.provider = decodeMixConfig(provider);
  return out;
}

/**
 * Decodes a `types.Request`; throws {@linkcode SeedProtobufError}. A message with no oneof
 * member (empty bytes, or unknown fields only) decodes as `{ type: "none" }`.
 *
 * @example
 * ```ts
 * import { decodeSeedRequest } from "./seed_protobuf.ts";
 * console.log(decodeSeedRequest(new Uint8Array([0x2a, 0x00]))); // { type: "details" }
 * ```
 */
export function decodeSeedRequest(bytes: Uint8Array): SeedRequest {
  let chosen: { number: number; body: Uint8Array } | undefined;
  for (const f of fields(bytes)) {
    if (f.number < 2 || f.number > 6) continue;
    const body = blob(f, `Request.${REQUEST_FIELDS[f.number]}`);
    // a repeated oneof member merges into the previous one; another member replaces it
    chosen = chosen && chosen.number === f.number
      ? { number: f.number, body: concat(chosen.body, body) }
      : { number: f.number, body };
  }
  if (!chosen) return { type: "none" };
  const type = REQUEST_FIELDS[chosen.number] as Exclude<SeedRequest["type"], "none" | "">;
  // the empty messages' fields are all unknown, but must still be well-formed
  const inner = fields(chosen.body);
  if (type !== "send") return { type };
  let message: Uint8Array | undefined;
  let recipient: Uint8Array | undefined;
  for (const f of inner) {
    if (f.number === 1) message = blob(f, "RequestSendMessage.message");
    else if (f.number === 2) {
      recipient = concat(recipient, blob(f, "RequestSendMessage.recipient"));
    }
  }
  return {
    type,
    ...(message !== undefined ? { message } : {}),
    ...(recipient !== undefined ? { recipient: decodeSeedClientConfig(recipient) } : {}),
  };
}

/**
 * Decodes a `types.Response`; throws {@linkcode SeedProtobufError}, also for a response with no
 * oneof member.
 *
 * @example
 * ```ts
 * import { decodeSeedResponse } from "./seed_protobuf.ts";
 * console.log(decodeSeedResponse(new Uint8Array([0x12, 0x00]))); // { type: "send" }
 * ```
 */
export function decodeSeedResponse(bytes: Uint8Array): SeedResponse {
  let chosen: { number: number; body: Uint8Array } | undefined;
  for (const f of fields(bytes)) {
    if (f.number < 1 || f.number > 6) continue;
    const body = blob(f, `Response.${RESPONSE_FIELDS[f.number]}`);
    chosen = chosen && chosen.number === f.number
      ? { number: f.number, body: concat(chosen.body, body) }
      : { number: f.number, body };
  }
  if (!chosen) throw new SeedProtobufError("field-number", "response has no value");
  const inner = fields(chosen.body);
  switch (RESPONSE_FIELDS[chosen.number]) {
    case "exception": {
      let error = "";
      for (const f of inner) if (f.number === 1) error = text(f, "ResponseException.error");
      return { type: "exception", error };
    }
    case "fetch":
      return {
        type: "fetch",
        messages: inner.filter((f) => f.number === 1).map((f) =>
          blob(f, "ResponseFetchMessages.messages")
        ),
      };
    case "clients":
      return {
        type: "clients",
        clients: inner.filter((f) => f.number === 1).map((f) =>
          decodeSeedClientConfig(blob(f, "ResponseGetClients.clients"))
        ),
      };
    case "details": {
      let details: Uint8Array | undefined;
      for (const f of inner) {
        if (f.number === 1) details = concat(details, blob(f, "ResponseOwnDetails.details"));
      }
      return details ? { type: "details", details: decodeSeedClientConfig(details) } : {
        type: "details",
      };
    }
    case "send":
      return { type: "send" };
    default:
      return { type: "flush" };
  }
}
