/**
 * Single-use reply blocks (SURBs): a pre-built header plus the payload keys of its route, so
 * that someone who does not know the route can send a packet along it.
 *
 * Wire form: `header (348) ‖ first hop address (32) ‖ keys`, where the keys are one 192-byte
 * Lioness key per hop (version 258) or one 16-byte seed per hop (version 259).
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { concatBytes } from "../internal/bytes.ts";
import {
  HEADER_SIZE,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  PAYLOAD_KEY_SEED_SIZE,
  PAYLOAD_KEY_SIZE,
} from "./constants.ts";
import { buildRouteHeader, type RouteHop } from "./header.ts";
import { payloadKeyFromSeed } from "./_keys.ts";
import type { RandomBytes } from "../internal/random.ts";
import { PACKET_SIZES, type PacketSize } from "./packet_size.ts";
import { encapsulatePayload } from "./payload.ts";
import { SphinxError } from "./sphinx_error.ts";
import type { BuildableVersion } from "./version.ts";

/** A single-use reply block. */
export interface Surb {
  /** The pre-built 348-byte header. */
  readonly header: Uint8Array;
  /** Where to send the packet first: the 32-byte padded routing address of hop 0. */
  readonly firstHop: Uint8Array;
  /** One payload key per hop, route order: 192-byte keys (v258) or 16-byte seeds (v259). */
  readonly keys: readonly Uint8Array[];
  /** 258 when the keys are full keys, 259 when they are seeds. */
  readonly version: BuildableVersion;
}

/** Options of {@linkcode createSurb}. */
export interface CreateSurbOptions {
  /** The route back to the SURB's creator; the last hop is the creator's gateway. */
  readonly route: readonly RouteHop[];
  /** One delay per hop, nanoseconds. */
  readonly delays: readonly bigint[];
  /** The creator's 32-byte destination address. */
  readonly destination: Uint8Array;
  /** 259 (default, seeds) or 258 (full keys). */
  readonly version?: BuildableVersion;
  /** Fixed initial secret (tests only). */
  readonly initialSecret?: Uint8Array;
  /** Primitive provider. */
  readonly crypto?: CryptoProvider;
  /** Random source. */
  readonly random?: RandomBytes;
}

/**
 * Builds a SURB for `route`.
 *
 * @example
 * ```ts
 * import { createSurb, encodeSurb, encodeNodeAddress, padNodeAddress } from "@nym/mixnet/sphinx";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const gatewaySecret = crypto.getRandomValues(new Uint8Array(32));
 * const surb = createSurb({
 *   route: [{
 *     address: padNodeAddress(encodeNodeAddress("127.0.0.1:1790"), 32),
 *     publicKey: defaultCrypto().x25519PublicKey(gatewaySecret),
 *   }],
 *   delays: [0n],
 *   destination: new Uint8Array(32),
 * });
 * console.log(encodeSurb(surb).length); // 348 + 32 + 16
 * ```
 */
export function createSurb(options: CreateSurbOptions): Surb {
  const { header, keys, version } = buildRouteHeader(options);
  return {
    header,
    firstHop: options.route[0].address.slice(),
    keys: keys.secrets.map((s) =>
      version === 258 ? s.legacyPayloadKey.slice() : s.payloadKeySeed.slice()
    ),
    version,
  };
}

/**
 * Serializes a SURB: `header ‖ first hop ‖ keys`.
 *
 * @example
 * ```ts
 * import { decodeSurb, encodeSurb, type Surb } from "@nym/mixnet/sphinx";
 * const surb: Surb = {
 *   header: new Uint8Array(348),
 *   firstHop: new Uint8Array(32),
 *   keys: [new Uint8Array(16)],
 *   version: 259,
 * };
 * console.log(decodeSurb(encodeSurb(surb)).keys.length); // 1
 * ```
 */
export function encodeSurb(surb: Surb): Uint8Array {
  return concatBytes(surb.header, surb.firstHop, ...surb.keys);
}

/**
 * Parses a serialized SURB, accepting both key encodings: fewer than 192 bytes of key material
 * means 16-byte seeds (v259), otherwise 192-byte keys (v258). Throws {@linkcode SphinxError} of
 * kind `length` on any other layout.
 *
 * @example
 * ```ts
 * import { decodeSurb, SphinxError } from "@nym/mixnet/sphinx";
 * try {
 *   decodeSurb(new Uint8Array(100));
 * } catch (error) {
 *   console.log((error as SphinxError).kind); // "length"
 * }
 * ```
 */
export function decodeSurb(bytes: Uint8Array): Surb {
  const fixed = HEADER_SIZE + NODE_ADDRESS_LENGTH;
  if (bytes.length < fixed + PAYLOAD_KEY_SEED_SIZE) {
    throw new SphinxError("length", `SURB of ${bytes.length} bytes is too short`);
  }
  const rest = bytes.subarray(fixed);
  const seeds = rest.length < PAYLOAD_KEY_SIZE;
  const keySize = seeds ? PAYLOAD_KEY_SEED_SIZE : PAYLOAD_KEY_SIZE;
  if (rest.length % keySize !== 0 || rest.length / keySize > MAX_PATH_LENGTH) {
    throw new SphinxError("length", `SURB key material of ${rest.length} bytes is malformed`);
  }
  const keys: Uint8Array[] = [];
  for (let offset = 0; offset < rest.length; offset += keySize) {
    keys.push(rest.slice(offset, offset + keySize));
  }
  return {
    header: bytes.slice(0, HEADER_SIZE),
    firstHop: bytes.slice(HEADER_SIZE, fixed),
    keys,
    version: seeds ? 259 : 258,
  };
}

/**
 * Uses a SURB once: wraps `plaintext` in its payload keys and attaches its header. Send the
 * packet to `firstHop`.
 *
 * @example
 * ```ts
 * import { useSurb, PACKET_SIZES, type Surb } from "@nym/mixnet/sphinx";
 * const surb: Surb = {
 *   header: new Uint8Array(348),
 *   firstHop: new Uint8Array(32),
 *   keys: [crypto.getRandomValues(new Uint8Array(16))],
 *   version: 259,
 * };
 * const { packet } = useSurb(surb, new Uint8Array(10), PACKET_SIZES.ack);
 * console.log(packet.length); // 386
 * ```
 */
export function useSurb(
  surb: Surb,
  plaintext: Uint8Array,
  size: PacketSize = PACKET_SIZES.regular,
  options: { readonly crypto?: CryptoProvider } = {},
): { packet: Uint8Array; firstHop: Uint8Array } {
  const crypto = options.crypto ?? defaultCrypto();
  if (surb.header.length !== HEADER_SIZE) throw new SphinxError("length", "SURB header size");
  if (plaintext.length > size.plaintextSize) {
    throw new SphinxError("length", `plaintext exceeds ${size.plaintextSize} bytes`);
  }
  const keys = surb.keys.map((key) => {
    if (key.length === PAYLOAD_KEY_SIZE) return key;
    if (key.length === PAYLOAD_KEY_SEED_SIZE) return payloadKeyFromSeed(crypto, key);
    throw new SphinxError("length", `SURB key of ${key.length} bytes`);
  });
  const payload = encapsulatePayload(crypto, plaintext, size.payloadSize, keys);
  return { packet: concatBytes(surb.header, payload), firstHop: surb.firstHop };
}
