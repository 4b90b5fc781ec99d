// The official mix-fetch 1.4.4 web worker, run in a Deno Worker: the IndexedDB polyfill it
// needs outside a browser, then the package's own worker script (its file URL is passed in the
// query string by tests/exit_official_mix_fetch_test.ts).
const source = new URL(import.meta.url).searchParams.get("src");
// deno-lint-ignore no-import-prefix
await import("npm:fake-indexeddb@6.2.8/auto");
await import(source);
