/**
 * The packet sizes a frame header can name: Nym's five Sphinx sizes plus the two Outfox sizes
 * (tags 6 and 7), which a decoder must still be able to skip over.
 *
 * @module
 */
import { PACKET_SIZES, type PacketSize } from "../../sphinx/mod.ts";

/**
 * An Outfox packet size. Same shape as a Sphinx {@linkcode PacketSize}: Outfox's header is the
 * 6-byte mix parameters and its payload overhead is 323 bytes (`nym-outfox/src/constants.rs`).
 */
export interface OutfoxPacketSize {
  /** `"outfox_regular"` or `"outfox_ack"`, Nym's names. */
  readonly name: "outfox_regular" | "outfox_ack";
  /** The framing tag: 6 or 7. */
  readonly tag: number;
  /** Whole packet: 2377 or 377 bytes. */
  readonly totalSize: number;
  /** Packet without the 6-byte mix parameters. */
  readonly payloadSize: number;
  /** What an Outfox packet of this size carries: 2048 or 48 bytes. */
  readonly plaintextSize: number;
}

/** Any size a frame header can name. */
export type FramePacketSize = PacketSize | OutfoxPacketSize;

const OUTFOX_MIX_PARAMS_LEN = 6;
const OUTFOX_PACKET_OVERHEAD = 329;

function outfox(name: OutfoxPacketSize["name"], tag: number, plaintext: number): OutfoxPacketSize {
  const totalSize = plaintext + OUTFOX_PACKET_OVERHEAD;
  return Object.freeze({
    name,
    tag,
    totalSize,
    payloadSize: totalSize - OUTFOX_MIX_PARAMS_LEN,
    plaintextSize: plaintext,
  });
}

/**
 * The two Outfox sizes: regular (tag 6, 2377 bytes) and ack (tag 7, 377 bytes).
 *
 * @example
 * ```ts
 * import { OUTFOX_PACKET_SIZES } from "./mod.ts";
 * console.log(OUTFOX_PACKET_SIZES.regular.totalSize); // 2377
 * ```
 */
export const OUTFOX_PACKET_SIZES: {
  readonly regular: OutfoxPacketSize;
  readonly ack: OutfoxPacketSize;
} = Object.freeze({
  regular: outfox("outfox_regular", 6, 2048),
  ack: outfox("outfox_ack", 7, 48),
});

const BY_TAG: ReadonlyMap<number, FramePacketSize> = new Map(
  [...Object.values(PACKET_SIZES), ...Object.values(OUTFOX_PACKET_SIZES)].map((s) => [s.tag, s]),
);

/**
 * The size named by framing tag `tag` (1 to 7), or `undefined`.
 *
 * @example
 * ```ts
 * import { frameSizeFromTag } from "./mod.ts";
 * console.log(frameSizeFromTag(2)?.totalSize); // 386
 * console.log(frameSizeFromTag(7)?.name); // "outfox_ack"
 * ```
 */
export function frameSizeFromTag(tag: number): FramePacketSize | undefined {
  return BY_TAG.get(tag);
}

/**
 * Whether `size` is one of the Outfox sizes.
 *
 * @example
 * ```ts
 * import { frameSizeFromTag, isOutfoxSize } from "./mod.ts";
 * console.log(isOutfoxSize(frameSizeFromTag(6)!)); // true
 * ```
 */
export function isOutfoxSize(size: FramePacketSize): size is OutfoxPacketSize {
  return size.name === "outfox_regular" || size.name === "outfox_ack";
}
