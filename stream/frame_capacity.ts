/**
 * How much stream payload fits in one Sphinx packet, derived from the message layer rather than
 * hard-coded: per-packet fragment space, minus the fragment header, the `NymMessage` framing of
 * the direction, the padding marker and the stream frame header.
 *
 * @module
 */
import {
  encodeNymMessage,
  fragmentCapacity,
  type NymMessage,
  UNLINKED_HEADER_LENGTH,
} from "../message/mod.ts";
import { PACKET_SIZES, type PacketSize } from "../sphinx/mod.ts";
import { STREAM_FRAME_HEADER_LENGTH } from "./frame.ts";

/**
 * How a frame travels: `send` is a message to an address without reply SURBs (a `Plain`
 * NymMessage), `reply` goes back through the peer's SURBs (a `Reply`).
 */
export type FrameRoute = "send" | "reply";

/**
 * The largest payload of a stream frame that still travels as a single packet of `size`
 * (regular by default): 1586 bytes for `send`, 1585 for `reply`.
 *
 * @example
 * ```ts
 * import { maxFramePayload } from "@nym/mixnet/stream";
 * console.log(maxFramePayload("send"), maxFramePayload("reply")); // 1586 1585
 * ```
 */
export function maxFramePayload(
  route: FrameRoute,
  size: PacketSize = PACKET_SIZES.regular,
): number {
  // Measure the framing around one byte (Nym refuses empty replies), then take the byte off.
  const one = new Uint8Array(1);
  const message: NymMessage = route === "send"
    ? { type: "plain", data: one }
    : { type: "reply", content: { kind: "data", message: one } };
  const framing = encodeNymMessage(message).length - 1 + 1; // + the 0x01 padding marker
  return fragmentCapacity(size) - UNLINKED_HEADER_LENGTH - framing - STREAM_FRAME_HEADER_LENGTH;
}
