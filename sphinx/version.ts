/**
 * Sphinx header versions. The version sits, encrypted, in every hop's routing block as
 * `0x00 ‖ u16 big-endian`.
 *
 * @module
 */

/** The first legacy format (unclamped key derivation). Processed, never built. */
export const INITIAL_LEGACY_VERSION = 1;
/** The second legacy format (unclamped key derivation). Processed, never built. */
export const UPDATED_LEGACY_VERSION = 257;
/** X25519 key derivation with the 192-byte payload key taken straight from HKDF. */
export const X25519_WITH_EXPLICIT_PAYLOAD_KEYS_VERSION = 258;
/** X25519 key derivation with a 16-byte payload key seed expanded by HKDF. */
export const PAYLOAD_KEYS_SEEDS_VERSION = 259;

import { SphinxError } from "./sphinx_error.ts";

/** The versions this library can build. */
export type BuildableVersion = 258 | 259;

/** `version` if it can be built (259 when undefined); otherwise a `version` SphinxError. */
export function buildableVersion(version: number | undefined): BuildableVersion {
  const v = version ?? PAYLOAD_KEYS_SEEDS_VERSION;
  if (v !== 258 && v !== 259) {
    throw new SphinxError("version", `only versions 258 and 259 can be built, not ${v}`);
  }
  return v;
}

/**
 * True for the legacy versions 1 and 257, whose blinding uses unclamped scalars.
 *
 * @example
 * ```ts
 * import { isLegacyVersion } from "@nym/mixnet/sphinx";
 * console.log(isLegacyVersion(257), isLegacyVersion(259)); // true false
 * ```
 */
export function isLegacyVersion(version: number): boolean {
  return version === INITIAL_LEGACY_VERSION || version === UPDATED_LEGACY_VERSION;
}

/**
 * True for the versions (1, 257, 258) whose payload key is the full 192-byte HKDF output;
 * every other value uses a 16-byte seed, as Nym's nodes do.
 *
 * @example
 * ```ts
 * import { usesFullPayloadKeys } from "@nym/mixnet/sphinx";
 * console.log(usesFullPayloadKeys(258), usesFullPayloadKeys(259)); // true false
 * ```
 */
export function usesFullPayloadKeys(version: number): boolean {
  return version === INITIAL_LEGACY_VERSION || version === UPDATED_LEGACY_VERSION ||
    version === X25519_WITH_EXPLICIT_PAYLOAD_KEYS_VERSION;
}
