/**
 * Fixed sizes of Nym's message layer (`common/nymsphinx/{params,chunking,addressing}`).
 *
 * @module
 */

/**
 * A serialized SURB-ACK at the start of every data packet's Sphinx plaintext: the first hop's
 * routing address zero-padded to 19 bytes ‖ the 386-byte ack packet.
 *
 * @example
 * ```ts
 * import { SURB_ACK_LENGTH } from "@nym/mixnet/message";
 * console.log(SURB_ACK_LENGTH); // 405
 * ```
 */
export const SURB_ACK_LENGTH = 405;

/**
 * The variant data after the SURB-ACK: the sender's ephemeral x25519 public key (regular
 * packets) or the BLAKE3 digest of the reply key (replies). Both are 32 bytes.
 *
 * @example
 * ```ts
 * import { VARIANT_DATA_LENGTH } from "@nym/mixnet/message";
 * console.log(VARIANT_DATA_LENGTH); // 32
 * ```
 */
export const VARIANT_DATA_LENGTH = 32;

/**
 * Length of a fragment identifier as acknowledgements carry it: `set_id (i32 BE) ‖ position`.
 *
 * @example
 * ```ts
 * import { FRAGMENT_ID_LENGTH } from "@nym/mixnet/message";
 * console.log(FRAGMENT_ID_LENGTH); // 5
 * ```
 */
export const FRAGMENT_ID_LENGTH = 5;

/**
 * Length of an ack as the client receives it: `IV (16) ‖ encrypted fragment id (5)`.
 *
 * @example
 * ```ts
 * import { ACK_PAYLOAD_LENGTH } from "@nym/mixnet/message";
 * console.log(ACK_PAYLOAD_LENGTH); // 21
 * ```
 */
export const ACK_PAYLOAD_LENGTH = 21;

/**
 * Length of the AES-128 keys of the message layer (packet keys, reply-SURB keys, the ack key).
 *
 * @example
 * ```ts
 * import { SYMMETRIC_KEY_LENGTH } from "@nym/mixnet/message";
 * console.log(SYMMETRIC_KEY_LENGTH); // 16
 * ```
 */
export const SYMMETRIC_KEY_LENGTH = 16;

/**
 * The most fragments one set holds.
 *
 * @example
 * ```ts
 * import { MAX_FRAGMENTS_PER_SET } from "@nym/mixnet/message";
 * console.log(MAX_FRAGMENTS_PER_SET); // 255
 * ```
 */
export const MAX_FRAGMENTS_PER_SET = 255;

/**
 * Header length of a fragment that carries no link to another set.
 *
 * @example
 * ```ts
 * import { UNLINKED_HEADER_LENGTH } from "@nym/mixnet/message";
 * console.log(UNLINKED_HEADER_LENGTH); // 7
 * ```
 */
export const UNLINKED_HEADER_LENGTH = 7;

/**
 * Header length of a fragment that links its set to the previous or the next set.
 *
 * @example
 * ```ts
 * import { LINKED_HEADER_LENGTH } from "@nym/mixnet/message";
 * console.log(LINKED_HEADER_LENGTH); // 10
 * ```
 */
export const LINKED_HEADER_LENGTH = 10;
