/**
 * Argument checks at the edge of `send()` and `reply()`: a wrong type or range fails at once with
 * a typed error that names the argument, instead of a `RangeError` from deep inside the message
 * layer or a reply that waits minutes for SURBs that cannot come.
 *
 * @module
 */
import { DeliveryError } from "../queue/delivery.ts";
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";

/**
 * The most reply SURBs one message may carry: what a receiving client keeps per sender (more
 * would be discarded on arrival).
 */
export const MAX_REPLY_SURBS = 500;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `a ${value.constructor?.name ?? "object"}`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

/** Throws a `TypeError` unless `data` is a `Uint8Array` (a Node `Buffer` is one) or a string. */
function checkData(data: unknown, fn: string): void {
  if (typeof data === "string" || data instanceof Uint8Array) return;
  throw new TypeError(
    `${fn}(): data must be a Uint8Array or a string, got ${describe(data)}` +
      (typeof data === "number" ? ` (send String(${data}) or encode it yourself)` : ""),
  );
}

/**
 * Checks the arguments of `send()`: a recipient (address string or `Recipient`), data (bytes or
 * text) and `replySurbs` (an integer from 0 to {@linkcode MAX_REPLY_SURBS}).
 *
 * @throws {TypeError} a recipient or data of the wrong type
 * @throws {RangeError} `replySurbs` that is not an integer in range
 *
 * @example
 * ```ts
 * import { validateSend } from "./_validate.ts";
 * try {
 *   validateSend("address", 42, {});
 * } catch (error) {
 *   console.log((error as Error).name); // "TypeError"
 * }
 * ```
 */
export function validateSend(
  recipient: unknown,
  data: unknown,
  options: { readonly replySurbs?: unknown } | undefined,
): void {
  if (typeof recipient !== "string" && !(recipient instanceof Recipient)) {
    throw new TypeError(
      `send(): recipient must be a Nym address string or a Recipient, got ${describe(recipient)}`,
    );
  }
  checkData(data, "send");
  const surbs = options?.replySurbs;
  if (surbs === undefined) return;
  if (
    typeof surbs !== "number" || !Number.isInteger(surbs) || surbs < 0 || surbs > MAX_REPLY_SURBS
  ) {
    throw new RangeError(
      `send(): replySurbs must be an integer from 0 to ${MAX_REPLY_SURBS}, got ${describe(surbs)}`,
    );
  }
}

/**
 * Checks the arguments of `reply()` and that the client can answer this sender at all: it holds
 * reply SURBs from it (`surbs`), or replies to it already wait for more (`waiting`, by hex tag). A tag we hold no SURBs for (never seen,
 * or its SURBs used up with nothing waiting) fails at once: only the anonymous sender can give
 * new SURBs. Nym's reply controller drops such replies likewise
 * (`common/client-core/src/client/replies/reply_controller.rs`, "we don't have any surbs").
 *
 * @throws {TypeError} data of the wrong type
 * @throws {AddressError} a malformed sender tag (from `AnonymousSenderTag.parse`)
 * @throws {DeliveryError} of kind `no-reply-surbs` for a tag without SURBs
 *
 * @example
 * ```ts
 * import { validateReply } from "./_validate.ts";
 * try {
 *   validateReply("1111111111111111", "hi", { store: { count: () => 0 }, expecting: () => false });
 * } catch (error) {
 *   console.log((error as Error).name); // "DeliveryError"
 * }
 * ```
 */
export function validateReply(
  senderTag: unknown,
  data: unknown,
  replies: {
    readonly store: { count(tag: Uint8Array): number };
    expecting(tag: Uint8Array): boolean;
  },
): void {
  if (typeof senderTag !== "string" && !(senderTag instanceof AnonymousSenderTag)) {
    throw new TypeError(
      `reply(): senderTag must be a string or an AnonymousSenderTag, got ${describe(senderTag)}`,
    );
  }
  const tag = typeof senderTag === "string" ? AnonymousSenderTag.parse(senderTag) : senderTag;
  checkData(data, "reply");
  if (replies.store.count(tag.bytes) === 0 && !replies.expecting(tag.bytes)) {
    throw new DeliveryError(
      "no-reply-surbs",
      `reply(): no reply SURBs from sender tag ${tag}: ` +
        "it never sent us any, or they are used up; only that sender can send more " +
        "(with send(…, { replySurbs }))",
    );
  }
}

/**
 * The runtime has no `WebSocket` and none was injected (Node 20 and older). Pass one to
 * `connect({ WebSocket })`, e.g. from the `ws` package, or use Node 22 or newer.
 *
 * @example
 * ```ts
 * import { MissingWebSocketError } from "./_validate.ts";
 * console.log(new MissingWebSocketError().name); // "MissingWebSocketError"
 * ```
 */
export class MissingWebSocketError extends TypeError {
  /** Builds the error with its advice. */
  constructor() {
    super(
      "this runtime has no global WebSocket (Node.js before 22): pass one to connect(), e.g. " +
        '`import WebSocket from "ws"; await connect({ WebSocket })`, or use Node.js 22 or newer',
    );
    this.name = "MissingWebSocketError";
  }
}

/**
 * Checks that a WebSocket constructor is available: the injected one or the runtime's global.
 *
 * @throws {MissingWebSocketError} when neither exists
 *
 * @example
 * ```ts
 * import { requireWebSocket } from "./_validate.ts";
 * requireWebSocket(undefined); // fine wherever globalThis.WebSocket exists (Deno, Bun, browsers)
 * ```
 */
export function requireWebSocket(injected: unknown): void {
  if (typeof injected === "function") return;
  if (injected !== undefined) {
    throw new TypeError(`connect(): WebSocket must be a constructor, got ${describe(injected)}`);
  }
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== "function") {
    throw new MissingWebSocketError();
  }
}
