/**
 * Nym's fixed Sphinx packet sizes. A receiver infers the size from the exact byte length.
 *
 * @module
 */
import { HEADER_SIZE, PAYLOAD_OVERHEAD_SIZE } from "./constants.ts";

/** One of Nym's packet sizes. */
export interface PacketSize {
  /** A readable name, e.g. `"regular"`. */
  readonly name: "regular" | "ack" | "extended8" | "extended16" | "extended32";
  /** The `PacketSize` tag byte of Nym's framing. */
  readonly tag: number;
  /** Whole Sphinx packet: header ‖ payload. */
  readonly totalSize: number;
  /** Sphinx payload, including the 17-byte payload overhead. */
  readonly payloadSize: number;
  /** Plaintext the payload carries. */
  readonly plaintextSize: number;
}

function size(name: PacketSize["name"], tag: number, plaintextSize: number): PacketSize {
  return Object.freeze({
    name,
    tag,
    plaintextSize,
    payloadSize: plaintextSize + PAYLOAD_OVERHEAD_SIZE,
    totalSize: plaintextSize + PAYLOAD_OVERHEAD_SIZE + HEADER_SIZE,
  });
}

/**
 * Every Sphinx packet size Nym uses: regular 2413 B (default), ack 386 B, extended 8, 16 and
 * 32 KiB of plaintext.
 *
 * @example
 * ```ts
 * import { PACKET_SIZES } from "@nym/mixnet/sphinx";
 * console.log(PACKET_SIZES.regular.totalSize); // 2413
 * ```
 */
export const PACKET_SIZES: {
  readonly regular: PacketSize;
  readonly ack: PacketSize;
  readonly extended8: PacketSize;
  readonly extended16: PacketSize;
  readonly extended32: PacketSize;
} = Object.freeze({
  regular: size("regular", 1, 2048),
  ack: size("ack", 2, 21),
  extended32: size("extended32", 3, 32768),
  extended8: size("extended8", 4, 8192),
  extended16: size("extended16", 5, 16384),
});

const ALL: readonly PacketSize[] = Object.values(PACKET_SIZES);

/**
 * The packet size whose total length is `length`, or `undefined`.
 *
 * @example
 * ```ts
 * import { packetSizeFromLength } from "@nym/mixnet/sphinx";
 * console.log(packetSizeFromLength(386)?.name); // "ack"
 * ```
 */
export function packetSizeFromLength(length: number): PacketSize | undefined {
  return ALL.find((s) => s.totalSize === length);
}

/**
 * The Sphinx packet size with framing tag `tag` (1 to 5), or `undefined` for any other tag,
 * including the Outfox tags 6 and 7.
 *
 * @example
 * ```ts
 * import { packetSizeFromTag } from "@nym/mixnet/sphinx";
 * console.log(packetSizeFromTag(1)?.totalSize); // 2413
 * ```
 */
export function packetSizeFromTag(tag: number): PacketSize | undefined {
  return ALL.find((s) => s.tag === tag);
}
