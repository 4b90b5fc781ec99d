/**
 * Sphinx constants of `sphinx-packet` 0.6.0 as Nym uses it.
 *
 * @module
 */

/** Security parameter k, in bytes. */
export const SECURITY_PARAMETER = 16;
/** The most hops a header can address. */
export const MAX_PATH_LENGTH = 5;
/** A node address inside the header, zero-padded. */
export const NODE_ADDRESS_LENGTH = 32;
/** A final destination address (a Nym client's ed25519 identity). */
export const DESTINATION_ADDRESS_LENGTH = 32;
/** The SURB identifier carried to the final hop (Nym sends zeros). */
export const IDENTIFIER_LENGTH = 16;
/** Per-hop integrity tag γ: HMAC-SHA256 truncated to 16 bytes. */
export const HEADER_INTEGRITY_MAC_SIZE = 16;
/** flag (1) ‖ version (3) ‖ address (32) ‖ delay (8). */
export const NODE_META_INFO_SIZE = 44;
/** Bytes one hop takes in β: meta info plus the next γ. */
export const HOP_BLOCK_SIZE: number = NODE_META_INFO_SIZE + HEADER_INTEGRITY_MAC_SIZE;
/** β, the encrypted routing information. */
export const ENCRYPTED_ROUTING_INFO_SIZE: number = HOP_BLOCK_SIZE * MAX_PATH_LENGTH;
/** β as passed on to the next hop before re-padding. */
export const TRUNCATED_ROUTING_INFO_SIZE: number = ENCRYPTED_ROUTING_INFO_SIZE - HOP_BLOCK_SIZE;
/** Keystream length used to encrypt or unwrap β. */
export const STREAM_CIPHER_OUTPUT_LENGTH: number = ENCRYPTED_ROUTING_INFO_SIZE + HOP_BLOCK_SIZE;
/** flag (1) ‖ version (3) ‖ destination (32) ‖ identifier (16). */
export const FINAL_NODE_META_INFO_LENGTH = 52;
/** α (32) ‖ γ (16) ‖ β (300) = 348 bytes. */
export const HEADER_SIZE: number = 32 + HEADER_INTEGRITY_MAC_SIZE + ENCRYPTED_ROUTING_INFO_SIZE;
/** Lioness raw key: k1 (32) ‖ k2 (64) ‖ k3 (32) ‖ k4 (64). */
export const PAYLOAD_KEY_SIZE = 192;
/** Payload key seed of version 259. */
export const PAYLOAD_KEY_SEED_SIZE = 16;
/** Output length of the per-hop shared-secret expansion. */
export const EXPANDED_SHARED_SECRET_LENGTH = 288;
/** 16 zero bytes and one marker byte added to every payload. */
export const PAYLOAD_OVERHEAD_SIZE = 17;
/** Routing flag of a forward hop. */
export const FORWARD_HOP = 0x01;
/** Routing flag of the final hop. */
export const FINAL_HOP = 0x02;

const encoder = new TextEncoder();

/** HKDF info of the shared-secret expansion (97 ASCII bytes). */
export const EXPANDED_SHARED_SECRET_HKDF_INFO: Uint8Array = encoder.encode(
  "Dwste mou enan moxlo arketa makru kai ena upomoxlio gia na ton topothetisw kai tha kinisw thn gh.",
);
/** HKDF salt of the v259 payload key. */
export const PAYLOAD_KEY_HKDF_SALT: Uint8Array = encoder.encode(
  "sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT",
);
/** HKDF info of the v259 payload key. */
export const PAYLOAD_KEY_HKDF_INFO: Uint8Array = encoder.encode(
  "sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO",
);
