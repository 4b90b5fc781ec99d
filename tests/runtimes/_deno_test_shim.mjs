// `Deno.test` (and `Deno.env.get`) on top of another runtime's test runner, so the suite's own
// test files run unchanged under Node (`node:test`) and Bun (`bun:test`). Only what the suite's
// portable files use is provided: every `Deno.test` call form, `ignore`, `only`, and a test
// context whose `step` runs its function in place.

/**
 * Installs `globalThis.Deno` with `test` registering through `register(name, fn, ignore)`.
 * @param {(name: string, fn: () => Promise<void>, ignore: boolean) => void} register
 * @param {{ runtime: string; env: (name: string) => string | undefined }} options
 * @returns {void}
 */
// Plain JavaScript for Node and Bun: typed by the JSDoc above.
// deno-lint-ignore explicit-module-boundary-types
export function installDenoTest(register, { runtime, env }) {
  if (globalThis.Deno) throw new Error(`a Deno global already exists in ${runtime}`);
  const test = (a, b, c) => {
    // Deno.test(name, fn) | (name, options, fn) | (options) | (options, fn) | (fn)
    let options;
    if (typeof a === "string") {
      options = typeof b === "function" ? { name: a, fn: b } : { ...b, name: a, fn: c };
    } else if (typeof a === "function") {
      options = { name: a.name, fn: a };
    } else {
      options = typeof b === "function" ? { ...a, fn: b } : { ...a };
    }
    const { name, fn, ignore = false } = options;
    if (typeof name !== "string" || name === "" || typeof fn !== "function") {
      throw new TypeError(`Deno.test needs a name and a function (${name})`);
    }
    const context = {
      name,
      origin: runtime,
      async step(stepName, stepFn) {
        const f = typeof stepName === "function" ? stepName : stepFn ?? stepName.fn;
        await f(context);
        return true;
      },
    };
    register(name, async () => {
      await fn(context);
    }, Boolean(ignore));
  };
  globalThis.Deno = Object.freeze({ test, env: Object.freeze({ get: env }) });
}
