/**
 * The Sphinx plaintext of a data packet (Nym `preparer/mod.rs`, `preparer/payload.rs`):
 * `SURB-ACK (405) ‖ variant data (32) ‖ encrypted fragment`, exactly `plaintextSize` bytes; and
 * how a client sorts what its gateway pushes (Nym `gateway-client/src/traits.rs`): the gateway
 * strips the SURB-ACK, so 21 bytes is an ack and `plaintextSize − 405` is data.
 *
 * @module
 */
import { PACKET_SIZES, type PacketSize } from "../sphinx/mod.ts";
import { ACK_PAYLOAD_LENGTH, SURB_ACK_LENGTH, VARIANT_DATA_LENGTH } from "./constants.ts";
import { MessageError } from "./message_error.ts";

/** Outfox acks (≤ 48 bytes) are routed as acks by Nym; this client does not speak Outfox. */
const OUTFOX_ACK_PLAINTEXT_SIZE = 48;
const FIRST_HOP_LENGTH = 19;

const DATA_SIZES: readonly PacketSize[] = [
  PACKET_SIZES.regular,
  PACKET_SIZES.extended8,
  PACKET_SIZES.extended16,
  PACKET_SIZES.extended32,
];

/**
 * Bytes of serialized fragment one packet of `size` carries: `plaintextSize − 405 − 32`
 * (1611 for regular; 7755, 15947, 32331 for the extended sizes). This is the `perPacket` of the
 * padding and chunking functions.
 *
 * @example
 * ```ts
 * import { fragmentCapacity } from "@nym/mixnet/message";
 * console.log(fragmentCapacity()); // 1611
 * ```
 */
export function fragmentCapacity(size: PacketSize = PACKET_SIZES.regular): number {
  const capacity = size.plaintextSize - SURB_ACK_LENGTH - VARIANT_DATA_LENGTH;
  if (capacity <= 0) throw new MessageError("length", `packet size ${size.name} carries no data`);
  return capacity;
}

/**
 * Assembles a data packet's Sphinx plaintext: `surbAck (405) ‖ payload`, where `payload` is the
 * output of `encryptForRecipient`, `encryptReply` or `coverPayload`. The result must be exactly
 * `size.plaintextSize` bytes (padding guarantees this); anything else throws
 * {@linkcode MessageError} of kind `length`.
 *
 * @example
 * ```ts
 * import { buildPacketPlaintext } from "@nym/mixnet/message";
 * const plaintext = buildPacketPlaintext(new Uint8Array(405), new Uint8Array(1643));
 * console.log(plaintext.length); // 2048
 * ```
 */
export function buildPacketPlaintext(
  surbAck: Uint8Array,
  payload: Uint8Array,
  size: PacketSize = PACKET_SIZES.regular,
): Uint8Array {
  if (surbAck.length !== SURB_ACK_LENGTH) {
    throw new MessageError(
      "length",
      `a SURB-ACK is ${SURB_ACK_LENGTH} bytes, got ${surbAck.length}`,
    );
  }
  if (SURB_ACK_LENGTH + payload.length !== size.plaintextSize) {
    throw new MessageError(
      "length",
      `payload of ${payload.length} bytes does not fill a ${size.name} packet (${
        size.plaintextSize - SURB_ACK_LENGTH
      } bytes after the SURB-ACK)`,
    );
  }
  const out = new Uint8Array(size.plaintextSize);
  out.set(surbAck);
  out.set(payload, SURB_ACK_LENGTH);
  return out;
}

/** A data packet's plaintext split the way the final hop (the gateway) splits it. */
export interface SplitPacketPlaintext {
  /** The SURB-ACK's first hop, zero-padded to 19 bytes (decode with `decodeNodeAddress`). */
  readonly firstHop: Uint8Array;
  /** The 386-byte ack packet to forward to `firstHop`. */
  readonly ackPacket: Uint8Array;
  /** What the gateway delivers to the client: `variant data ‖ encrypted fragment`. */
  readonly message: Uint8Array;
}

/**
 * Splits a data packet's Sphinx plaintext into SURB-ACK parts and the client's message (views).
 * Throws {@linkcode MessageError} of kind `truncated` below 405 bytes.
 *
 * @example
 * ```ts
 * import { splitPacketPlaintext } from "@nym/mixnet/message";
 * const parts = splitPacketPlaintext(new Uint8Array(2048));
 * console.log(parts.firstHop.length, parts.ackPacket.length, parts.message.length); // 19 386 1643
 * ```
 */
export function splitPacketPlaintext(plaintext: Uint8Array): SplitPacketPlaintext {
  if (plaintext.length < SURB_ACK_LENGTH) {
    throw new MessageError("truncated", `${plaintext.length} bytes cannot hold a SURB-ACK`);
  }
  return {
    firstHop: plaintext.subarray(0, FIRST_HOP_LENGTH),
    ackPacket: plaintext.subarray(FIRST_HOP_LENGTH, SURB_ACK_LENGTH),
    message: plaintext.subarray(SURB_ACK_LENGTH),
  };
}

/** How a pushed message is to be handled. */
export type ReceivedKind =
  | {
    /** A 21-byte ack. */
    readonly kind: "ack";
  }
  | {
    /** A data (or cover) packet. */
    readonly kind: "data";
    /**
     * The packet size whose data length matches, or `undefined` for a non-standard length
     * (Nym accepts those as data with a warning: unpadded messages from other clients).
     */
    readonly size: PacketSize | undefined;
  };

/**
 * Sorts a message the gateway pushed by its length, as Nym's `route_received`: 21 bytes is an
 * ack; `plaintextSize − 405` of a data size is data; other lengths above 48 are data of no known
 * size. Lengths up to 48 other than 21 are Outfox acks in Nym, which this client does not
 * support, and lengths that cannot hold the 32-byte variant prefix are unusable: both throw
 * {@linkcode MessageError} of kind `length`.
 *
 * @example
 * ```ts
 * import { classifyReceived } from "@nym/mixnet/message";
 * console.log(classifyReceived(new Uint8Array(21)).kind); // "ack"
 * const data = classifyReceived(new Uint8Array(1643));
 * console.log(data.kind === "data" && data.size?.name); // "regular"
 * ```
 */
export function classifyReceived(message: Uint8Array): ReceivedKind {
  const n = message.length;
  if (n === ACK_PAYLOAD_LENGTH) return { kind: "ack" };
  if (n <= OUTFOX_ACK_PLAINTEXT_SIZE) {
    throw new MessageError(
      "length",
      `a ${n}-byte message is neither a ${ACK_PAYLOAD_LENGTH}-byte ack nor data`,
    );
  }
  const size = DATA_SIZES.find((s) => s.plaintextSize - SURB_ACK_LENGTH === n);
  return { kind: "data", size };
}
