/**
 * The exit protocol of Nym's network requester, byte for byte: the service-provider envelope
 * (`service-providers/common/src/interface/{request,response,control,version}.rs`), the socks5
 * requests and responses (`common/socks5/requests/src/{request,response,lib}.rs`) and their
 * legacy (unversioned) forms. Pure: bytes in, values out; every malformed input throws an
 * {@linkcode ExitProtocolError}.
 *
 * - A version byte below 3 means `Legacy` (no version byte at all), 3 and above `Versioned(n)`
 *   (`define_simple_version!`). Both current versions are 3.
 * - The 17-byte socket-data header differs by direction: requests carry
 *   `CONN_ID ‖ CLOSED ‖ SEQ`, responses `CLOSED ‖ CONN_ID ‖ SEQ` (kept for backwards
 *   compatibility in Nym's `SocketData`).
 *
 * @module
 */
import { Recipient } from "../message/recipient.ts";
import { BincodeReader, BincodeWriter } from "./_bincode.ts";
import { ExitProtocolError } from "./exit_error.ts";
import type { ExitPolicyAction, ExitPolicyRule } from "./exit_policy.ts";

/** A protocol version: `"legacy"` (no version byte) or a number ≥ 3. */
export type ProtocolVersion = "legacy" | number;

/** The interface and socks5 versions this implementation speaks (Nym's current: 3 and 3). */
export const CURRENT_VERSION = 3;

/** Length of the socket-data header after the flag: conn id, closed flag, sequence. */
export const SOCKET_HEADER_LENGTH = 17;

/** A control request of the service-provider envelope. */
export type ControlRequest = "health" | "binaryInfo" | "supportedRequestVersions";

/** A socks5 query (`QueryRequest`). */
export type QueryRequest = "openProxy" | "description" | "exitPolicy";

/** A decoded request, client → requester. */
export type ExitRequest =
  | {
    readonly kind: "control";
    readonly interfaceVersion: ProtocolVersion;
    readonly control: ControlRequest;
  }
  | {
    readonly kind: "connect";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly connectionId: bigint;
    /** `host:port` (decoded leniently, as Nym's `from_utf8_lossy`). */
    readonly remoteAddress: string;
    /** Where to send responses; absent for anonymous connections (answered through SURBs). */
    readonly returnAddress?: Recipient;
  }
  | {
    readonly kind: "send";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly connectionId: bigint;
    /** This is the sender's last message on the connection. */
    readonly localClosed: boolean;
    readonly sequence: bigint;
    readonly data: Uint8Array;
  }
  | {
    readonly kind: "query";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly query: QueryRequest;
  };

/** A control response. */
export type ControlResponse =
  | { readonly type: "health" }
  | { readonly type: "binaryInfo"; readonly info: Record<string, unknown> }
  | {
    readonly type: "supportedRequestVersions";
    /** serde_json of the version enum, e.g. `{"type":"Versioned","version":3}`. */
    readonly interfaceVersion: string;
    readonly providerVersion: string;
  }
  | { readonly type: "error"; readonly message: string };

/** A socks5 query response (`QueryResponse`). */
export type QueryResponse =
  | { readonly type: "openProxy"; readonly open: boolean }
  | { readonly type: "description"; readonly description: string }
  | {
    readonly type: "exitPolicy";
    readonly enabled: boolean;
    readonly upstream: string;
    readonly rules?: readonly ExitPolicyRule[];
  }
  | { readonly type: "error"; readonly message: string };

/** A decoded response, requester → client. */
export type ExitResponse =
  | {
    readonly kind: "control";
    readonly interfaceVersion: ProtocolVersion;
    readonly control: ControlResponse;
  }
  | {
    readonly kind: "networkData";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly connectionId: bigint;
    readonly localClosed: boolean;
    readonly sequence: bigint;
    readonly data: Uint8Array;
  }
  | {
    readonly kind: "connectionError";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly connectionId: bigint;
    readonly message: string;
  }
  | {
    readonly kind: "query";
    readonly interfaceVersion: ProtocolVersion;
    readonly socks5Version: ProtocolVersion;
    readonly query: QueryResponse;
  };

const CONTROL_REQUESTS: readonly ControlRequest[] = [
  "health",
  "binaryInfo",
  "supportedRequestVersions",
];
const QUERIES: readonly QueryRequest[] = ["openProxy", "description", "exitPolicy"];
const ACTIONS: readonly ExitPolicyAction[] = ["accept", "reject", "accept6", "reject6"];
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const lossy = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

function versionOf(byte: number): ProtocolVersion {
  return byte < 3 ? "legacy" : byte;
}

function versionByte(version: ProtocolVersion): number | undefined {
  if (version === "legacy") return undefined;
  if (!Number.isInteger(version) || version < 3 || version > 255) {
    throw new RangeError(`invalid protocol version ${version}`);
  }
  return version;
}

function u64(bytes: Uint8Array, at: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0);
}

function putU64(out: Uint8Array, at: number, value: bigint): void {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${value} is not a u64`);
  new DataView(out.buffer, out.byteOffset + at, 8).setBigUint64(0, value);
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * Encodes a request. The interface version of a `connect`/`send`/`query` decides the envelope:
 * `legacy` writes the bare socks5 request, whose own version must then be `legacy` too.
 *
 * @example A versioned Send (the 17-byte request header: conn id, closed, sequence)
 * ```ts
 * import { encodeRequest } from "@nym/mixnet/exit";
 * const bytes = encodeRequest({
 *   kind: "send", interfaceVersion: 3, socks5Version: 3,
 *   connectionId: 1n, localClosed: false, sequence: 0n, data: Uint8Array.of(0xff),
 * });
 * console.log(bytes.length); // 23
 * ```
 */
export function encodeRequest(request: ExitRequest): Uint8Array {
  const iface = versionByte(request.interfaceVersion);
  if (request.kind === "control") {
    if (iface === undefined) throw new RangeError("control requests need a versioned interface");
    return Uint8Array.of(iface, 0x00, CONTROL_REQUESTS.indexOf(request.control));
  }
  const socks5 = versionByte(request.socks5Version);
  if (iface === undefined && socks5 !== undefined) {
    throw new RangeError("a legacy envelope carries a legacy socks5 request");
  }
  const content = encodeRequestContent(request);
  const body = concat([socks5 ?? 0x00], content);
  return iface === undefined ? body : concat([iface, 0x01], body);
}

function encodeRequestContent(request: ExitRequest): Uint8Array {
  switch (request.kind) {
    case "connect": {
      const address = encoder.encode(request.remoteAddress);
      if (address.length > 0xffff) throw new RangeError("remote address too long");
      const head = new Uint8Array(11);
      head[0] = 0x00;
      putU64(head, 1, request.connectionId);
      head[9] = address.length >> 8;
      head[10] = address.length & 0xff;
      return concat(head, address, request.returnAddress?.toBytes() ?? []);
    }
    case "send": {
      const head = new Uint8Array(1 + SOCKET_HEADER_LENGTH);
      head[0] = 0x01;
      putU64(head, 1, request.connectionId);
      head[9] = request.localClosed ? 1 : 0;
      putU64(head, 10, request.sequence);
      return concat(head, request.data);
    }
    case "query":
      return concat([0x02], new BincodeWriter().varint(QUERIES.indexOf(request.query)).finish());
    default:
      throw new RangeError("not a socks5 request");
  }
}

/**
 * Decodes a request as Nym's requester does (`Request::try_from_bytes`,
 * `Socks5Request::try_from_bytes`).
 *
 * @example The legacy Connect pinned by Nym's `old_client_vs_new_service_provider` test
 * ```ts
 * import { decodeRequest } from "@nym/mixnet/exit";
 * const bytes = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 4, 97, 58, 56, 48);
 * const request = decodeRequest(bytes);
 * console.log(request.kind, request.interfaceVersion); // "connect" "legacy"
 * ```
 */
export function decodeRequest(bytes: Uint8Array): ExitRequest {
  if (bytes.length === 0) throw new ExitProtocolError("noData", "empty request");
  const iface = versionOf(bytes[0]);
  if (iface === "legacy") return decodeSocks5Request(bytes, "legacy");
  if (iface > CURRENT_VERSION) {
    throw new ExitProtocolError("unsupportedVersion", `interface version ${iface} not supported`);
  }
  if (bytes.length < 2) throw new ExitProtocolError("noData", "no request tag");
  const tag = bytes[1];
  if (tag === 0x00) {
    if (bytes.length < 3) throw new ExitProtocolError("noData", "no control request tag");
    const control = CONTROL_REQUESTS[bytes[2]];
    if (control === undefined) {
      throw new ExitProtocolError("unknownControlTag", `unknown control request ${bytes[2]}`);
    }
    return { kind: "control", interfaceVersion: iface, control };
  }
  if (tag === 0x01) return decodeSocks5Request(bytes.subarray(2), iface);
  throw new ExitProtocolError("unknownRequestTag", `unknown request tag ${tag}`);
}

function decodeSocks5Request(b: Uint8Array, iface: ProtocolVersion): ExitRequest {
  if (b.length === 0) throw new ExitProtocolError("noData", "empty socks5 request");
  const socks5Version = versionOf(b[0]);
  if (socks5Version !== "legacy" && socks5Version > CURRENT_VERSION) {
    throw new ExitProtocolError(
      "unsupportedVersion",
      `socks5 protocol version ${socks5Version} not supported`,
    );
  }
  const c = b.subarray(1);
  if (c.length === 0) throw new ExitProtocolError("noData", "no request flag");
  const base = { interfaceVersion: iface, socks5Version };
  switch (c[0]) {
    case 0x00: {
      if (c.length < 9) throw new ExitProtocolError("connectionIdTooShort", "connection id cut");
      const connectionId = u64(c, 1);
      if (c.length < 11) {
        throw new ExitProtocolError("addressLengthTooShort", "address length cut");
      }
      const length = (c[9] << 8) | c[10];
      if (c.length < 11 + length) throw new ExitProtocolError("addressTooShort", "address cut");
      const remoteAddress = lossy.decode(c.subarray(11, 11 + length));
      const rest = c.subarray(11 + length);
      let returnAddress: Recipient | undefined;
      if (rest.length > 0) {
        if (rest.length !== Recipient.LENGTH) {
          throw new ExitProtocolError(
            "returnAddressTooShort",
            `return address is ${rest.length} bytes, not ${Recipient.LENGTH}`,
          );
        }
        try {
          returnAddress = Recipient.fromBytes(rest.slice());
        } catch (error) {
          throw new ExitProtocolError("malformedReturnAddress", `bad return address: ${error}`);
        }
      }
      return { kind: "connect", ...base, connectionId, remoteAddress, returnAddress };
    }
    case 0x01: {
      requireSocketHeader(c);
      return {
        kind: "send",
        ...base,
        connectionId: u64(c, 1),
        localClosed: c[9] !== 0,
        sequence: u64(c, 10),
        data: c.subarray(1 + SOCKET_HEADER_LENGTH),
      };
    }
    case 0x02: {
      const reader = new BincodeReader(c.subarray(1));
      const query = QUERIES[reader.smallVarint(255)];
      if (query === undefined) throw new ExitProtocolError("malformedQuery", "unknown query");
      if (!reader.done) throw new ExitProtocolError("malformedQuery", "trailing bytes");
      return { kind: "query", ...base, query };
    }
    default:
      throw new ExitProtocolError("unknownRequestFlag", `${c[0]} is not a valid request flag`);
  }
}

// ---------------------------------------------------------------------------------------------
// Responses

/**
 * Encodes a response. With a `legacy` interface the socks5 response must be legacy too; legacy
 * socks5 responses have no version byte (`01 …` data, `02 …` error).
 *
 * @example A versioned close (the 17-byte response header: closed, conn id, sequence)
 * ```ts
 * import { encodeResponse } from "@nym/mixnet/exit";
 * const bytes = encodeResponse({
 *   kind: "networkData", interfaceVersion: 3, socks5Version: 3,
 *   connectionId: 7n, localClosed: true, sequence: 1n, data: new Uint8Array(),
 * });
 * console.log(bytes.slice(0, 5)); // Uint8Array(5) [ 3, 1, 3, 1, 1 ]
 * ```
 */
export function encodeResponse(response: ExitResponse): Uint8Array {
  const iface = versionByte(response.interfaceVersion);
  if (response.kind === "control") {
    if (iface === undefined) throw new RangeError("control responses need a versioned interface");
    return concat([iface, 0x00], encodeControlResponse(response.control));
  }
  const socks5 = versionByte(response.socks5Version);
  if (iface === undefined && socks5 !== undefined) {
    throw new RangeError("a legacy envelope carries a legacy socks5 response");
  }
  const content = encodeResponseContent(response);
  const body = socks5 === undefined ? content : concat([socks5], content);
  return iface === undefined ? body : concat([iface, 0x01], body);
}

function encodeControlResponse(control: ControlResponse): Uint8Array {
  switch (control.type) {
    case "health":
      return Uint8Array.of(0x00);
    case "binaryInfo":
      return concat([0x01], encoder.encode(JSON.stringify(control.info)));
    case "supportedRequestVersions":
      return concat(
        [0x02],
        encoder.encode(JSON.stringify({
          interface_version: control.interfaceVersion,
          provider_version: control.providerVersion,
        })),
      );
    case "error":
      return concat([0xff], encoder.encode(JSON.stringify({ message: control.message })));
  }
}

function encodeResponseContent(response: ExitResponse): Uint8Array {
  switch (response.kind) {
    case "networkData": {
      const head = new Uint8Array(1 + SOCKET_HEADER_LENGTH);
      head[0] = 0x01;
      head[1] = response.localClosed ? 1 : 0;
      putU64(head, 2, response.connectionId);
      putU64(head, 10, response.sequence);
      return concat(head, response.data);
    }
    case "connectionError": {
      const head = new Uint8Array(9);
      head[0] = 0x02;
      putU64(head, 1, response.connectionId);
      return concat(head, encoder.encode(response.message));
    }
    case "query":
      return concat([0x03], encodeQueryResponse(response.query));
    default:
      throw new RangeError("not a socks5 response");
  }
}

function encodeQueryResponse(query: QueryResponse): Uint8Array {
  const w = new BincodeWriter();
  switch (query.type) {
    case "openProxy":
      return w.varint(0).bool(query.open).finish();
    case "description":
      return w.varint(1).string(query.description).finish();
    case "exitPolicy": {
      w.varint(2).bool(query.enabled).string(query.upstream);
      if (!query.rules) return w.bool(false).finish();
      w.bool(true).varint(query.rules.length);
      for (const rule of query.rules) {
        w.varint(ACTIONS.indexOf(rule.action)).string(rule.ipPattern).varint(rule.portStart)
          .varint(rule.portEnd);
      }
      return w.finish();
    }
    case "error":
      return w.varint(3).string(query.message).finish();
  }
}

/**
 * Decodes a response as Nym's clients do (`Response::try_from_bytes`,
 * `Socks5Response::try_from_bytes`).
 *
 * @example The socket-data vector of Nym's `socket_data_serialization::for_responses`
 * ```ts
 * import { decodeResponse } from "@nym/mixnet/exit";
 * const bytes = Uint8Array.of(3, 1, 3, 1, 0, 6, 6, 6, 6, 6, 6, 6, 6, 0, 1, 2, 3, 4, 5, 6, 7, 255, 255, 255);
 * const response = decodeResponse(bytes);
 * console.log(response.kind === "networkData" && response.data.length); // 3
 * ```
 */
export function decodeResponse(bytes: Uint8Array): ExitResponse {
  if (bytes.length === 0) throw new ExitProtocolError("noData", "empty response");
  const iface = versionOf(bytes[0]);
  if (iface === "legacy") return decodeSocks5Response(bytes, "legacy");
  if (bytes.length < 2) throw new ExitProtocolError("noData", "no response tag");
  const tag = bytes[1];
  if (tag === 0x00) return decodeControlResponse(bytes.subarray(2), iface);
  if (tag === 0x01) return decodeSocks5Response(bytes.subarray(2), iface);
  throw new ExitProtocolError("unknownResponseTag", `unknown response tag ${tag}`);
}

function parseJson(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value = JSON.parse(strict.decode(bytes));
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error();
    return value;
  } catch {
    throw new ExitProtocolError("malformedJson", "control response is not a JSON object");
  }
}

function decodeControlResponse(b: Uint8Array, iface: number): ExitResponse {
  if (b.length === 0) throw new ExitProtocolError("noData", "no control response tag");
  const json = () => parseJson(b.subarray(1));
  let control: ControlResponse;
  switch (b[0]) {
    case 0x00:
      control = { type: "health" };
      break;
    case 0x01:
      control = { type: "binaryInfo", info: json() };
      break;
    case 0x02: {
      const v = json();
      if (typeof v.interface_version !== "string" || typeof v.provider_version !== "string") {
        throw new ExitProtocolError("malformedJson", "supported versions lack their fields");
      }
      control = {
        type: "supportedRequestVersions",
        interfaceVersion: v.interface_version,
        providerVersion: v.provider_version,
      };
      break;
    }
    case 0xff: {
      const v = json();
      control = { type: "error", message: String(v.message ?? "") };
      break;
    }
    default:
      throw new ExitProtocolError("unknownControlTag", `unknown control response ${b[0]}`);
  }
  return { kind: "control", interfaceVersion: iface, control };
}

/** Socket data (either direction) starts with a flag byte and the 17-byte socket header. */
function requireSocketHeader(c: Uint8Array): void {
  if (c.length < 1 + SOCKET_HEADER_LENGTH) {
    throw new ExitProtocolError(
      "insufficientSocketData",
      `socket data needs ${SOCKET_HEADER_LENGTH} header bytes, got ${c.length - 1}`,
    );
  }
}

function decodeSocks5Response(b: Uint8Array, iface: ProtocolVersion): ExitResponse {
  if (b.length === 0) throw new ExitProtocolError("noData", "empty socks5 response");
  const socks5Version = versionOf(b[0]);
  const c = socks5Version === "legacy" ? b : b.subarray(1);
  if (c.length === 0) throw new ExitProtocolError("noData", "no response flag");
  const base = { interfaceVersion: iface, socks5Version };
  switch (c[0]) {
    case 0x01: {
      requireSocketHeader(c);
      return {
        kind: "networkData",
        ...base,
        localClosed: c[1] !== 0,
        connectionId: u64(c, 2),
        sequence: u64(c, 10),
        data: c.subarray(1 + SOCKET_HEADER_LENGTH),
      };
    }
    case 0x02: {
      if (c.length < 9) throw new ExitProtocolError("connectionIdTooShort", "connection id cut");
      let message: string;
      try {
        message = strict.decode(c.subarray(9));
      } catch {
        throw new ExitProtocolError("malformedErrorMessage", "error message is not UTF-8");
      }
      return { kind: "connectionError", ...base, connectionId: u64(c, 1), message };
    }
    case 0x03:
      return { kind: "query", ...base, query: decodeQueryResponse(c.subarray(1)) };
    default:
      throw new ExitProtocolError("unknownResponseFlag", `${c[0]} is not a valid response flag`);
  }
}

function decodeQueryResponse(bytes: Uint8Array): QueryResponse {
  const r = new BincodeReader(bytes);
  const variant = r.smallVarint(255);
  let out: QueryResponse;
  switch (variant) {
    case 0:
      out = { type: "openProxy", open: r.bool() };
      break;
    case 1:
      out = { type: "description", description: r.string() };
      break;
    case 2: {
      const enabled = r.bool();
      const upstream = r.string();
      let rules: ExitPolicyRule[] | undefined;
      if (r.bool()) {
        const count = r.smallVarint(bytes.length);
        rules = [];
        for (let i = 0; i < count; i++) {
          const action = ACTIONS[r.smallVarint(255)];
          if (action === undefined) throw new ExitProtocolError("malformedQuery", "bad action");
          const ipPattern = r.string();
          const portStart = r.smallVarint(0xffff), portEnd = r.smallVarint(0xffff);
          rules.push({ action, ipPattern, portStart, portEnd });
        }
      }
      out = { type: "exitPolicy", enabled, upstream, rules };
      break;
    }
    case 3:
      out = { type: "error", message: r.string() };
      break;
    default:
      throw new ExitProtocolError("malformedQuery", `unknown query response ${variant}`);
  }
  if (!r.done) throw new ExitProtocolError("malformedQuery", "trailing bytes after the query");
  return out;
}
