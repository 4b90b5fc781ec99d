/**
 * Nym's node-to-node framing (`NymCodec`, `common/nymsphinx/framing/src/{packet,codec}.rs`):
 * how mixnodes and gateways delimit packets on their TCP streams.
 *
 * ```text
 * version (u8) ‖ size tag (u8) ‖ packet type (u8) ‖ [key rotation (u8), version ≥ 8 only] ‖ packet
 * ```
 *
 * - version 7: legacy 3-byte header (what nym-node sends by default,
 *   `use_legacy_packet_encoding = true`); version 8: 4-byte header with the key rotation byte.
 * - size tags: 1 regular (2413 B), 2 ack (386), 3 extended32 (33133), 4 extended8 (8557),
 *   5 extended16 (16749), 6 outfox regular (2377), 7 outfox ack (377).
 * - packet type: 0 Mix (Sphinx), 2 Outfox. Key rotation: 0 unknown, 1 odd, 2 even.
 *
 * Plain TCP only: Nym upgrades node links to Noise when both sides publish a Noise key; this
 * codec is what runs inside (or, on a local network, instead of) that channel.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./mod.ts";
 * import { PACKET_SIZES } from "../../sphinx/mod.ts";
 * const wire = encodeFrame({ version: 7, packetSize: PACKET_SIZES.regular, packetType: 0,
 *   keyRotation: 0, packet: new Uint8Array(2413) });
 * const frame = new FrameDecoder().feed(wire).next().value;
 * console.log(frame?.packetSize.name); // "regular"
 * ```
 *
 * @module
 */
export {
  CURRENT_FRAME_VERSION,
  type Frame,
  frameHeaderSize,
  type FramePacketType,
  type FrameVersion,
  KEY_ROTATION_EVEN,
  KEY_ROTATION_ODD,
  KEY_ROTATION_UNKNOWN,
  type KeyRotation,
  LEGACY_FRAME_VERSION,
  PACKET_TYPE_MIX,
  PACKET_TYPE_OUTFOX,
} from "./frame.ts";
export {
  type FramePacketSize,
  frameSizeFromTag,
  isOutfoxSize,
  OUTFOX_PACKET_SIZES,
  type OutfoxPacketSize,
} from "./frame_size.ts";
export { FramingError, type FramingErrorKind } from "./framing_error.ts";
export { encodeFrame, type EncodeFrameOptions } from "./encode_frame.ts";
export { FrameDecoder, readFrames } from "./frame_decoder.ts";
