/**
 * Whole Sphinx packets: build one for a route, process one at a hop.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { HEADER_SIZE } from "./constants.ts";
import { buildRouteHeader, type RouteHop, unwrapHeader, verifyHeaderMac } from "./header.ts";
import { dh, expandSharedSecret, payloadKeyFor } from "./_keys.ts";
import { lionessDecrypt } from "./lioness.ts";
import { PACKET_SIZES, type PacketSize, packetSizeFromLength } from "./packet_size.ts";
import { encapsulatePayload, recoverPlaintext } from "./payload.ts";
import { SphinxError } from "./sphinx_error.ts";
import type { RandomBytes } from "../internal/random.ts";
import type { BuildableVersion } from "./version.ts";
import type { RoutePrefix } from "./route_prefix.ts";

/** Options of {@linkcode buildPacket}. */
export interface BuildPacketOptions {
  /** 1 to 5 hops; the last one is the final hop (in Nym, the recipient's gateway). */
  readonly route: readonly RouteHop[];
  /** One delay per hop in nanoseconds; the last is never encoded. */
  readonly delays: readonly bigint[];
  /** The final destination (a Nym client's ed25519 identity), 32 bytes. */
  readonly destination: Uint8Array;
  /** The 16-byte SURB identifier; zeros by default, as Nym sends. */
  readonly identifier?: Uint8Array;
  /** What the final hop recovers; at most `size.plaintextSize` bytes. */
  readonly plaintext: Uint8Array;
  /** The packet size; regular (2413 bytes) by default. */
  readonly size?: PacketSize;
  /** Header version: 259 (default, payload key seeds) or 258 (full payload keys). */
  readonly version?: BuildableVersion;
  /** Fixed initial secret x (tests only); random by default. */
  readonly initialSecret?: Uint8Array;
  /**
   * The route's first hops with their key material derived ahead of time (see
   * {@linkcode prepareRoutePrefix}); `route` must start with its hops. It brings the initial
   * secret, so `initialSecret` must be absent.
   */
  readonly prefix?: RoutePrefix;
  /** Primitive provider; {@linkcode defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
  /** Random source for the initial secret and the final-hop padding. */
  readonly random?: RandomBytes;
}

/**
 * Builds a Sphinx packet of `size.totalSize` bytes.
 *
 * @example Build and process a one-hop packet
 * ```ts
 * import { buildPacket, encodeNodeAddress, padNodeAddress, processPacket } from "@nym/mixnet/sphinx";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const nodeSecret = crypto.getRandomValues(new Uint8Array(32));
 * const packet = buildPacket({
 *   route: [{
 *     address: padNodeAddress(encodeNodeAddress("127.0.0.1:1789"), 32),
 *     publicKey: defaultCrypto().x25519PublicKey(nodeSecret),
 *   }],
 *   delays: [0n],
 *   destination: new Uint8Array(32),
 *   plaintext: new TextEncoder().encode("hello"),
 * });
 * const result = processPacket(packet, nodeSecret);
 * if (result.kind === "final") console.log(new TextDecoder().decode(result.plaintext));
 * ```
 */
export function buildPacket(options: BuildPacketOptions): Uint8Array {
  const size = options.size ?? PACKET_SIZES.regular;
  if (options.plaintext.length > size.plaintextSize) {
    throw new SphinxError(
      "length",
      `plaintext of ${options.plaintext.length} bytes exceeds ${size.plaintextSize}`,
    );
  }
  const { header, keys, version, crypto } = buildRouteHeader(options);
  const payloadKeys = keys.secrets.map((s) => payloadKeyFor(crypto, s, version));
  const payload = encapsulatePayload(crypto, options.plaintext, size.payloadSize, payloadKeys);
  const packet = new Uint8Array(HEADER_SIZE + payload.length);
  packet.set(header);
  packet.set(payload, HEADER_SIZE);
  return packet;
}

/** The result of processing a packet at a forward hop. */
export interface ForwardHop {
  /** Discriminator. */
  readonly kind: "forward";
  /** The header version found in the routing block. */
  readonly version: number;
  /** The next hop's 32-byte routing address (decode with `decodeNodeAddress`). */
  readonly nextHop: Uint8Array;
  /** How long to hold the packet, in nanoseconds. */
  readonly delay: bigint;
  /** The packet to send on, same length as the input. */
  readonly packet: Uint8Array;
  /** This packet's 32-byte replay tag at this node. */
  readonly replayTag: Uint8Array;
}

/** The result of processing a packet at its final hop. */
export interface FinalHop {
  /** Discriminator. */
  readonly kind: "final";
  /** The header version found in the routing block. */
  readonly version: number;
  /** The 32-byte destination address. */
  readonly destination: Uint8Array;
  /** The 16-byte SURB identifier. */
  readonly identifier: Uint8Array;
  /** The recovered plaintext. */
  readonly plaintext: Uint8Array;
  /** This packet's 32-byte replay tag at this node. */
  readonly replayTag: Uint8Array;
}

/** What {@linkcode processPacket} returns. */
export type ProcessedPacket = ForwardHop | FinalHop;

/** Options of {@linkcode processPacket}. */
export interface ProcessPacketOptions {
  /** Primitive provider; {@linkcode defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
  /**
   * Called with the packet's replay tag once the header MAC has verified and before the rest
   * of the work (blinding, payload); return true to reject the packet as a replay (a
   * {@linkcode SphinxError} of kind `replay`).
   */
  readonly isReplay?: (replayTag: Uint8Array) => boolean;
}

/**
 * Removes one layer of a Sphinx packet with a node's X25519 secret key. The packet must have one
 * of Nym's sizes ({@linkcode PACKET_SIZES}): the payload is not authenticated, so a length check
 * is the only defence against truncation before the final hop. Every version is
 * processed: 258 and the legacy 1/257 with full payload keys, 259 and any other value with
 * seeded keys, as Nym's nodes do. Throws only {@linkcode SphinxError}.
 *
 * @example
 * ```ts
 * import { processPacket, SphinxError } from "@nym/mixnet/sphinx";
 * const garbage = new Uint8Array(2413);
 * try {
 *   processPacket(garbage, crypto.getRandomValues(new Uint8Array(32)));
 * } catch (error) {
 *   console.log(error instanceof SphinxError && error.kind); // "key" or "mac"
 * }
 * ```
 */
export function processPacket(
  packet: Uint8Array,
  secretKey: Uint8Array,
  options: ProcessPacketOptions = {},
): ProcessedPacket {
  const crypto = options.crypto ?? defaultCrypto();
  if (!packetSizeFromLength(packet.length)) {
    throw new SphinxError("length", `${packet.length} bytes is not a Nym packet size`);
  }
  if (secretKey.length !== 32) throw new SphinxError("key", "node secret key must be 32 bytes");
  const header = packet.subarray(0, HEADER_SIZE);
  const secret = expandSharedSecret(crypto, dh(crypto, secretKey, header.subarray(0, 32)));
  // As Nym's nodes: MAC first, then the replay check, then the expensive rest.
  verifyHeaderMac(crypto, header, secret);
  const replayTag = secret.replayTag.slice();
  if (options.isReplay?.(replayTag)) throw new SphinxError("replay", "packet was seen before");
  const unwrapped = unwrapHeader(crypto, header, secret);
  const payload = lionessDecrypt(
    payloadKeyFor(crypto, secret, unwrapped.version),
    packet.subarray(HEADER_SIZE),
    crypto,
  );
  if (unwrapped.kind === "final") {
    return {
      kind: "final",
      version: unwrapped.version,
      destination: unwrapped.destination,
      identifier: unwrapped.identifier,
      plaintext: recoverPlaintext(payload),
      replayTag,
    };
  }
  const next = new Uint8Array(packet.length);
  next.set(unwrapped.header);
  next.set(payload, HEADER_SIZE);
  return {
    kind: "forward",
    version: unwrapped.version,
    nextHop: unwrapped.nextHop,
    delay: unwrapped.delay,
    packet: next,
    replayTag,
  };
}
