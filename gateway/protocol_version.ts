/**
 * Client ↔ gateway protocol versions (`common/gateway-requests/src/lib.rs`): 3 introduced
 * AES-256-GCM-SIV, 4 `authenticateV2`, 5 the key rotation byte in forwarded mix packets
 * (`ForwardSphinxV2`), 6 "upgrade mode".
 *
 * @module
 */

/** Version 3: AES-256-GCM-SIV shared keys with random nonces. */
export const AES_GCM_SIV_PROTOCOL_VERSION = 3;
/** Version 4: `authenticateV2` with replay protection; the oldest version spoken here. */
export const AUTHENTICATE_V2_PROTOCOL_VERSION = 4;
/** Version 5: forwarded mix packets carry a key rotation byte (`ForwardSphinxV2`). */
export const KEY_ROTATION_PROTOCOL_VERSION = 5;
/** Version 6: "upgrade mode" flags in responses. */
export const UPGRADE_MODE_PROTOCOL_VERSION = 6;
/** The newest version this implementation speaks (Nym's `CURRENT_PROTOCOL_VERSION`). */
export const CURRENT_PROTOCOL_VERSION = 6;

/**
 * Whether forwarded packets use `ForwardSphinxV2` (with the key rotation byte) at `version`.
 *
 * @example
 * ```ts
 * import { usesForwardSphinxV2 } from "./mod.ts";
 * console.log(usesForwardSphinxV2(4), usesForwardSphinxV2(5)); // false true
 * ```
 */
export function usesForwardSphinxV2(version: number): boolean {
  return version >= KEY_ROTATION_PROTOCOL_VERSION;
}
