/**
 * The Sphinx header α ‖ γ ‖ β: building it for a route and unwrapping one layer at a hop.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { constantTimeEqual, readU64be, u64be } from "../internal/bytes.ts";
import {
  DESTINATION_ADDRESS_LENGTH,
  ENCRYPTED_ROUTING_INFO_SIZE,
  FINAL_HOP,
  FINAL_NODE_META_INFO_LENGTH,
  FORWARD_HOP,
  HEADER_INTEGRITY_MAC_SIZE,
  HEADER_SIZE,
  HOP_BLOCK_SIZE,
  IDENTIFIER_LENGTH,
  MAX_PATH_LENGTH,
  NODE_ADDRESS_LENGTH,
  STREAM_CIPHER_OUTPUT_LENGTH,
  TRUNCATED_ROUTING_INFO_SIZE,
} from "./constants.ts";
import { deriveKeyMaterial, dh, type ExpandedSecret, type KeyMaterial } from "./_keys.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { type BuildableVersion, buildableVersion } from "./version.ts";
import { legacyBlind } from "./_legacy.ts";
import { SphinxError } from "./sphinx_error.ts";
import { isLegacyVersion } from "./version.ts";
import { keyMaterialOnPrefix, type RoutePrefix } from "./route_prefix.ts";

const ZERO_IV = new Uint8Array(16);
const ZEROS = new Uint8Array(STREAM_CIPHER_OUTPUT_LENGTH);

/** One hop of a route: its 32-byte (padded) routing address and its X25519 Sphinx key. */
export interface RouteHop {
  /** The node's routing address, zero-padded to 32 bytes (see `padNodeAddress`). */
  readonly address: Uint8Array;
  /** The node's current X25519 Sphinx public key. */
  readonly publicKey: Uint8Array;
}

/** The 360-byte AES-128-CTR keystream (zero IV) keyed by a hop's stream cipher key. */
export function routingKeystream(crypto: CryptoProvider, key: Uint8Array): Uint8Array {
  return crypto.aes128Ctr(key, ZERO_IV, ZEROS, 128);
}

function mac(crypto: CryptoProvider, key: Uint8Array, beta: Uint8Array): Uint8Array {
  return crypto.hmacSha256(key, beta).subarray(0, HEADER_INTEGRITY_MAC_SIZE);
}

function versionBytes(version: number): Uint8Array {
  return Uint8Array.of(0, (version >> 8) & 0xff, version & 0xff);
}

/** Checks the build inputs shared by packets and SURBs. */
export function checkRoute(
  route: readonly RouteHop[],
  delays: readonly bigint[],
  destination: Uint8Array,
  identifier: Uint8Array,
): void {
  if (route.length < 1 || route.length > MAX_PATH_LENGTH) {
    throw new SphinxError(
      "length",
      `a route has 1 to ${MAX_PATH_LENGTH} hops, got ${route.length}`,
    );
  }
  if (delays.length !== route.length) {
    throw new SphinxError("length", `need one delay per hop, got ${delays.length}`);
  }
  for (const hop of route) {
    if (hop.address.length !== NODE_ADDRESS_LENGTH) {
      throw new SphinxError("length", `a hop address must be ${NODE_ADDRESS_LENGTH} bytes`);
    }
    if (hop.publicKey.length !== 32) {
      throw new SphinxError("length", "a hop public key must be 32 bytes");
    }
  }
  if (destination.length !== DESTINATION_ADDRESS_LENGTH) {
    throw new SphinxError("length", `destination must be ${DESTINATION_ADDRESS_LENGTH} bytes`);
  }
  if (identifier.length !== IDENTIFIER_LENGTH) {
    throw new SphinxError("length", `identifier must be ${IDENTIFIER_LENGTH} bytes`);
  }
}

/**
 * The filler that keeps β a constant 300 bytes as hops strip their blocks, from the hops'
 * routing keystreams (the last one is not used).
 */
function filler(streams: readonly Uint8Array[]): Uint8Array {
  let filler = new Uint8Array(0);
  for (let i = 1; i < streams.length; i++) {
    const keystream = streams[i - 1];
    const grown = new Uint8Array(filler.length + HOP_BLOCK_SIZE);
    grown.set(filler);
    const tail = keystream.subarray(STREAM_CIPHER_OUTPUT_LENGTH - HOP_BLOCK_SIZE * i);
    for (let j = 0; j < grown.length; j++) grown[j] ^= tail[j];
    filler = grown;
  }
  return filler;
}

/** Builds the 348-byte header for `route` from already derived key material. */
export function buildHeader(
  crypto: CryptoProvider,
  keys: KeyMaterial,
  route: readonly RouteHop[],
  delays: readonly bigint[],
  destination: Uint8Array,
  identifier: Uint8Array,
  version: number,
  random: (length: number) => Uint8Array,
): Uint8Array {
  const n = route.length;
  const { secrets } = keys;
  const version3 = versionBytes(version);

  // Each hop's keystream serves both the filler and that hop's layer of β.
  const streams = secrets.map((s) => routingKeystream(crypto, s.streamCipherKey));

  // Innermost block: the final hop, followed by the filler.
  const fill = filler(streams);
  const finalLength = ENCRYPTED_ROUTING_INFO_SIZE - fill.length;
  const finalPlain = new Uint8Array(finalLength);
  finalPlain[0] = FINAL_HOP;
  finalPlain.set(version3, 1);
  finalPlain.set(destination, 4);
  finalPlain.set(identifier, 4 + DESTINATION_ADDRESS_LENGTH);
  finalPlain.set(random(finalLength - FINAL_NODE_META_INFO_LENGTH), FINAL_NODE_META_INFO_LENGTH);
  const finalStream = streams[n - 1];
  let beta = new Uint8Array(ENCRYPTED_ROUTING_INFO_SIZE);
  for (let j = 0; j < finalLength; j++) beta[j] = finalPlain[j] ^ finalStream[j];
  beta.set(fill, finalLength);
  let gamma = mac(crypto, secrets[n - 1].macKey, beta);

  // Forward hops, from the inside out: hop i learns hop i+1's address and its own delay.
  for (let i = n - 2; i >= 0; i--) {
    const plain = new Uint8Array(ENCRYPTED_ROUTING_INFO_SIZE);
    plain[0] = FORWARD_HOP;
    plain.set(version3, 1);
    plain.set(route[i + 1].address, 4);
    plain.set(u64be(delays[i]), 36);
    plain.set(gamma, 44);
    plain.set(beta.subarray(0, TRUNCATED_ROUTING_INFO_SIZE), HOP_BLOCK_SIZE);
    const stream = streams[i];
    for (let j = 0; j < ENCRYPTED_ROUTING_INFO_SIZE; j++) plain[j] ^= stream[j];
    beta = plain;
    gamma = mac(crypto, secrets[i].macKey, beta);
  }

  const header = new Uint8Array(HEADER_SIZE);
  header.set(keys.alpha, 0);
  header.set(gamma, 32);
  header.set(beta, 48);
  return header;
}

/** The inputs packets and SURBs share: a route, its delays, a destination. */
export interface RouteHeaderOptions {
  readonly route: readonly RouteHop[];
  readonly delays: readonly bigint[];
  readonly destination: Uint8Array;
  readonly identifier?: Uint8Array;
  readonly version?: BuildableVersion;
  readonly initialSecret?: Uint8Array;
  readonly prefix?: RoutePrefix;
  readonly crypto?: CryptoProvider;
  readonly random?: RandomBytes;
}

/** Validates the inputs, derives the key material and builds the header, for packets and SURBs. */
export function buildRouteHeader(options: RouteHeaderOptions): {
  header: Uint8Array;
  keys: KeyMaterial;
  version: BuildableVersion;
  crypto: CryptoProvider;
} {
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  const version = buildableVersion(options.version);
  const identifier = options.identifier ?? new Uint8Array(IDENTIFIER_LENGTH);
  checkRoute(options.route, options.delays, options.destination, identifier);
  let keys: KeyMaterial;
  if (options.prefix) {
    if (options.initialSecret) {
      throw new SphinxError("key", "a prefix brings its own initial secret");
    }
    keys = keyMaterialOnPrefix(crypto, options.prefix, options.route);
  } else {
    const initialSecret = options.initialSecret ?? random(32);
    keys = deriveKeyMaterial(crypto, options.route.map((h) => h.publicKey), initialSecret);
  }
  const header = buildHeader(
    crypto,
    keys,
    options.route,
    options.delays,
    options.destination,
    identifier,
    version,
    random,
  );
  return { header, keys, version, crypto };
}

/** What one hop learns from the header. */
export type UnwrappedHeader =
  | {
    readonly kind: "forward";
    readonly version: number;
    readonly nextHop: Uint8Array;
    readonly delay: bigint;
    readonly header: Uint8Array;
  }
  | {
    readonly kind: "final";
    readonly version: number;
    readonly destination: Uint8Array;
    readonly identifier: Uint8Array;
  };

/** Checks γ against β in constant time; throws a `mac` {@linkcode SphinxError}. */
export function verifyHeaderMac(
  crypto: CryptoProvider,
  header: Uint8Array,
  secret: ExpandedSecret,
): void {
  const expected = mac(crypto, secret.macKey, header.subarray(48, HEADER_SIZE));
  if (!constantTimeEqual(header.subarray(32, 48), expected)) {
    throw new SphinxError("mac", "header integrity MAC does not verify");
  }
}

/**
 * Decrypts β of a header whose MAC was verified and, for a forward hop, builds the next header
 * (α blinded).
 */
export function unwrapHeader(
  crypto: CryptoProvider,
  header: Uint8Array,
  secret: ExpandedSecret,
): UnwrappedHeader {
  const alpha = header.subarray(0, 32);
  const beta = header.subarray(48, HEADER_SIZE);
  const block = routingKeystream(crypto, secret.streamCipherKey);
  for (let j = 0; j < ENCRYPTED_ROUTING_INFO_SIZE; j++) block[j] ^= beta[j];
  const flag = block[0];
  if (block[1] !== 0) throw new SphinxError("version", `malformed version field (${block[1]})`);
  const version = (block[2] << 8) | block[3];
  if (flag === FORWARD_HOP) {
    const next = new Uint8Array(HEADER_SIZE);
    next.set(
      isLegacyVersion(version)
        ? legacyBlind(alpha, secret.blindingFactor)
        : dh(crypto, secret.blindingFactor, alpha),
      0,
    );
    next.set(block.subarray(44, HOP_BLOCK_SIZE), 32);
    next.set(block.subarray(HOP_BLOCK_SIZE, HOP_BLOCK_SIZE + ENCRYPTED_ROUTING_INFO_SIZE), 48);
    return {
      kind: "forward",
      version,
      nextHop: block.slice(4, 36),
      delay: readU64be(block, 36),
      header: next,
    };
  }
  if (flag === FINAL_HOP) {
    return {
      kind: "final",
      version,
      destination: block.slice(4, 4 + DESTINATION_ADDRESS_LENGTH),
      identifier: block.slice(36, 36 + IDENTIFIER_LENGTH),
    };
  }
  throw new SphinxError("flag", `unknown routing flag ${flag}`);
}
