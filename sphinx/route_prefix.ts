/**
 * A route's first hops with their Sphinx key material derived ahead of time. A packet's header
 * needs one X25519 multiplication per hop; the mix layers of a route do not depend on where the
 * packet goes, so a sender can choose them and derive their secrets while idle, and add only the
 * destination's gateway (one multiplication) when it sends.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { constantTimeEqual } from "../internal/bytes.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import { extendKeyMaterial, type PartialKeyMaterial, startKeyMaterial } from "./_keys.ts";
import { MAX_PATH_LENGTH, NODE_ADDRESS_LENGTH } from "./constants.ts";
import type { RouteHop } from "./header.ts";
import { SphinxError } from "./sphinx_error.ts";

let takeKeys: (prefix: RoutePrefix) => PartialKeyMaterial;
let create: (hops: readonly RouteHop[], keys: PartialKeyMaterial) => RoutePrefix;

/**
 * The first hops of a route and their key material, from {@linkcode prepareRoutePrefix}; pass
 * it to `buildPacket` as `prefix` with a route that starts with these hops. A prefix builds one
 * packet: its initial secret (α on the wire) is that packet's, and a second use throws.
 *
 * @example
 * ```ts
 * import { encodeNodeAddress, padNodeAddress, prepareRoutePrefix } from "@nym/mixnet/sphinx";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const hop = {
 *   address: padNodeAddress(encodeNodeAddress("127.0.0.1:1789"), 32),
 *   publicKey: defaultCrypto().x25519PublicKey(crypto.getRandomValues(new Uint8Array(32))),
 * };
 * console.log(prepareRoutePrefix([hop]).hops.length); // 1
 * ```
 */
export class RoutePrefix {
  /** The hops whose secrets are derived. */
  readonly hops: readonly RouteHop[];
  #keys: PartialKeyMaterial;
  #used = false;

  private constructor(hops: readonly RouteHop[], keys: PartialKeyMaterial) {
    this.hops = hops;
    this.#keys = keys;
  }

  static {
    takeKeys = (prefix) => {
      if (prefix.#used) throw new SphinxError("key", "a route prefix builds one packet only");
      prefix.#used = true;
      return prefix.#keys;
    };
    create = (hops, keys) => new RoutePrefix(hops, keys);
  }
}

/** Options of {@linkcode prepareRoutePrefix}. */
export interface PrepareRoutePrefixOptions {
  /** Primitive provider; {@linkcode defaultCrypto} by default. */
  readonly crypto?: CryptoProvider;
  /** Random source of the packet's initial secret. */
  readonly random?: RandomBytes;
  /** Fixed initial secret x (tests only); random by default. */
  readonly initialSecret?: Uint8Array;
}

/**
 * Draws a packet's initial secret and derives the key material of `hops` (at most 4: a route
 * has at most 5 hops and the last is added when building).
 *
 * @example A 3-hop prefix, completed by a gateway when the packet is built
 * ```ts
 * import {
 *   buildPacket, encodeNodeAddress, padNodeAddress, prepareRoutePrefix, processPacket, sampleDelays,
 * } from "@nym/mixnet/sphinx";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secrets = [1, 2, 3, 4].map(() => crypto.getRandomValues(new Uint8Array(32)));
 * const route = secrets.map((sk, i) => ({
 *   address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
 *   publicKey: defaultCrypto().x25519PublicKey(sk),
 * }));
 * const prefix = prepareRoutePrefix(route.slice(0, 3)); // ahead of time
 * let packet = buildPacket({
 *   route, prefix, delays: sampleDelays(4, 0), destination: new Uint8Array(32),
 *   plaintext: new TextEncoder().encode("hi"),
 * });
 * for (const sk of secrets) {
 *   const hop = processPacket(packet, sk);
 *   if (hop.kind === "forward") packet = hop.packet;
 *   else console.log(new TextDecoder().decode(hop.plaintext)); // "hi"
 * }
 * ```
 */
export function prepareRoutePrefix(
  hops: readonly RouteHop[],
  options: PrepareRoutePrefixOptions = {},
): RoutePrefix {
  if (hops.length > MAX_PATH_LENGTH - 1) {
    throw new SphinxError("length", `a route prefix has at most ${MAX_PATH_LENGTH - 1} hops`);
  }
  for (const hop of hops) {
    if (hop.address.length !== NODE_ADDRESS_LENGTH || hop.publicKey.length !== 32) {
      throw new SphinxError("length", "a hop needs a padded address and a 32-byte public key");
    }
  }
  const crypto = options.crypto ?? defaultCrypto();
  const initialSecret = options.initialSecret ?? (options.random ?? systemRandom)(32);
  const keys = extendKeyMaterial(
    crypto,
    startKeyMaterial(crypto, initialSecret),
    hops.map((h) => h.publicKey),
  );
  return create(hops.map((h) => ({ address: h.address, publicKey: h.publicKey })), keys);
}

/**
 * The key material of `route` built on `prefix` (internal, for the header builder). Throws
 * {@linkcode SphinxError} of kind `address` if the route does not start with the prefix's hops
 * or adds none, of kind `key` if the prefix was used before.
 */
export function keyMaterialOnPrefix(
  crypto: CryptoProvider,
  prefix: RoutePrefix,
  route: readonly RouteHop[],
): PartialKeyMaterial {
  const { hops } = prefix;
  const matches = route.length > hops.length &&
    hops.every((h, i) =>
      constantTimeEqual(h.address, route[i].address) &&
      constantTimeEqual(h.publicKey, route[i].publicKey)
    );
  if (!matches) {
    throw new SphinxError("address", "the route does not start with the prefix's hops");
  }
  return extendKeyMaterial(
    crypto,
    takeKeys(prefix),
    route.slice(hops.length).map((h) => h.publicKey),
  );
}
