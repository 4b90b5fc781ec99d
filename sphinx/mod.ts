/**
 * Sphinx packets exactly as Nym uses them (sphinx-packet 0.6.0): build and process packets of
 * versions 258 and 259 (and process the legacy 1/257), every Nym packet size, node routing
 * addresses, SURBs and per-hop delays. Synchronous and pure: bytes in, bytes out, and only
 * {@linkcode SphinxError} thrown.
 *
 * @example A packet along a 4-hop route
 * ```ts
 * import {
 *   buildPacket, encodeNodeAddress, padNodeAddress, processPacket, sampleDelays,
 * } from "@nym/mixnet/sphinx";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const c = defaultCrypto();
 * const secrets = [1, 2, 3, 4].map(() => crypto.getRandomValues(new Uint8Array(32)));
 * const route = secrets.map((sk, i) => ({
 *   address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
 *   publicKey: c.x25519PublicKey(sk),
 * }));
 * let packet = buildPacket({
 *   route, delays: sampleDelays(4, 15), destination: new Uint8Array(32),
 *   plaintext: new TextEncoder().encode("through the mixnet"),
 * });
 * for (const sk of secrets) {
 *   const hop = processPacket(packet, sk);
 *   if (hop.kind === "forward") packet = hop.packet;
 *   else console.log(new TextDecoder().decode(hop.plaintext));
 * }
 * ```
 *
 * @module
 */
export {
  DESTINATION_ADDRESS_LENGTH,
  HEADER_SIZE,
  IDENTIFIER_LENGTH,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_OVERHEAD_SIZE,
} from "./constants.ts";
export { SphinxError, type SphinxErrorKind } from "./sphinx_error.ts";
export {
  type BuildableVersion,
  INITIAL_LEGACY_VERSION,
  isLegacyVersion,
  PAYLOAD_KEYS_SEEDS_VERSION,
  UPDATED_LEGACY_VERSION,
  usesFullPayloadKeys,
  X25519_WITH_EXPLICIT_PAYLOAD_KEYS_VERSION,
} from "./version.ts";
export {
  PACKET_SIZES,
  type PacketSize,
  packetSizeFromLength,
  packetSizeFromTag,
} from "./packet_size.ts";
export {
  decodeNodeAddress,
  encodeNodeAddress,
  type NodeAddress,
  padNodeAddress,
} from "./node_address.ts";
export type { RouteHop } from "./header.ts";
export {
  buildPacket,
  type BuildPacketOptions,
  type FinalHop,
  type ForwardHop,
  type ProcessedPacket,
  processPacket,
  type ProcessPacketOptions,
} from "./packet.ts";
export { type RandomBytes, systemRandom } from "../internal/random.ts";
export { prepareRoutePrefix, type PrepareRoutePrefixOptions, RoutePrefix } from "./route_prefix.ts";
export {
  createSurb,
  type CreateSurbOptions,
  decodeSurb,
  encodeSurb,
  type Surb,
  useSurb,
} from "./surb.ts";
export { lionessDecrypt, lionessEncrypt } from "./lioness.ts";
export { sampleDelays } from "./delay.ts";

// Types that the exports above mention in their signatures.
export type { CryptoProvider } from "../crypto/crypto_provider.ts";
