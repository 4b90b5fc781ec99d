/**
 * The seed API's two JSON forms, told apart by a `type` field:
 *
 * - the 0.x JSON API (`nymtech/nym` `nym-client/src/sockets/ws.rs`, serde `tag = "type"`,
 *   camelCase): `{"type":"send","message":"…","recipient_address":"…"}`, `{"type":"fetch"}`,
 *   `{"type":"getClients"}`, `{"type":"ownDetails"}`; answered `{"type":"send"}`,
 *   `{"type":"fetch","messages":[…]}`, `{"type":"getClients","clients":[…]}`,
 *   `{"type":"ownDetails","address":"…"}` or `{"type":"error","message":"…"}`;
 * - jsonpb (golang/protobuf v1.3.2) of the 2019 `types.Request`/`types.Response`: a single oneof
 *   key (`send`, `fetch`, `clients`, `details`, `flush`), `bytes` as standard base64,
 *   `ClientConfig` keys `id|Id`, `host|Host`, `port|Port`, `pubKey|PubKey`, `provider|Provider`,
 *   `layer|Layer` (a uint64, quoted); unknown keys are refused; responses indented by two spaces
 *   with default values left out.
 *
 * @module
 */
import { fromBase64, toBase64 } from "../internal/encoding.ts";
import type {
  SeedClientConfig,
  SeedMixConfig,
  SeedRequest,
  SeedResponse,
} from "./seed_protobuf.ts";

/**
 * A text request that is not valid in either JSON form.
 *
 * @example
 * ```ts
 * import { decodeSeedText, SeedJsonError } from "./seed_json.ts";
 * try {
 *   decodeSeedText('{"type":"send"}');
 * } catch (error) {
 *   console.log(error instanceof SeedJsonError && error.form); // "legacy"
 * }
 * ```
 */
export class SeedJsonError extends Error {
  /** The form the request was read as (`legacy` when it has a `type`). */
  readonly form: SeedTextForm;

  /** Builds an error for `form`. */
  constructor(form: SeedTextForm, message: string) {
    super(message);
    this.name = "SeedJsonError";
    this.form = form;
  }
}

/** `legacy`: the 0.x JSON API; `jsonpb`: the 2019 protobuf schema as JSON. */
export type SeedTextForm = "legacy" | "jsonpb";

/** A decoded text request and the form to answer in. */
export interface SeedTextRequest {
  /** The form of the request. */
  readonly form: SeedTextForm;
  /** The request, mapped onto the protobuf schema. */
  readonly request: SeedRequest;
}

const utf8 = new TextEncoder();
const LEGACY_TYPES: Readonly<Record<string, SeedRequest["type"]>> = {
  send: "send",
  fetch: "fetch",
  getClients: "clients",
  ownDetails: "details",
};

/**
 * Decodes a text frame of the seed API; throws {@linkcode SeedJsonError}.
 *
 * @example
 * ```ts
 * import { decodeSeedText } from "./seed_json.ts";
 * console.log(decodeSeedText('{"type":"fetch"}')); // { form: "legacy", request: { type: "fetch" } }
 * console.log(decodeSeedText('{"details":{}}').request); // { type: "details" }
 * ```
 */
export function decodeSeedText(text: string): SeedTextRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedJsonError("jsonpb", `not JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new SeedJsonError("jsonpb", "a request is a JSON object");
  if ("type" in json) return { form: "legacy", request: decodeLegacy(json) };
  return { form: "jsonpb", request: decodeJsonpb(json) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeLegacy(json: Record<string, unknown>): SeedRequest {
  const fail = (message: string) => new SeedJsonError("legacy", message);
  const type = typeof json.type === "string" ? LEGACY_TYPES[json.type] : undefined;
  if (!type || !Object.hasOwn(LEGACY_TYPES, json.type as string)) {
    throw fail(
      `unknown variant \`${String(json.type)}\`, expected one of \`send\`, \`fetch\`, ` +
        "`getClients`, `ownDetails`",
    );
  }
  if (type !== "send") return { type } as SeedRequest;
  if (typeof json.message !== "string") throw fail("missing or invalid field `message`");
  if (typeof json.recipient_address !== "string") {
    throw fail("missing or invalid field `recipient_address`");
  }
  return {
    type: "send",
    message: utf8.encode(json.message),
    recipient: { id: json.recipient_address },
  };
}

/** `obj[a] ?? obj[b]`, refusing both at once. */
function either(obj: Record<string, unknown>, names: readonly string[]): unknown {
  const present = names.filter((n) => Object.hasOwn(obj, n));
  if (present.length > 1) {
    throw new SeedJsonError("jsonpb", `both ${present.join(" and ")} given`);
  }
  return present.length ? obj[present[0]] : undefined;
}

function only(obj: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new SeedJsonError("jsonpb", `unknown field "${key}" in ${what}`);
    }
  }
}

function jsonString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new SeedJsonError("jsonpb", `${what} is a string`);
  return value;
}

function jsonBytes(value: unknown, what: string): Uint8Array | undefined {
  const text = jsonString(value, what);
  if (text === undefined) return undefined;
  try {
    return fromBase64(text);
  } catch {
    throw new SeedJsonError("jsonpb", `${what} is not standard base64`);
  }
}

function jsonUint64(value: unknown, what: string): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) {
    throw new SeedJsonError("jsonpb", `${what} is not a uint64`);
  }
  return BigInt(text);
}

function jsonMessage(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new SeedJsonError("jsonpb", `${what} is an object`);
  return value;
}

const CONFIG_KEYS = ["Id", "id", "Host", "host", "Port", "port", "PubKey", "pubKey"] as const;

function decodeMix(obj: Record<string, unknown>): SeedMixConfig {
  only(obj, [...CONFIG_KEYS, "Layer", "layer"], "MixConfig");
  const out: { -readonly [K in keyof SeedMixConfig]: SeedMixConfig[K] } = {};
  const id = jsonString(either(obj, ["Id", "id"]), "MixConfig.id");
  const host = jsonString(either(obj, ["Host", "host"]), "MixConfig.host");
  const port = jsonString(either(obj, ["Port", "port"]), "MixConfig.port");
  const pubKey = jsonBytes(either(obj, ["PubKey", "pubKey"]), "MixConfig.pubKey");
  const layer = jsonUint64(either(obj, ["Layer", "layer"]), "MixConfig.layer");
  if (id !== undefined) out.id = id;
  if (host !== undefined) out.host = host;
  if (port !== undefined) out.port = port;
  if (pubKey !== undefined) out.pubKey = pubKey;
  if (layer !== undefined) out.layer = layer;
  return out;
}

function decodeClient(obj: Record<string, unknown>): SeedClientConfig {
  only(obj, [...CONFIG_KEYS, "Provider", "provider"], "ClientConfig");
  const out: { -readonly [K in keyof SeedClientConfig]: SeedClientConfig[K] } = {};
  const id = jsonString(either(obj, ["Id", "id"]), "ClientConfig.id");
  const host = jsonString(either(obj, ["Host", "host"]), "ClientConfig.host");
  const port = jsonString(either(obj, ["Port", "port"]), "ClientConfig.port");
  const pubKey = jsonBytes(either(obj, ["PubKey", "pubKey"]), "ClientConfig.pubKey");
  const provider = jsonMessage(either(obj, ["Provider", "provider"]), "ClientConfig.provider");
  if (id !== undefined) out.id = id;
  if (host !== undefined) out.host = host;
  if (port !== undefined) out.port = port;
  if (pubKey !== undefined) out.pubKey = pubKey;
  if (provider !== undefined) out.provider = decodeMix(provider);
  return out;
}

function decodeJsonpb(json: Record<string, unknown>): SeedRequest {
  only(json, ["send", "fetch", "clients", "details", "flush"], "Request");
  const set = Object.keys(json).filter((k) => json[k] !== null);
  if (set.length > 1) {
    throw new SeedJsonError("jsonpb", `oneof field "value" is already set (${set.join(", ")})`);
  }
  if (set.length === 0) return { type: "none" };
  const type = set[0] as "send" | "fetch" | "clients" | "details" | "flush";
  const body = jsonMessage(json[type], `Request.${type}`)!;
  if (type !== "send") {
    only(body, [], `Request.${type}`);
    return { type };
  }
  only(body, ["message", "recipient"], "RequestSendMessage");
  const message = jsonBytes(body.message, "RequestSendMessage.message");
  const recipient = jsonMessage(body.recipient, "RequestSendMessage.recipient");
  return {
    type: "send",
    ...(message !== undefined ? { message } : {}),
    ...(recipient !== undefined ? { recipient: decodeClient(recipient) } : {}),
  };
}

function mixJson(config: SeedMixConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.id) out.id = config.id;
  if (config.host) out.host = config.host;
  if (config.port) out.port = config.port;
  if (config.pubKey?.length) out.pubKey = toBase64(config.pubKey);
  if (config.layer) out.layer = config.layer.toString();
  return out;
}

function clientJson(config: SeedClientConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.id) out.id = config.id;
  if (config.host) out.host = config.host;
  if (config.port) out.port = config.port;
  if (config.pubKey?.length) out.pubKey = toBase64(config.pubKey);
  if (config.provider) out.provider = mixJson(config.provider);
  return out;
}

/**
 * Encodes a response as jsonpb (two-space indent, defaults left out).
 *
 * @example
 * ```ts
 * import { encodeSeedJsonpb } from "./seed_json.ts";
 * console.log(JSON.parse(encodeSeedJsonpb({ type: "exception", error: "x" })));
 * // { exception: { error: "x" } }
 * ```
 */
export function encodeSeedJsonpb(response: SeedResponse): string {
  let body: Record<string, unknown> = {};
  switch (response.type) {
    case "exception":
      if (response.error) body = { error: response.error };
      break;
    case "fetch":
      if (response.messages.length) body = { messages: response.messages.map(toBase64) };
      break;
    case "clients":
      if (response.clients.length) body = { clients: response.clients.map(clientJson) };
      break;
    case "details":
      if (response.details) body = { details: clientJson(response.details) };
      break;
  }
  return JSON.stringify({ [response.type]: body }, null, 2);
}

const lossyUtf8 = new TextDecoder();

/**
 * Encodes a response in the 0.x JSON form. Received messages are text in that API: invalid UTF-8
 * is replaced by U+FFFD. `dropped` (messages lost to the bounded fetch buffer) is added to a
 * `fetch` answer when not zero.
 *
 * @example
 * ```ts
 * import { encodeSeedLegacy } from "./seed_json.ts";
 * console.log(encodeSeedLegacy({ type: "send" })); // '{"type":"send"}'
 * ```
 */
export function encodeSeedLegacy(response: SeedResponse, dropped = 0): string {
  switch (response.type) {
    case "send":
      return JSON.stringify({ type: "send" });
    case "fetch":
      return JSON.stringify({
        type: "fetch",
        messages: response.messages.map((m) => lossyUtf8.decode(m)),
        ...(dropped > 0 ? { dropped } : {}),
      });
    case "clients":
      return JSON.stringify({
        type: "getClients",
        clients: response.clients.map((c) => c.id ?? ""),
      });
    case "details":
      return JSON.stringify({ type: "ownDetails", address: response.details?.id ?? "" });
    case "exception":
      return JSON.stringify({ type: "error", message: response.error });
    case "flush":
      // no 0.x request maps onto flush; answered for completeness
      return JSON.stringify({ type: "flush" });
  }
}
