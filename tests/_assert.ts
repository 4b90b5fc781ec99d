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
  // Deno prints Maps, Sets, Dates, Errors, buffers and cycles faithfully; elsewhere (the Node/Bun
  // suite) JSON is the fallback.
  const deno = (globalThis as { Deno?: { inspect?: (v: unknown, o: object) => string } }).Deno;
  if (typeof deno?.inspect === "function") {
    return deno.inspect(value, {
      depth: 6,
      colors: false,
      iterableLimit: 64,
      strAbbreviateSize: 200,
    });
  }
  try {
    return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}n` : v);
  } catch {
    return String(value);
  }
}

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array);

function bytesOf(view: ArrayBuffer | SharedArrayBuffer | DataView): Uint8Array {
  return view instanceof DataView
    ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    : new Uint8Array(view);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Own enumerable string keys and own enumerable symbols, as std's `equal` compares them. */
function ownKeys(value: object): PropertyKey[] {
  const symbols = Object.getOwnPropertySymbols(value).filter((s) =>
    Object.prototype.propertyIsEnumerable.call(value, s)
  );
  return [...Object.keys(value), ...symbols];
}

/**
 * Structural equality in the manner of std's `assert/equal.ts`: primitives by `Object.is`; objects
 * need the same prototype, then `Date` by time, `RegExp` by source and flags, `URL` by `href`,
 * boxed primitives by value, `ArrayBuffer`/`SharedArrayBuffer`/`DataView` by their bytes, typed
 * arrays element by element, `Map`/`Set` by deep-equal members (keys may be objects), `Error` by
 * `name` and `message` (and `cause`), and every object by its own enumerable string and symbol
 * keys. `WeakMap`/`WeakSet` cannot be compared and throw; cycles are followed once.
 *
 * @example
 * ```ts
 * import { equal } from "./_assert.ts";
 * console.log(equal(new Map([[1, { a: [2] }]]), new Map([[1, { a: [2] }]]))); // true
 * console.log(equal(new Date(0), new Date(1))); // false
 * ```
 */
export function equal(a: unknown, b: unknown): boolean {
  return compare(a, b, new Map());
}

function compare(a: unknown, b: unknown, seen: Map<object, object>): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (seen.get(a) === b) return true;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof WeakMap || a instanceof WeakSet) {
    throw new TypeError(`cannot compare ${a.constructor.name} instances`);
  }
  seen.set(a, b);
  if (a instanceof Date) {
    return Object.is(a.getTime(), (b as Date).getTime()) && sameProperties(a, b, seen);
  }
  if (a instanceof RegExp) {
    return String(a) === String(b) && a.lastIndex === (b as RegExp).lastIndex &&
      sameProperties(a, b, seen);
  }
  if (typeof URL === "function" && a instanceof URL) return a.href === (b as URL).href;
  if (a instanceof Number || a instanceof String || a instanceof Boolean) {
    return Object.is(a.valueOf(), (b as typeof a).valueOf()) && sameProperties(a, b, seen);
  }
  if (typeof BigInt === "function" && a instanceof BigInt) {
    return a.valueOf() === (b as { valueOf(): unknown }).valueOf();
  }
  if (
    a instanceof ArrayBuffer || a instanceof DataView ||
    (typeof SharedArrayBuffer === "function" && a instanceof SharedArrayBuffer)
  ) {
    return sameBytes(bytesOf(a), bytesOf(b as typeof a)) && sameProperties(a, b, seen);
  }
  if (a instanceof TYPED_ARRAY) {
    // Element by element (NaN equals NaN, 0 differs from -0), and no own-key walk: listing the
    // keys of a 50 MB array would build 50 million strings.
    const x = a as unknown as ArrayLike<number | bigint>, y = b as unknown as typeof x;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const p = x[i], q = y[i];
      // equal values differ only as 0 and -0; unequal ones are equal only as NaN and NaN
      if (p === q ? p === 0 && !Object.is(p, q) : p === p || q === q) return false;
    }
    return true;
  }
  if (a instanceof Error) {
    const e = b as Error;
    if (a.name !== e.name || a.message !== e.message) return false;
    if (("cause" in a || "cause" in e) && !compare(a.cause, e.cause, seen)) return false;
  }
  if (a instanceof Map) {
    const m = b as Map<unknown, unknown>;
    if (a.size !== m.size) return false;
    const unmatched = new Set(m.keys());
    for (const [key, value] of a) {
      let match: unknown = undefined, found = false;
      if (m.has(key) && unmatched.has(key)) {
        match = key;
        found = true;
      } else {
        for (const other of unmatched) {
          if (compare(key, other, seen) && compare(value, m.get(other), seen)) {
            match = other;
            found = true;
            break;
          }
        }
      }
      if (!found || !compare(value, m.get(match), seen)) return false;
      unmatched.delete(match);
    }
    return sameProperties(a, b, seen);
  }
  if (a instanceof Set) {
    const s = b as Set<unknown>;
    if (a.size !== s.size) return false;
    const unmatched = new Set(s);
    for (const value of a) {
      if (unmatched.has(value)) {
        unmatched.delete(value);
        continue;
      }
      let found = false;
      for (const other of unmatched) {
        if (compare(value, other, seen)) {
          unmatched.delete(other);
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return sameProperties(a, b, seen);
  }
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  return sameProperties(a, b, seen);
}

function sameProperties(a: object, b: object, seen: Map<object, object>): boolean {
  const keys = ownKeys(a);
  const other = ownKeys(b);
  if (keys.length !== other.length) return false;
  const record = (o: object) => o as Record<PropertyKey, unknown>;
  return keys.every((k) =>
    Object.prototype.propertyIsEnumerable.call(b, k) && compare(record(a)[k], record(b)[k], seen)
  );
}

/** Throws unless `actual` deep-equals `expected` ({@linkcode equal}). */
export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  if (!equal(actual, expected)) {
    throw new Error(
      `${message ?? "values differ"}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`,
    );
  }
}

/** Throws if `actual` deep-equals `unexpected`. */
export function assertNotEquals(actual: unknown, unexpected: unknown, message?: string): void {
  if (equal(actual, unexpected)) {
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
