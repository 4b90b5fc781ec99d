/**
 * One frame of Nym's node-to-node TCP stream (`common/nymsphinx/framing/src/packet.rs`):
 *
 * ```text
 * version (u8) ‖ size tag (u8) ‖ packet type (u8) ‖ [key rotation (u8), version ≥ 8 only] ‖ packet
 * ```
 *
 * The packet has exactly the length its size tag implies; nothing else delimits frames.
 *
 * @module
 */
import type { FramePacketSize } from "./frame_size.ts";

/** The legacy frame version: a 3-byte header without the key rotation byte. */
export const LEGACY_FRAME_VERSION = 7;
/** The current frame version: a 4-byte header ending in the key rotation byte. */
export const CURRENT_FRAME_VERSION = 8;

/** Packet type byte of a Sphinx packet (`PacketType::Mix`). */
export const PACKET_TYPE_MIX = 0;
/** Packet type byte of an Outfox packet (`PacketType::Outfox`). */
export const PACKET_TYPE_OUTFOX = 2;

/** Key rotation byte: the sender did not say which key (what a version 7 header implies). */
export const KEY_ROTATION_UNKNOWN = 0;
/** Key rotation byte: the sphinx key of an odd rotation id. */
export const KEY_ROTATION_ODD = 1;
/** Key rotation byte: the sphinx key of an even rotation id. */
export const KEY_ROTATION_EVEN = 2;

/** A frame version Nym's nodes understand. */
export type FrameVersion = 7 | 8;
/** A packet type byte: 0 Mix (Sphinx) or 2 Outfox. */
export type FramePacketType = 0 | 2;
/** A key rotation byte: 0 unknown, 1 odd, 2 even. */
export type KeyRotation = 0 | 1 | 2;

/** A decoded frame. */
export interface Frame {
  /** 7 (3-byte header) or 8 (4-byte header). */
  readonly version: FrameVersion;
  /** The packet size the header names; `packet.length === packetSize.totalSize`. */
  readonly packetSize: FramePacketSize;
  /** 0 Mix or 2 Outfox. */
  readonly packetType: FramePacketType;
  /** 0, 1 or 2; always 0 for version 7, which has no such byte. */
  readonly keyRotation: KeyRotation;
  /** The packet bytes. */
  readonly packet: Uint8Array;
}

/**
 * The header length of a frame of `version`: 3 for version 7, 4 for version 8.
 *
 * @example
 * ```ts
 * import { frameHeaderSize } from "./mod.ts";
 * console.log(frameHeaderSize(7), frameHeaderSize(8)); // 3 4
 * ```
 */
export function frameHeaderSize(version: FrameVersion): 3 | 4 {
  return version === LEGACY_FRAME_VERSION ? 3 : 4;
}
