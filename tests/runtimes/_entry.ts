// The single module the Node and Bun suites import: `scripts/test_runtimes.ts` bundles it to
// plain ESM (`deno bundle --platform browser`), so both runtimes load the same JavaScript the
// browser and edge builds use. One bundle keeps one copy of every class (`instanceof` works).
export * from "../../mod.ts";
export * as sphinx from "../../sphinx/mod.ts";
export * as message from "../../message/mod.ts";
export { defaultCrypto, nobleCrypto } from "../../crypto/mod.ts";
export { expandSharedSecret, payloadKeyFromSeed } from "../../sphinx/_keys.ts";
export { fromHex, readU32be, toHex } from "../../internal/bytes.ts";
export { fromBase58 } from "../../internal/encoding.ts";
