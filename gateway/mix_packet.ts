/**
 * `MixPacket`: a Sphinx packet and the address of its first hop, as a client hands it to its
 * gateway inside a `ForwardSphinx` frame (`common/nymsphinx/forwarding/src/packet.rs`).
 *
 * ```text
 * v1  packet_type (u8) ‖ next hop (7 | 19) ‖ packet
 * v2  packet_type (u8) ‖ key_rotation (u8) ‖ next hop (7 | 19) ‖ packet
 * ```
 *
 * The next hop is a `NymNodeRoutingAddress` (`4 ‖ port BE16 ‖ IPv4` or `6 ‖ port ‖ IPv6`), the
 * packet length must be one of Nym's Sphinx packet sizes.
 *
 * @module
 */
import { concatBytes } from "../internal/bytes.ts";
import { decodeNodeAddress, packetSizeFromLength } from "../sphinx/mod.ts";
import { GatewayProtocolError } from "./gateway_protocol_error.ts";

/** Packet type byte of a Sphinx packet (`PacketType::Mix`). */
export const PACKET_TYPE_MIX = 0;
/** Packet type byte of an Outfox packet; recognised but not supported here. */
export const PACKET_TYPE_OUTFOX = 2;

/** Key rotation byte: 0 unknown (legacy), 1 odd rotation, 2 even rotation. */
export type KeyRotation = 0 | 1 | 2;

/** A packet for the gateway to forward into the mixnet. */
export interface MixPacket {
  /** The first hop's routing address, unpadded (7 or 19 bytes). */
  readonly nextHop: Uint8Array;
  /** The whole Sphinx packet. */
  readonly packet: Uint8Array;
  /** Which of the first hop's Sphinx keys the packet was built for; 0 when unknown. */
  readonly keyRotation: KeyRotation;
  /** Always {@linkcode PACKET_TYPE_MIX}. */
  readonly packetType: typeof PACKET_TYPE_MIX;
}

/**
 * The key rotation byte for a topology `key_rotation_id`: 0 (unknown) for 0 and 2^32 - 1,
 * otherwise 2 for even ids and 1 for odd ones.
 *
 * @example
 * ```ts
 * import { keyRotationFromId } from "./mod.ts";
 * console.log(keyRotationFromId(4), keyRotationFromId(5), keyRotationFromId(0)); // 2 1 0
 * ```
 */
export function keyRotationFromId(rotationId: number): KeyRotation {
  if (rotationId === 0 || rotationId === 0xffffffff) return 0;
  return rotationId % 2 === 0 ? 2 : 1;
}

/**
 * Encodes a mix packet in the v1 (`ForwardSphinx`) or v2 (`ForwardSphinxV2`) layout.
 *
 * @example
 * ```ts
 * import { encodeMixPacket } from "./mod.ts";
 * import { encodeNodeAddress } from "../sphinx/mod.ts";
 * const bytes = encodeMixPacket({
 *   nextHop: encodeNodeAddress("127.0.0.1:1789"), packet: new Uint8Array(2413),
 *   keyRotation: 2, packetType: 0,
 * }, 2);
 * console.log(bytes.length); // 2422
 * ```
 */
export function encodeMixPacket(packet: MixPacket, version: 1 | 2): Uint8Array {
  const address = decodeAddress(packet.nextHop);
  if (address !== packet.nextHop.length) {
    throw new GatewayProtocolError("address", "next hop must be an unpadded 7 or 19 byte address");
  }
  checkPacket(packet.packet);
  const header = version === 2
    ? Uint8Array.of(PACKET_TYPE_MIX, packet.keyRotation)
    : Uint8Array.of(PACKET_TYPE_MIX);
  return concatBytes(header, packet.nextHop, packet.packet);
}

/**
 * Decodes a v1 or v2 mix packet. Throws {@linkcode GatewayProtocolError} of kind `length`,
 * `packet-type`, `key-rotation`, `address` or `packet-size`.
 *
 * @example
 * ```ts
 * import { decodeMixPacket, encodeMixPacket } from "./mod.ts";
 * import { encodeNodeAddress } from "../sphinx/mod.ts";
 * const bytes = encodeMixPacket({
 *   nextHop: encodeNodeAddress("127.0.0.1:1789"), packet: new Uint8Array(386),
 *   keyRotation: 0, packetType: 0,
 * }, 1);
 * console.log(decodeMixPacket(bytes, 1).packet.length); // 386
 * ```
 */
export function decodeMixPacket(bytes: Uint8Array, version: 1 | 2): MixPacket {
  const headerLength = version === 2 ? 2 : 1;
  if (bytes.length < headerLength + 1) {
    throw new GatewayProtocolError("length", `mix packet of ${bytes.length} bytes is too short`);
  }
  const packetType = bytes[0];
  if (packetType !== PACKET_TYPE_MIX) {
    throw new GatewayProtocolError(
      "packet-type",
      packetType === PACKET_TYPE_OUTFOX
        ? "Outfox packets are not supported"
        : `invalid packet type ${packetType}`,
    );
  }
  let keyRotation: KeyRotation = 0;
  if (version === 2) {
    const byte = bytes[1];
    if (byte !== 0 && byte !== 1 && byte !== 2) {
      throw new GatewayProtocolError("key-rotation", `invalid key rotation ${byte}`);
    }
    keyRotation = byte;
  }
  const rest = bytes.subarray(headerLength);
  const addressLength = decodeAddress(rest);
  const packet = rest.slice(addressLength);
  checkPacket(packet);
  return {
    nextHop: rest.slice(0, addressLength),
    packet,
    keyRotation,
    packetType: PACKET_TYPE_MIX,
  };
}

function decodeAddress(bytes: Uint8Array): number {
  try {
    return decodeNodeAddress(bytes).byteLength;
  } catch (cause) {
    throw new GatewayProtocolError("address", "malformed next hop address", { cause });
  }
}

function checkPacket(packet: Uint8Array): void {
  if (packetSizeFromLength(packet.length) === undefined) {
    throw new GatewayProtocolError(
      "packet-size",
      `a packet of ${packet.length} bytes is not a valid Sphinx packet size`,
    );
  }
}
