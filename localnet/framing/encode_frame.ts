/**
 * Encoding one frame of the node-to-node stream.
 *
 * @module
 */
import { packetSizeFromLength } from "../../sphinx/mod.ts";
import {
  CURRENT_FRAME_VERSION,
  frameHeaderSize,
  type FramePacketType,
  type FrameVersion,
  KEY_ROTATION_UNKNOWN,
  type KeyRotation,
  LEGACY_FRAME_VERSION,
  PACKET_TYPE_MIX,
  PACKET_TYPE_OUTFOX,
} from "./frame.ts";
import {
  type FramePacketSize,
  frameSizeFromTag,
  isOutfoxSize,
  OUTFOX_PACKET_SIZES,
} from "./frame_size.ts";
import { FramingError } from "./framing_error.ts";

/** Options of {@linkcode encodeFrame}. */
export interface EncodeFrameOptions {
  /** The packet; its length must be `packetSize.totalSize`. */
  readonly packet: Uint8Array;
  /** 8 (default, Nym's `PacketVersion::new()`) or 7 (nym-node's default for forwarding). */
  readonly version?: FrameVersion;
  /** The packet size; by default the size whose total length is `packet.length`. */
  readonly packetSize?: FramePacketSize;
  /** 0 Mix or 2 Outfox; by default 2 for Outfox sizes and 0 otherwise, as Nym maps them. */
  readonly packetType?: FramePacketType;
  /** 0, 1 or 2 (default 0). Version 7 headers have no such byte, so it is not written there. */
  readonly keyRotation?: KeyRotation;
}

function sizeForLength(length: number): FramePacketSize | undefined {
  return packetSizeFromLength(length) ??
    Object.values(OUTFOX_PACKET_SIZES).find((s) => s.totalSize === length);
}

/**
 * Encodes `header ‖ packet`. Throws {@linkcode FramingError} when an argument is out of range
 * or the packet's length does not match its size.
 *
 * @example
 * ```ts
 * import { encodeFrame } from "./mod.ts";
 * import { PACKET_SIZES } from "../../sphinx/mod.ts";
 * const frame = encodeFrame({
 *   version: 8,
 *   packetSize: PACKET_SIZES.ack,
 *   packetType: 0,
 *   keyRotation: 2,
 *   packet: new Uint8Array(386),
 * });
 * console.log(frame.length, frame.subarray(0, 4)); // 390 Uint8Array(4) [ 8, 2, 0, 2 ]
 * ```
 */
export function encodeFrame(options: EncodeFrameOptions): Uint8Array {
  const { packet } = options;
  const version = options.version ?? CURRENT_FRAME_VERSION;
  if (version !== LEGACY_FRAME_VERSION && version !== CURRENT_FRAME_VERSION) {
    throw new FramingError("version", `frame version must be 7 or 8, not ${version}`);
  }
  const given = options.packetSize ?? sizeForLength(packet.length);
  if (given === undefined) {
    throw new FramingError("length", `no packet size has ${packet.length} bytes`);
  }
  const size = frameSizeFromTag(given.tag);
  if (size === undefined || size.totalSize !== given.totalSize) {
    throw new FramingError("size-tag", `unknown packet size ${given.name} (tag ${given.tag})`);
  }
  if (packet.length !== size.totalSize) {
    throw new FramingError(
      "length",
      `a ${size.name} packet has ${size.totalSize} bytes, not ${packet.length}`,
    );
  }
  const type = options.packetType ?? (isOutfoxSize(size) ? PACKET_TYPE_OUTFOX : PACKET_TYPE_MIX);
  if (type !== PACKET_TYPE_MIX && type !== PACKET_TYPE_OUTFOX) {
    throw new FramingError("packet-type", `packet type must be 0 or 2, not ${type}`);
  }
  const rotation = options.keyRotation ?? KEY_ROTATION_UNKNOWN;
  if (rotation !== 0 && rotation !== 1 && rotation !== 2) {
    throw new FramingError("key-rotation", `key rotation must be 0, 1 or 2, not ${rotation}`);
  }
  const headerSize = frameHeaderSize(version);
  const out = new Uint8Array(headerSize + packet.length);
  out[0] = version;
  out[1] = size.tag;
  out[2] = type;
  if (headerSize === 4) out[3] = rotation;
  out.set(packet, headerSize);
  return out;
}
