// Minimal assertions for the test suite (JSR's @std/assert is not reachable from our machines).

/** Throws unless `condition` is truthy. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

function show(value: unknown): string {
  if (value instanceof Uint8Array) {
    const hex = Array.from(value.subarray(0, 64), (b) => b.toString(16).padStart(2, "0")).join("");
    return `Uint8Array(${value.length})[${hex}${value.length > 64 ? "…" : ""}]`;
  }
  try {
    return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}n` : v);
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((v, i) => v === b[i]);
  }
  if (a instanceof Set && b instanceof Set) {
    return a.size === b.size && [...a].every((v) => [...b].some((w) => deepEqual(v, w)));
  }
  if (a instanceof Map && b instanceof Map) {
    return a.size === b.size &&
      [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length &&
      ka.every((k) =>
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
      );
  }
  return false;
}

/** Throws unless `actual` deep-equals `expected` (bytes compared by value). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!deepEqual(actual, expected)) {
    throw new Error(
      `${message ?? "values differ"}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`,
    );
  }
}

/** Throws if `actual` deep-equals `unexpected`. */
export function assertNotEquals(actual: unknown, unexpected: unknown, message?: string): void {
  if (deepEqual(actual, unexpected)) {
    throw new Error(`${message ?? "values are equal"}: ${show(actual)}`);
  }
}

/**
 * Runs `fn`, expects it to throw an instance of `ErrorClass`, optionally checks the error, and
 * returns it.
 */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  check?: (error: E) => boolean,
): E {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ErrorClass)) {
      throw new Error(
        `expected ${ErrorClass.name}, got ${show(error)} ${(error as Error)?.stack ?? ""}`,
      );
    }
    if (check && !check(error)) throw new Error(`error did not match: ${error.message}`);
    return error;
  }
  throw new Error(`expected ${ErrorClass.name} to be thrown`);
}

/** Async version of {@linkcode assertThrows}. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass: new (...args: any[]) => E,
  check?: (error: E) => boolean,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof ErrorClass)) {
      throw new Error(`expected ${ErrorClass.name}, got ${show(error)}`);
    }
    if (check && !check(error)) throw new Error(`error did not match: ${error.message}`);
    return error;
  }
  throw new Error(`expected ${ErrorClass.name} to be rejected`);
}

/**
 * Resolves or rejects as `promise` does, or rejects if it has not settled within `ms`: a test
 * that would otherwise hang fails with `what` instead. The timer is always cleared.
 */
export async function withDeadline<T>(
  promise: PromiseLike<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
