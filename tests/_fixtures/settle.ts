/**
 * Waiting for work already queued, without sleeping for a guessed time.
 *
 * @example
 * ```ts
 * import { settle } from "./settle.ts";
 * let done = false;
 * Promise.resolve().then(() => Promise.resolve()).then(() => done = true);
 * await settle();
 * console.log(done); // true
 * ```
 * @module
 */

/**
 * Resolves once every promise reaction queued so far, and every reaction those queue, has run:
 * a zero-delay macrotask is served only after the microtask queue is empty. Timers of an
 * injected ManualClock do not fire; advance the clock for those.
 *
 * @example
 * ```ts
 * import { settle } from "./settle.ts";
 * const order: string[] = [];
 * queueMicrotask(() => order.push("microtask"));
 * await settle();
 * console.log(order); // [ "microtask" ]
 * ```
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
