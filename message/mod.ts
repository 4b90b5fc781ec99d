/**
 * Nym's message layer, byte for byte: client addresses, `NymMessage` encoding with reply SURB
 * blocks, padding, fragmentation into linked sets, reassembly, end-to-end fragment encryption,
 * ack payloads, loop cover content and the per-packet Sphinx plaintext.
 *
 * Sending a plain message to `recipient`, per packet: `encodeNymMessage` → `padMessage` →
 * `splitIntoFragments` → `encodeFragment` → `encryptForRecipient` → `buildPacketPlaintext`
 * (with a SURB-ACK) → Sphinx. Receiving: `classifyReceived` → `decryptReceived` → `isCover` →
 * `Reassembler.insertBytes` → `decodeNymMessage`.
 *
 * @example Round trip without the mixnet
 * ```ts
 * import {
 *   decodeNymMessage, decryptRegular, encodeFragment, encodeNymMessage, encryptForRecipient,
 *   fragmentCapacity, padMessage, Reassembler, splitIntoFragments,
 * } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const publicKey = defaultCrypto().x25519PublicKey(secret);
 * const data = new TextEncoder().encode("hello mixnet");
 * const padded = padMessage(encodeNymMessage({ type: "plain", data }), fragmentCapacity());
 * const sealed = splitIntoFragments(padded, fragmentCapacity())
 *   .map((f) => encryptForRecipient(encodeFragment(f), publicKey));
 * const reassembler = new Reassembler();
 * for (const payload of sealed) {
 *   const outcome = reassembler.insertBytes(decryptRegular(payload, secret));
 *   if (outcome.kind === "complete") {
 *     const message = decodeNymMessage(outcome.message);
 *     if (message.type === "plain") console.log(new TextDecoder().decode(message.data));
 *   }
 * }
 * ```
 *
 * @module
 */
export {
  ACK_PAYLOAD_LENGTH,
  FRAGMENT_ID_LENGTH,
  LINKED_HEADER_LENGTH,
  MAX_FRAGMENTS_PER_SET,
  SURB_ACK_LENGTH,
  SYMMETRIC_KEY_LENGTH,
  UNLINKED_HEADER_LENGTH,
  VARIANT_DATA_LENGTH,
} from "./constants.ts";
export { AddressError, type AddressErrorKind, type AddressPart } from "./address_error.ts";
export { MessageError, type MessageErrorKind } from "./message_error.ts";
export { Recipient } from "./recipient.ts";
export { AnonymousSenderTag } from "./sender_tag.ts";
export {
  type AdditionalSurbs,
  decodeNymMessage,
  encodeNymMessage,
  type Heartbeat,
  type KeyRotation,
  messageData,
  type NymMessage,
  type PlainMessage,
  type RepliableContent,
  type RepliableData,
  type RepliableMessage,
  type ReplyContent,
  type ReplyMessage,
  type ReplySurbBytes,
  type SurbBlock,
} from "./nym_message.ts";
export { padMessage, removePadding } from "./padding.ts";
export {
  COVER_FRAGMENT_ID,
  decodeFragment,
  decodeFragmentId,
  encodeFragment,
  type Fragment,
  fragmentHeaderLength,
  fragmentId,
  type FragmentIdentifier,
  isCoverFragmentId,
} from "./fragment.ts";
export {
  generateSetId,
  numberOfRequiredFragments,
  numberOfSets,
  setCapacities,
  splitIntoFragments,
  splitIntoSets,
} from "./fragment_set.ts";
export { type InsertOutcome, Reassembler, type ReassemblerOptions } from "./reassembly.ts";
export {
  type DecryptedPayload,
  decryptReceived,
  decryptRegular,
  decryptReply,
  encryptForRecipient,
  type EncryptionOptions,
  encryptReply,
  packetKey,
  replyKeyDigest,
  type ReplyKeyStore,
} from "./encryption.ts";
export { decryptAck, encryptAck } from "./ack_payload.ts";
export { coverContent, coverPayload, isCover, loopCoverMarker } from "./cover.ts";
export { DEFAULT_LOOP_COVER_KEYS, LoopCoverKeys } from "./loop_cover_keys.ts";
export {
  buildPacketPlaintext,
  classifyReceived,
  fragmentCapacity,
  type ReceivedKind,
  type SplitPacketPlaintext,
  splitPacketPlaintext,
} from "./packet_plaintext.ts";

// Types that the exports above mention in their signatures.
export type { CryptoProvider } from "../crypto/crypto_provider.ts";
export type { RandomBytes } from "../internal/random.ts";
export type { PacketSize } from "../sphinx/packet_size.ts";
