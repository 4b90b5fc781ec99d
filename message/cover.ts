/**
 * Loop cover traffic content (Nym `cover/src/lib.rs`): `"The cake is a lie!" ‖ 0x01 ‖ zeros`,
 * encrypted like any regular fragment and recognised after decryption by its prefix.
 *
 * @module
 */
import { PACKET_SIZES, type PacketSize } from "../sphinx/mod.ts";
import { SURB_ACK_LENGTH, VARIANT_DATA_LENGTH } from "./constants.ts";
import { encryptForRecipient, type EncryptionOptions } from "./encryption.ts";
import { MessageError } from "./message_error.ts";

const MARKER = new TextEncoder().encode("The cake is a lie!");
/** Cover content per length, for {@linkcode coverPayload} only (never handed out). */
const CONTENT_BY_LENGTH = new Map<number, Uint8Array>();

/**
 * The 18-byte marker `"The cake is a lie!"` that starts every cover payload (a fresh copy).
 *
 * @example
 * ```ts
 * import { loopCoverMarker } from "@nym/mixnet/message";
 * console.log(new TextDecoder().decode(loopCoverMarker())); // "The cake is a lie!"
 * ```
 */
export function loopCoverMarker(): Uint8Array {
  return MARKER.slice();
}

/**
 * Cover content of `length` bytes: the marker, `0x01`, then zeros (truncated if `length` is
 * shorter, as Nym's `take(cover_size)`).
 *
 * @example
 * ```ts
 * import { coverContent } from "@nym/mixnet/message";
 * const c = coverContent(1611);
 * console.log(c.length, c[18], c[19]); // 1611 1 0
 * ```
 */
export function coverContent(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new MessageError("length", `invalid cover length ${length}`);
  }
  const out = new Uint8Array(length);
  out.set(MARKER.subarray(0, length));
  if (length > MARKER.length) out[MARKER.length] = 1;
  return out;
}

/**
 * Whether decrypted fragment bytes are loop cover (they start with the marker).
 *
 * @example
 * ```ts
 * import { coverContent, isCover } from "@nym/mixnet/message";
 * console.log(isCover(coverContent(100)), isCover(new Uint8Array(100))); // true false
 * ```
 */
export function isCover(plaintext: Uint8Array): boolean {
  if (plaintext.length < MARKER.length) return false;
  for (let i = 0; i < MARKER.length; i++) if (plaintext[i] !== MARKER[i]) return false;
  return true;
}

/**
 * The part of a loop cover packet's plaintext after the SURB-ACK: `ephemeral key ‖
 * AES-128-CTR64(k, IV 0, cover content)`, `size.plaintextSize − 405` bytes (1643 for regular).
 *
 * @example
 * ```ts
 * import { coverPayload, decryptRegular, isCover } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const payload = coverPayload(defaultCrypto().x25519PublicKey(secret));
 * console.log(payload.length, isCover(decryptRegular(payload, secret))); // 1643 true
 * ```
 */
export function coverPayload(
  ownEncryptionKey: Uint8Array,
  size: PacketSize = PACKET_SIZES.regular,
  options: EncryptionOptions = {},
): Uint8Array {
  const length = size.plaintextSize - SURB_ACK_LENGTH - VARIANT_DATA_LENGTH;
  if (length < 0) {
    throw new MessageError("length", `packet size ${size.name} has no room for cover`);
  }
  // The content is the same for every packet of a size and encryption only reads it: build it
  // once per length (a fresh 1.6 kB array per cover packet showed up in idle profiles).
  let content = CONTENT_BY_LENGTH.get(length);
  if (!content) CONTENT_BY_LENGTH.set(length, content = coverContent(length));
  return encryptForRecipient(content, ownEncryptionKey, options);
}
