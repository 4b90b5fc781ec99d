/**
 * Responses of the native client's WebSocket API, in both forms
 * (`clients/native/websocket-requests/src/{responses,text}.rs`).
 *
 * Binary (integers big-endian):
 * - `00 ‖ kind u8 ‖ len u64 ‖ utf8`: error
 * - `01 ‖ has_sender_tag u8 ‖ [sender_tag(16)] ‖ len u64 ‖ data`: received
 * - `02 ‖ recipient(96)`: selfAddress
 * - `03 ‖ lane u64 ‖ queue_length u64` (usize on 64-bit): laneQueueLength
 *
 * Text: `{"type":"received","message":…,"senderTag":…|null}`, `{"type":"selfAddress","address":…}`,
 * `{"type":"laneQueueLength","lane":n,"queue_length":n}`, `{"type":"error","message":…}`.
 *
 * @module
 */
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";
import {
  NATIVE_API_ERROR_CODES,
  NATIVE_API_ERROR_TEXT,
  NativeApiError,
  type NativeApiErrorKind,
  nativeApiErrorKind,
} from "./native_api_error.ts";

/** A response (or a message pushed to the application). */
export type NativeApiResponse =
  | {
    readonly type: "received";
    readonly message: Uint8Array;
    readonly senderTag?: AnonymousSenderTag;
  }
  | { readonly type: "selfAddress"; readonly address: Recipient }
  | { readonly type: "laneQueueLength"; readonly lane: bigint; readonly queueLength: number }
  | { readonly type: "error"; readonly kind: NativeApiErrorKind; readonly message: string };

/** Response tags of the binary form. */
export const RESPONSE_TAGS: Readonly<{
  error: 0x00;
  received: 0x01;
  selfAddress: 0x02;
  laneQueueLength: 0x03;
}> = Object.freeze(
  {
    error: 0x00,
    received: 0x01,
    selfAddress: 0x02,
    laneQueueLength: 0x03,
  } as const,
);

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The error response for a {@linkcode NativeApiError} (its kind and detail).
 *
 * @example
 * ```ts
 * import { errorResponse } from "./native_api_responses.ts";
 * import { NativeApiError } from "./native_api_error.ts";
 * console.log(errorResponse(new NativeApiError("empty-request", "no data provided")).kind);
 * // "empty-request"
 * ```
 */
export function errorResponse(
  error: NativeApiError,
): Extract<NativeApiResponse, { type: "error" }> {
  return { type: "error", kind: error.kind, message: error.detail };
}

/**
 * Encodes a response in the binary form.
 *
 * @example
 * ```ts
 * import { encodeBinaryResponse } from "./native_api_responses.ts";
 * console.log(encodeBinaryResponse({ type: "received", message: new Uint8Array([9]) }));
 * // Uint8Array(11) [ 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9 ]
 * ```
 */
export function encodeBinaryResponse(response: NativeApiResponse): Uint8Array {
  switch (response.type) {
    case "error": {
      const text = new TextEncoder().encode(response.message);
      const out = new Uint8Array(10 + text.length);
      out[0] = RESPONSE_TAGS.error;
      out[1] = NATIVE_API_ERROR_CODES[response.kind];
      view(out).setBigUint64(2, BigInt(text.length));
      out.set(text, 10);
      return out;
    }
    case "received": {
      const tag = response.senderTag?.bytes;
      const head = 2 + (tag?.length ?? 0);
      const out = new Uint8Array(head + 8 + response.message.length);
      out[0] = RESPONSE_TAGS.received;
      out[1] = tag ? 1 : 0;
      if (tag) out.set(tag, 2);
      view(out).setBigUint64(head, BigInt(response.message.length));
      out.set(response.message, head + 8);
      return out;
    }
    case "selfAddress": {
      const out = new Uint8Array(1 + Recipient.LENGTH);
      out[0] = RESPONSE_TAGS.selfAddress;
      out.set(response.address.toBytes(), 1);
      return out;
    }
    case "laneQueueLength": {
      const out = new Uint8Array(17);
      out[0] = RESPONSE_TAGS.laneQueueLength;
      view(out).setBigUint64(1, response.lane);
      view(out).setBigUint64(9, BigInt(response.queueLength));
      return out;
    }
  }
}

/**
 * Encodes a response in the text form, byte for byte as serde_json writes it. Received data
 * is decoded as UTF-8 with replacement characters (Nym's `from_utf8_lossy`).
 *
 * @example
 * ```ts
 * import { encodeTextResponse } from "./native_api_responses.ts";
 * console.log(encodeTextResponse({ type: "laneQueueLength", lane: 3n, queueLength: 0 }));
 * // {"type":"laneQueueLength","lane":3,"queue_length":0}
 * ```
 */
export function encodeTextResponse(response: NativeApiResponse): string {
  switch (response.type) {
    case "error":
      return `{"type":"error","message":${
        JSON.stringify(`${NATIVE_API_ERROR_TEXT[response.kind]}:${response.message}`)
      }}`;
    case "received":
      return `{"type":"received","message":${
        JSON.stringify(new TextDecoder().decode(response.message))
      },"senderTag":${
        response.senderTag ? JSON.stringify(response.senderTag.toString()) : "null"
      }}`;
    case "selfAddress":
      return `{"type":"selfAddress","address":${JSON.stringify(response.address.toString())}}`;
    case "laneQueueLength":
      return `{"type":"laneQueueLength","lane":${response.lane},"queue_length":${response.queueLength}}`;
  }
}

function tooShort(what: string): NativeApiError {
  return new NativeApiError("too-short-response", `not enough data provided to recover '${what}'`);
}

/**
 * Decodes a binary response; throws {@linkcode NativeApiError} (`empty-response`,
 * `too-short-response`, `unknown-response`, `malformed-response`).
 *
 * @example
 * ```ts
 * import { decodeBinaryResponse } from "./native_api_responses.ts";
 * const r = decodeBinaryResponse(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9]));
 * console.log(r.type); // "received"
 * ```
 */
export function decodeBinaryResponse(bytes: Uint8Array): NativeApiResponse {
  if (bytes.length === 0) throw new NativeApiError("empty-response", "no data provided");
  switch (bytes[0]) {
    case RESPONSE_TAGS.error: {
      if (bytes.length < 10) throw tooShort("error");
      const kind = nativeApiErrorKind(bytes[1]);
      if (!kind) throw new NativeApiError("malformed-response", `invalid error code ${bytes[1]}`);
      const message = lengthPrefixed(bytes, 2);
      try {
        return {
          type: "error",
          kind,
          message: new TextDecoder("utf-8", { fatal: true }).decode(message),
        };
      } catch (cause) {
        throw new NativeApiError("malformed-response", "malformed error message", { cause });
      }
    }
    case RESPONSE_TAGS.received: {
      if (bytes.length < 10) throw tooShort("received");
      if (bytes[1] > 1) {
        throw new NativeApiError("malformed-response", `invalid sender tag flag ${bytes[1]}`);
      }
      let offset = 2;
      let senderTag: AnonymousSenderTag | undefined;
      if (bytes[1] === 1) {
        if (bytes.length < 2 + AnonymousSenderTag.LENGTH + 8) throw tooShort("received");
        senderTag = new AnonymousSenderTag(bytes.subarray(2, 2 + AnonymousSenderTag.LENGTH));
        offset += AnonymousSenderTag.LENGTH;
      }
      const message = lengthPrefixed(bytes, offset).slice();
      return senderTag ? { type: "received", message, senderTag } : { type: "received", message };
    }
    case RESPONSE_TAGS.selfAddress: {
      if (bytes.length !== 1 + Recipient.LENGTH) throw tooShort("self_address");
      try {
        return { type: "selfAddress", address: Recipient.fromBytes(bytes.subarray(1)) };
      } catch (cause) {
        throw new NativeApiError(
          "malformed-response",
          `malformed Recipient: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    case RESPONSE_TAGS.laneQueueLength: {
      if (bytes.length < 17) throw tooShort("lane_queue_length");
      const queueLength = view(bytes).getBigUint64(9);
      if (queueLength > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new NativeApiError("malformed-response", `queue length ${queueLength} is too large`);
      }
      return {
        type: "laneQueueLength",
        lane: view(bytes).getBigUint64(1),
        queueLength: Number(queueLength),
      };
    }
    default:
      throw new NativeApiError(
        "unknown-response",
        `${bytes[0]} does not correspond to any valid response tag`,
      );
  }
}

function lengthPrefixed(bytes: Uint8Array, offset: number): Uint8Array {
  const declared = view(bytes).getBigUint64(offset);
  const data = bytes.subarray(offset + 8);
  if (BigInt(data.length) !== declared) {
    throw new NativeApiError(
      "malformed-response",
      `message len has inconsistent length. specified: ${declared} got: ${data.length}`,
    );
  }
  return data;
}

/**
 * Decodes a text response; throws {@linkcode NativeApiError} of kind `malformed-response`. The
 * kind of an error response is recovered from its message prefix (`other` if unknown).
 *
 * @example
 * ```ts
 * import { decodeTextResponse } from "./native_api_responses.ts";
 * const r = decodeTextResponse('{"type":"error","message":"malformed request:bad"}');
 * console.log(r.type === "error" && r.kind); // "malformed-request"
 * ```
 */
export function decodeTextResponse(json: string): NativeApiResponse {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(
      json,
      (_key, v, context?: { source?: string }) =>
        typeof v === "number" && context?.source && /^\d+$/.test(context.source)
          ? BigInt(context.source)
          : v,
    );
  } catch (cause) {
    throw new NativeApiError("malformed-response", (cause as Error).message, { cause });
  }
  const bad = (detail: string) => new NativeApiError("malformed-response", detail);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw bad("expected a JSON object");
  }
  const str = (name: string): string => {
    if (typeof value[name] !== "string") throw bad(`field \`${name}\` must be a string`);
    return value[name] as string;
  };
  try {
    switch (value.type) {
      case "received": {
        const message = new TextEncoder().encode(str("message"));
        const tag = value.senderTag;
        if (tag === null || tag === undefined) return { type: "received", message };
        if (typeof tag !== "string") throw bad("field `senderTag` must be a string or null");
        return { type: "received", message, senderTag: AnonymousSenderTag.parse(tag) };
      }
      case "selfAddress":
        return { type: "selfAddress", address: Recipient.parse(str("address")) };
      case "laneQueueLength": {
        const { lane, queue_length: length } = value;
        if (typeof lane !== "bigint" || typeof length !== "bigint") {
          throw bad("`lane` and `queue_length` must be unsigned integers");
        }
        if (lane >= 1n << 64n || length > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw bad("`lane` or `queue_length` is out of range");
        }
        return { type: "laneQueueLength", lane, queueLength: Number(length) };
      }
      case "error": {
        const text = str("message");
        for (const [kind, prefix] of Object.entries(NATIVE_API_ERROR_TEXT)) {
          if (text.startsWith(`${prefix}:`)) {
            return {
              type: "error",
              kind: kind as NativeApiErrorKind,
              message: text.slice(prefix.length + 1),
            };
          }
        }
        return { type: "error", kind: "other", message: text };
      }
      default:
        throw bad(`unknown variant \`${String(value.type)}\``);
    }
  } catch (error) {
    if (error instanceof NativeApiError) throw error;
    throw new NativeApiError("malformed-response", (error as Error).message, { cause: error });
  }
}
