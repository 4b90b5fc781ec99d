/**
 * `@nym/mixnet`: a pure-TypeScript client for the Nym mixnet.
 *
 * @module
 */
export * from "./sphinx/mod.ts";
