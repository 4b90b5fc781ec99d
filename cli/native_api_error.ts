/**
 * Errors of the native client's WebSocket API (`clients/native/websocket-requests/src/error.rs`):
 * a kind byte and a message. Request kinds are 0x01–0x04, response kinds 0x80–0x83, `other` 0xFF.
 *
 * @module
 */

/** The error kinds, by name. */
export type NativeApiErrorKind =
  | "empty-request"
  | "too-short-request"
  | "unknown-request"
  | "malformed-request"
  | "empty-response"
  | "too-short-response"
  | "unknown-response"
  | "malformed-response"
  | "other";

/** Kind → byte on the wire. */
export const NATIVE_API_ERROR_CODES: Readonly<Record<NativeApiErrorKind, number>> = Object.freeze({
  "empty-request": 0x01,
  "too-short-request": 0x02,
  "unknown-request": 0x03,
  "malformed-request": 0x04,
  "empty-response": 0x80,
  "too-short-response": 0x81,
  "unknown-response": 0x82,
  "malformed-response": 0x83,
  "other": 0xff,
});

/** Kind → the text Nym puts before `:` in an error's display form. */
export const NATIVE_API_ERROR_TEXT: Readonly<Record<NativeApiErrorKind, string>> = Object.freeze({
  "empty-request": "received request contained no data",
  "too-short-request": "received request did not contain enough data",
  "unknown-request": "unknown request type",
  "malformed-request": "malformed request",
  "empty-response": "received response contained no data",
  "too-short-response": "received response did not contain enough data",
  "unknown-response": "unknown response type",
  "malformed-response": "malformed response",
  "other": "other",
});

/**
 * The kind with this wire byte, or `undefined`.
 *
 * @example
 * ```ts
 * import { nativeApiErrorKind } from "./native_api_error.ts";
 * console.log(nativeApiErrorKind(0x04)); // "malformed-request"
 * ```
 */
export function nativeApiErrorKind(code: number): NativeApiErrorKind | undefined {
  for (const [kind, value] of Object.entries(NATIVE_API_ERROR_CODES)) {
    if (value === code) return kind as NativeApiErrorKind;
  }
  return undefined;
}

/**
 * A request or response of the native API that cannot be decoded (or an error to report).
 * `detail` is the message without the kind; `message` is Nym's display form
 * `<kind text>:<detail>`, which is also what the text API sends.
 *
 * @example
 * ```ts
 * import { NativeApiError } from "./native_api_error.ts";
 * const error = new NativeApiError("unknown-request", "7 does not correspond to any valid request tag");
 * console.log(error.code, error.message);
 * // 3 "unknown request type:7 does not correspond to any valid request tag"
 * ```
 */
export class NativeApiError extends Error {
  /** The category of the failure. */
  readonly kind: NativeApiErrorKind;
  /** The message without the kind. */
  readonly detail: string;

  /** Builds an error of `kind`. */
  constructor(kind: NativeApiErrorKind, detail: string, options?: { cause?: unknown }) {
    super(`${NATIVE_API_ERROR_TEXT[kind]}:${detail}`, options);
    this.name = "NativeApiError";
    this.kind = kind;
    this.detail = detail;
  }

  /** The wire byte of {@linkcode NativeApiError.kind}. */
  get code(): number {
    return NATIVE_API_ERROR_CODES[this.kind];
  }
}
