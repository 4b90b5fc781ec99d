/**
 * Requests of the native client's WebSocket API, in both forms
 * (`clients/native/websocket-requests/src/{requests,text}.rs`).
 *
 * Binary (integers big-endian; connection id 0 means none):
 * - `00 ‖ recipient(96) ‖ conn_id u64 ‖ len u64 ‖ data`: send
 * - `01 ‖ reply_surbs u32 ‖ recipient(96) ‖ conn_id u64 ‖ len u64 ‖ data`: sendAnonymous
 * - `02 ‖ sender_tag(16) ‖ conn_id u64 ‖ len u64 ‖ data`: reply
 * - `03`: selfAddress
 * - `04 ‖ conn_id u64`: closedConnection
 * - `05 ‖ conn_id u64`: getLaneQueueLength
 *
 * Text: JSON tagged by `type` (`send`, `sendAnonymous`, `reply`, `selfAddress`), camelCase fields,
 * `connectionId` optional or null. Every text failure is `malformed-request`, as in Nym.
 *
 * @module
 */
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";
import { NativeApiError } from "./native_api_error.ts";

/** A decoded request. `connectionId` selects the lane; absent means the general lane. */
export type NativeApiRequest =
  | {
    readonly type: "send";
    readonly recipient: Recipient;
    readonly message: Uint8Array;
    readonly connectionId?: bigint;
  }
  | {
    readonly type: "sendAnonymous";
    readonly recipient: Recipient;
    readonly message: Uint8Array;
    readonly replySurbs: number;
    readonly connectionId?: bigint;
  }
  | {
    readonly type: "reply";
    readonly senderTag: AnonymousSenderTag;
    readonly message: Uint8Array;
    readonly connectionId?: bigint;
  }
  | { readonly type: "selfAddress" }
  | { readonly type: "closedConnection"; readonly connectionId: bigint }
  | { readonly type: "getLaneQueueLength"; readonly connectionId: bigint };

/** Request tags of the binary form. */
export const REQUEST_TAGS: Readonly<{
  send: 0x00;
  sendAnonymous: 0x01;
  reply: 0x02;
  selfAddress: 0x03;
  closedConnection: 0x04;
  getLaneQueueLength: 0x05;
}> = Object.freeze(
  {
    send: 0x00,
    sendAnonymous: 0x01,
    reply: 0x02,
    selfAddress: 0x03,
    closedConnection: 0x04,
    getLaneQueueLength: 0x05,
  } as const,
);

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 0xffff_ffff;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function connection(id: bigint): bigint | undefined {
  return id === 0n ? undefined : id;
}

function recipientAt(bytes: Uint8Array, offset: number): Recipient {
  try {
    return Recipient.fromBytes(bytes.subarray(offset, offset + Recipient.LENGTH));
  } catch (cause) {
    throw new NativeApiError(
      "malformed-request",
      `malformed recipient: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

function dataAt(bytes: Uint8Array, offset: number, what: string): Uint8Array {
  const declared = view(bytes).getBigUint64(offset);
  const data = bytes.subarray(offset + 8);
  if (BigInt(data.length) !== declared) {
    throw new NativeApiError(
      "malformed-request",
      `${what} len has inconsistent length. specified: ${declared} got: ${data.length}`,
    );
  }
  return data.slice();
}

/**
 * Decodes a binary request; throws {@linkcode NativeApiError} (`empty-request`,
 * `too-short-request`, `unknown-request`, `malformed-request`) exactly where Nym does.
 *
 * @example
 * ```ts
 * import { decodeBinaryRequest } from "./native_api_requests.ts";
 * console.log(decodeBinaryRequest(new Uint8Array([3])).type); // "selfAddress"
 * ```
 */
export function decodeBinaryRequest(bytes: Uint8Array): NativeApiRequest {
  if (bytes.length === 0) throw new NativeApiError("empty-request", "no data provided");
  const tag = bytes[0];
  const short = (what: string) =>
    new NativeApiError("too-short-request", `not enough data provided to recover '${what}'`);
  switch (tag) {
    case REQUEST_TAGS.send: {
      if (bytes.length < 1 + Recipient.LENGTH + 16) throw short("send");
      const recipient = recipientAt(bytes, 1);
      return {
        type: "send",
        recipient,
        connectionId: connection(view(bytes).getBigUint64(1 + Recipient.LENGTH)),
        message: dataAt(bytes, 1 + Recipient.LENGTH + 8, "data"),
      };
    }
    case REQUEST_TAGS.sendAnonymous: {
      if (bytes.length < 1 + 4 + Recipient.LENGTH + 16) throw short("send_anonymous");
      const replySurbs = view(bytes).getUint32(1);
      const recipient = recipientAt(bytes, 5);
      return {
        type: "sendAnonymous",
        replySurbs,
        recipient,
        connectionId: connection(view(bytes).getBigUint64(5 + Recipient.LENGTH)),
        message: dataAt(bytes, 5 + Recipient.LENGTH + 8, "data"),
      };
    }
    case REQUEST_TAGS.reply: {
      const tagLength = AnonymousSenderTag.LENGTH;
      if (bytes.length < 1 + tagLength + 16) throw short("reply");
      return {
        type: "reply",
        senderTag: new AnonymousSenderTag(bytes.subarray(1, 1 + tagLength)),
        connectionId: connection(view(bytes).getBigUint64(1 + tagLength)),
        message: dataAt(bytes, 1 + tagLength + 8, "message"),
      };
    }
    case REQUEST_TAGS.selfAddress:
      return { type: "selfAddress" };
    case REQUEST_TAGS.closedConnection:
    case REQUEST_TAGS.getLaneQueueLength: {
      const closed = tag === REQUEST_TAGS.closedConnection;
      if (bytes.length !== 9) {
        throw new NativeApiError(
          "malformed-request",
          closed
            ? "The received closed connection has invalid length"
            : "The received get lane queue lengths has invalid length",
        );
      }
      const connectionId = view(bytes).getBigUint64(1);
      return closed
        ? { type: "closedConnection", connectionId }
        : { type: "getLaneQueueLength", connectionId };
    }
    default:
      throw new NativeApiError(
        "unknown-request",
        `${tag} does not correspond to any valid request tag`,
      );
  }
}

/**
 * Encodes a request in the binary form.
 *
 * @example
 * ```ts
 * import { encodeBinaryRequest } from "./native_api_requests.ts";
 * console.log(encodeBinaryRequest({ type: "getLaneQueueLength", connectionId: 7n }));
 * // Uint8Array(9) [ 5, 0, 0, 0, 0, 0, 0, 0, 7 ]
 * ```
 */
export function encodeBinaryRequest(request: NativeApiRequest): Uint8Array {
  const withData = (head: Uint8Array, id: bigint | undefined, data: Uint8Array) => {
    const out = new Uint8Array(head.length + 16 + data.length);
    out.set(head);
    view(out).setBigUint64(head.length, id ?? 0n);
    view(out).setBigUint64(head.length + 8, BigInt(data.length));
    out.set(data, head.length + 16);
    return out;
  };
  switch (request.type) {
    case "send":
      return withData(
        concat([REQUEST_TAGS.send], request.recipient.toBytes()),
        request.connectionId,
        request.message,
      );
    case "sendAnonymous": {
      const surbs = new Uint8Array(4);
      view(surbs).setUint32(0, request.replySurbs);
      return withData(
        concat([REQUEST_TAGS.sendAnonymous], surbs, request.recipient.toBytes()),
        request.connectionId,
        request.message,
      );
    }
    case "reply":
      return withData(
        concat([REQUEST_TAGS.reply], request.senderTag.bytes),
        request.connectionId,
        request.message,
      );
    case "selfAddress":
      return new Uint8Array([REQUEST_TAGS.selfAddress]);
    case "closedConnection":
    case "getLaneQueueLength": {
      const out = new Uint8Array(9);
      out[0] = REQUEST_TAGS[request.type];
      view(out).setBigUint64(1, request.connectionId);
      return out;
    }
  }
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A JSON number kept as its source text, so u64 values survive exactly. */
class JsonNumber {
  constructor(readonly source: string) {}
}

function parseJsonExact(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) => {
    if (typeof value !== "number") return value;
    return new JsonNumber(context?.source ?? String(value));
  });
}

function malformed(detail: string): NativeApiError {
  return new NativeApiError("malformed-request", detail);
}

function unsigned(value: unknown, name: string, max: bigint): bigint {
  if (!(value instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(value.source)) {
    throw malformed(`invalid type for \`${name}\`: expected an unsigned integer`);
  }
  const n = BigInt(value.source);
  if (n > max) throw malformed(`invalid value for \`${name}\`: ${n} is out of range`);
  return n;
}

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (value === undefined) throw malformed(`missing field \`${name}\``);
  if (typeof value !== "string") throw malformed(`invalid type for \`${name}\`: expected a string`);
  if (!value.isWellFormed()) throw malformed(`\`${name}\` holds a lone surrogate`);
  return value;
}

function optionalConnection(fields: Record<string, unknown>): bigint | undefined {
  const value = fields.connectionId;
  return value === undefined || value === null
    ? undefined
    : unsigned(value, "connectionId", U64_MAX);
}

/**
 * Decodes a text (JSON) request; throws {@linkcode NativeApiError} of kind
 * `malformed-request` for anything Nym's serde parser or address parsers refuse.
 *
 * @example
 * ```ts
 * import { decodeTextRequest } from "./native_api_requests.ts";
 * console.log(decodeTextRequest('{"type":"selfAddress"}').type); // "selfAddress"
 * ```
 */
export function decodeTextRequest(json: string): NativeApiRequest {
  let value: unknown;
  try {
    value = parseJsonExact(json);
  } catch (cause) {
    throw new NativeApiError("malformed-request", (cause as Error).message, { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed("invalid type: expected internally tagged enum ClientRequestText");
  }
  const fields = value as Record<string, unknown>;
  if (fields.type === undefined) throw malformed("missing field `type`");
  const recipient = (): Recipient => {
    const address = text(fields, "recipient");
    try {
      return Recipient.parse(address);
    } catch (cause) {
      throw new NativeApiError("malformed-request", (cause as Error).message, { cause });
    }
  };
  switch (fields.type) {
    case "send": {
      const message = text(fields, "message");
      const connectionId = optionalConnection(fields);
      return {
        type: "send",
        message: new TextEncoder().encode(message),
        recipient: recipient(),
        connectionId,
      };
    }
    case "sendAnonymous": {
      const message = text(fields, "message");
      if (fields.replySurbs === undefined) throw malformed("missing field `replySurbs`");
      const replySurbs = Number(unsigned(fields.replySurbs, "replySurbs", BigInt(U32_MAX)));
      const connectionId = optionalConnection(fields);
      return {
        type: "sendAnonymous",
        recipient: recipient(),
        message: new TextEncoder().encode(message),
        replySurbs,
        connectionId,
      };
    }
    case "reply": {
      const tag = text(fields, "senderTag");
      const message = text(fields, "message");
      const connectionId = optionalConnection(fields);
      let senderTag: AnonymousSenderTag;
      try {
        senderTag = AnonymousSenderTag.parse(tag);
      } catch (cause) {
        throw new NativeApiError("malformed-request", (cause as Error).message, { cause });
      }
      return { type: "reply", senderTag, message: new TextEncoder().encode(message), connectionId };
    }
    case "selfAddress":
      return { type: "selfAddress" };
    default:
      throw malformed(
        `unknown variant \`${String(fields.type)}\`, expected one of ` +
          "`send`, `sendAnonymous`, `reply`, `selfAddress`",
      );
  }
}

/**
 * Encodes a request in the text form (field order as serde writes it); `closedConnection` and
 * `getLaneQueueLength` have no text form and throw {@linkcode NativeApiError}.
 *
 * @example
 * ```ts
 * import { encodeTextRequest } from "./native_api_requests.ts";
 * console.log(encodeTextRequest({ type: "selfAddress" })); // {"type":"selfAddress"}
 * ```
 */
export function encodeTextRequest(request: NativeApiRequest): string {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const message = (bytes: Uint8Array) => {
    try {
      return JSON.stringify(decoder.decode(bytes));
    } catch {
      throw new NativeApiError("malformed-request", "the text form cannot carry binary data");
    }
  };
  const id = (connectionId: bigint | undefined) =>
    connectionId === undefined ? "null" : connectionId.toString();
  switch (request.type) {
    case "send":
      return `{"type":"send","message":${message(request.message)},"recipient":${
        JSON.stringify(request.recipient.toString())
      },"connectionId":${id(request.connectionId)}}`;
    case "sendAnonymous":
      return `{"type":"sendAnonymous","recipient":${
        JSON.stringify(request.recipient.toString())
      },"message":${message(request.message)},"replySurbs":${request.replySurbs},"connectionId":${
        id(request.connectionId)
      }}`;
    case "reply":
      return `{"type":"reply","senderTag":${
        JSON.stringify(request.senderTag.toString())
      },"message":${message(request.message)},"connectionId":${id(request.connectionId)}}`;
    case "selfAddress":
      return `{"type":"selfAddress"}`;
    default:
      throw new NativeApiError("malformed-request", `${request.type} has no text form`);
  }
}
