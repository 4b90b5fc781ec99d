/**
 * Message padding (Nym `message.rs` `pad_to_full_packet_lengths` / `remove_padding`): the
 * encoded message, then `0x01`, then zeros until the chunker's last fragment is exactly full.
 *
 * @module
 */
import { numberOfRequiredFragments } from "./fragment_set.ts";
import { MessageError } from "./message_error.ts";

/**
 * Pads an encoded `NymMessage` for `perPacket` bytes of fragment per packet (1611 for a regular
 * packet, see {@linkcode fragmentCapacity}). One allocation.
 *
 * @example
 * ```ts
 * import { padMessage } from "@nym/mixnet/message";
 * const padded = padMessage(Uint8Array.of(0, 104, 105), 1611);
 * console.log(padded.length, padded[3], padded[4]); // 1604 1 0
 * ```
 */
export function padMessage(encoded: Uint8Array, perPacket: number): Uint8Array {
  const { spaceLeft } = numberOfRequiredFragments(encoded.length + 1, perPacket);
  const out = new Uint8Array(encoded.length + 1 + spaceLeft);
  out.set(encoded);
  out[encoded.length] = 1;
  return out;
}

/**
 * Strips padding: everything from the **last** `0x01` on. Returns a view into `padded`. Throws
 * {@linkcode MessageError} of kind `padding` when there is no `0x01`.
 *
 * @example
 * ```ts
 * import { removePadding } from "@nym/mixnet/message";
 * console.log(Array.from(removePadding(Uint8Array.of(0, 1, 5, 1, 0, 0)))); // [0, 1, 5]
 * ```
 */
export function removePadding(padded: Uint8Array): Uint8Array {
  const end = padded.lastIndexOf(1);
  if (end < 0) throw new MessageError("padding", "no 0x01 padding marker in the message");
  return padded.subarray(0, end);
}
