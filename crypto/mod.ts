/**
 * Cryptographic primitives behind `@nym/mixnet`, as one injectable {@linkcode CryptoProvider}.
 *
 * {@linkcode defaultCrypto} picks the native provider when the runtime has `node:crypto`
 * (measurably faster for X25519, AES-CTR, HMAC and ChaCha20) and the portable noble provider
 * otherwise. Pass a provider explicitly to any builder to override the choice.
 *
 * @example
 * ```ts
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const digest = defaultCrypto().blake3(new TextEncoder().encode("nym"));
 * console.log(digest.length); // 32
 * ```
 *
 * @module
 */
import type { CryptoProvider } from "./crypto_provider.ts";
import { nativeCrypto } from "./native.ts";
import { nobleCrypto } from "./noble.ts";

export { CryptoError, type CryptoProvider } from "./crypto_provider.ts";
export { nobleCrypto } from "./noble.ts";
export { nativeCrypto } from "./native.ts";

/**
 * The provider used when none is passed: native where available, noble elsewhere.
 *
 * @example
 * ```ts
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * console.log(defaultCrypto().name); // "native" in Deno, Node and Bun
 * ```
 */
export function defaultCrypto(): CryptoProvider {
  return nativeCrypto() ?? nobleCrypto;
}
