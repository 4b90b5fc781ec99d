// The suite's own assertions: `equal` must tell apart what std's `assert/equal.ts` tells apart,
// or every `assertEquals` built on it could pass on wrong values.
import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertThrows,
  equal,
} from "./_assert.ts";

function differ(a: unknown, b: unknown, what: string): void {
  assert(!equal(a, b), `${what}: compared equal`);
  assert(!equal(b, a), `${what}: compared equal the other way round`);
}

function same(a: unknown, b: unknown, what: string): void {
  assert(equal(a, b), `${what}: compared different`);
  assert(equal(b, a), `${what}: compared different the other way round`);
}

Deno.test("two ArrayBuffers with different bytes differ", () => {
  differ(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 4]).buffer, "ArrayBuffer");
  differ(new ArrayBuffer(2), new ArrayBuffer(3), "ArrayBuffer length");
  same(new Uint8Array([1, 2, 3]).buffer, new Uint8Array([1, 2, 3]).buffer, "ArrayBuffer");
  differ(new SharedArrayBuffer(1), new SharedArrayBuffer(2), "SharedArrayBuffer length");
});

Deno.test("DataViews compare the bytes they view, not the whole buffer", () => {
  const buffer = new Uint8Array([9, 1, 2, 9]).buffer;
  same(new DataView(buffer, 1, 2), new DataView(new Uint8Array([1, 2]).buffer), "DataView");
  differ(new DataView(buffer, 0, 2), new DataView(new Uint8Array([1, 2]).buffer), "DataView");
});

Deno.test("typed arrays compare element by element and by type", () => {
  same(new Uint8Array([1, 2]), new Uint8Array([1, 2]), "Uint8Array");
  differ(new Uint8Array([1, 2]), new Uint8Array([1, 3]), "Uint8Array");
  differ(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]), "Uint8Array length");
  differ(new Uint8Array([1, 2]), new Int8Array([1, 2]), "Uint8Array vs Int8Array");
  differ(new Uint8Array([1, 2]), [1, 2], "Uint8Array vs Array");
  same(new Float64Array([NaN]), new Float64Array([NaN]), "NaN elements");
  differ(new BigUint64Array([1n]), new BigUint64Array([2n]), "BigUint64Array");
  // A subarray equals a fresh array with the same elements.
  same(new Uint8Array([0, 1, 2]).subarray(1), new Uint8Array([1, 2]), "subarray");
});

Deno.test("Dates compare by time", () => {
  differ(new Date(0), new Date(1), "Date");
  same(new Date(5), new Date(5), "Date");
  same(new Date(NaN), new Date(NaN), "invalid Date");
  differ(new Date(0), {}, "Date vs object");
});

Deno.test("Errors compare by name, message and cause", () => {
  differ(new Error("one"), new Error("two"), "message");
  differ(new TypeError("x"), new RangeError("x"), "class");
  const renamed = new Error("x");
  renamed.name = "Other";
  differ(new Error("x"), renamed, "name");
  differ(new Error("x", { cause: 1 }), new Error("x", { cause: 2 }), "cause");
  differ(new Error("x", { cause: 1 }), new Error("x"), "cause present on one side");
  same(new Error("x"), new Error("x"), "same message");
  const tagged = Object.assign(new Error("x"), { kind: "mac" });
  differ(tagged, Object.assign(new Error("x"), { kind: "length" }), "own property");
});

Deno.test("RegExps and URLs compare by their text", () => {
  differ(/a/g, /a/i, "RegExp flags");
  differ(/a/, /b/, "RegExp source");
  same(/a+/g, /a+/g, "RegExp");
  differ(new URL("http://a.test/x"), new URL("http://a.test/y"), "URL");
  same(new URL("http://a.test/x"), new URL("http://a.test/x"), "URL");
});

Deno.test("Maps and Sets compare their members deeply, keys included", () => {
  same(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]), "Map");
  differ(new Map([[1, { a: 1 }]]), new Map([[1, { a: 2 }]]), "Map value");
  differ(new Map([[1, 1]]), new Map([[2, 1]]), "Map key");
  same(new Map([[{ k: 1 }, "v"]]), new Map([[{ k: 1 }, "v"]]), "object keys");
  differ(new Map([[{ k: 1 }, "v"]]), new Map([[{ k: 2 }, "v"]]), "object keys");
  same(new Set([{ a: 1 }, { a: 2 }]), new Set([{ a: 2 }, { a: 1 }]), "Set order");
  differ(new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 2 }]), "Set members");
  differ(new Set([1]), new Set([1, 2]), "Set size");
  differ(new Map(), new Set(), "Map vs Set");
});

Deno.test("own symbol keys and prototypes count", () => {
  const s = Symbol("s");
  differ({ [s]: 1 }, { [s]: 2 }, "symbol value");
  differ({ [s]: 1 }, {}, "symbol present on one side");
  same({ [s]: [1] }, { [s]: [1] }, "symbol");
  class A {
    constructor(readonly x: number) {}
  }
  class B {
    constructor(readonly x: number) {}
  }
  differ(new A(1), new B(1), "classes");
  differ(new A(1), { x: 1 }, "class vs object literal");
  same(new A(1), new A(1), "same class");
});

Deno.test("objects and arrays compare every key, undefined ones too", () => {
  differ({ a: undefined }, {}, "undefined key");
  differ({ a: 1, b: 2 }, { a: 1, c: 2 }, "key names");
  differ([1, [2, 3]], [1, [2, 4]], "nested array");
  same({ a: [1, { b: 2n }] }, { a: [1, { b: 2n }] }, "nested");
  // deno-lint-ignore no-sparse-arrays
  differ([1, , 3], [1, undefined, 3], "hole vs undefined");
  differ(0, -0, "signed zero");
  same(NaN, NaN, "NaN");
  differ(1, "1", "number vs string");
  differ(null, undefined, "null vs undefined");
  differ(new Number(1), new Number(2), "boxed numbers");
  differ(new String("a"), "a", "boxed vs primitive");
});

Deno.test("cyclic structures are compared without looping", () => {
  const a: { self?: unknown; v: number } = { v: 1 };
  a.self = a;
  const b: { self?: unknown; v: number } = { v: 1 };
  b.self = b;
  same(a, b, "cycle");
  const c: { self?: unknown; v: number } = { v: 2 };
  c.self = c;
  differ(a, c, "cycle with a different value");
});

Deno.test("WeakMaps and WeakSets cannot be compared", () => {
  assertThrows(() => equal(new WeakMap(), new WeakMap()), TypeError);
  assertThrows(() => equal(new WeakSet(), new WeakSet()), TypeError);
});

Deno.test("assertEquals and assertNotEquals throw with both values shown", () => {
  const error = assertThrows(() => assertEquals(new Date(0), new Date(1)), Error);
  assert(error.message.includes("1970-01-01T00:00:00.001Z"), error.message);
  assertThrows(
    () => assertNotEquals({ a: new Uint8Array([1]) }, { a: new Uint8Array([1]) }),
    Error,
  );
  assertEquals(new Error("same"), new Error("same"));
  assertNotEquals(new Error("one"), new Error("two"));
});

Deno.test("assertThrows and assertRejects check the class, the predicate, and that it threw", async () => {
  assertThrows(() => assertThrows(() => {}, Error), Error, (e) => e.message.includes("thrown"));
  assertThrows(() =>
    assertThrows(() => {
      throw new RangeError("r");
    }, TypeError), Error);
  assertThrows(
    () =>
      assertThrows(
        () => {
          throw new RangeError("r");
        },
        RangeError,
        () => false,
      ),
    Error,
    (e) => e.message.includes("did not match"),
  );
  const rejected = await assertRejects(() => Promise.reject(new RangeError("r")), RangeError);
  assertEquals(rejected.message, "r");
  await assertRejects(() => assertRejects(() => Promise.resolve(), Error), Error);
});
