// Per-hop key material: the HKDF expansion of a shared secret, the payload key of each version,
// and the sender-side derivation along a route.
import type { CryptoProvider } from "../crypto/mod.ts";
import { CryptoError } from "../crypto/mod.ts";
import {
  EXPANDED_SHARED_SECRET_HKDF_INFO,
  EXPANDED_SHARED_SECRET_LENGTH,
  PAYLOAD_KEY_HKDF_INFO,
  PAYLOAD_KEY_HKDF_SALT,
  PAYLOAD_KEY_SIZE,
} from "./constants.ts";
import { SphinxError } from "./sphinx_error.ts";
import { usesFullPayloadKeys } from "./version.ts";

const EMPTY = new Uint8Array(0);

/** The 288-byte expansion of one hop's shared secret, split by use. */
export interface ExpandedSecret {
  readonly streamCipherKey: Uint8Array; // [0, 16)
  readonly macKey: Uint8Array; // [16, 32)
  readonly legacyPayloadKey: Uint8Array; // [32, 224)
  readonly payloadKeySeed: Uint8Array; // [32, 48), overlaps the legacy key
  readonly blindingFactor: Uint8Array; // [224, 256)
  readonly replayTag: Uint8Array; // [256, 288)
}

export function expandSharedSecret(crypto: CryptoProvider, secret: Uint8Array): ExpandedSecret {
  const okm = crypto.hkdfSha256(
    secret,
    EMPTY,
    EXPANDED_SHARED_SECRET_HKDF_INFO,
    EXPANDED_SHARED_SECRET_LENGTH,
  );
  return {
    streamCipherKey: okm.subarray(0, 16),
    macKey: okm.subarray(16, 32),
    legacyPayloadKey: okm.subarray(32, 224),
    payloadKeySeed: okm.subarray(32, 48),
    blindingFactor: okm.subarray(224, 256),
    replayTag: okm.subarray(256, 288),
  };
}

/** Expands a 16-byte v259 payload key seed into the 192-byte Lioness key. */
export function payloadKeyFromSeed(crypto: CryptoProvider, seed: Uint8Array): Uint8Array {
  return crypto.hkdfSha256(seed, PAYLOAD_KEY_HKDF_SALT, PAYLOAD_KEY_HKDF_INFO, PAYLOAD_KEY_SIZE);
}

/** The Lioness key a hop uses for `version`. */
export function payloadKeyFor(
  crypto: CryptoProvider,
  secret: ExpandedSecret,
  version: number,
): Uint8Array {
  return usesFullPayloadKeys(version)
    ? secret.legacyPayloadKey
    : payloadKeyFromSeed(crypto, secret.payloadKeySeed);
}

/** X25519 that reports a low-order point as a Sphinx `key` error. */
export function dh(crypto: CryptoProvider, scalar: Uint8Array, point: Uint8Array): Uint8Array {
  try {
    return crypto.x25519(scalar, point);
  } catch (error) {
    if (error instanceof CryptoError) throw new SphinxError("key", error.message);
    throw error;
  }
}

/** What the sender derives for a route: α₀ and every hop's expanded secret. */
export interface KeyMaterial {
  readonly alpha: Uint8Array;
  readonly secrets: readonly ExpandedSecret[];
}

/**
 * The reference derivation of sphinx-packet 0.6.0: hop i's shared secret is
 * X25519(b_{i-1}, … X25519(b_0, X25519(x, pub_i))), costing 1 + n(n+1)/2 multiplications.
 */
export function deriveKeyMaterialNaive(
  crypto: CryptoProvider,
  publicKeys: readonly Uint8Array[],
  initialSecret: Uint8Array,
): KeyMaterial {
  const alpha = crypto.x25519PublicKey(initialSecret);
  const factors: Uint8Array[] = [initialSecret];
  const secrets: ExpandedSecret[] = [];
  for (const publicKey of publicKeys) {
    let shared = publicKey;
    for (const factor of factors) shared = dh(crypto, factor, shared);
    const expanded = expandSharedSecret(crypto, shared);
    secrets.push(expanded);
    factors.push(expanded.blindingFactor);
  }
  return { alpha, secrets };
}

// One multiplication per hop. Hop i's shared secret is c_i·pub_i with the integer
// c_i = clamp(x)·clamp(b_0)⋯clamp(b_{i-1}). Every c_i is a multiple of 8, so it kills any torsion
// component of pub_i and c_i·pub_i depends only on c_i mod ℓ. X25519 clamps its scalar, so it
// can multiply by t = c_i mod ℓ only through a clamped integer k ≡ t (mod ℓ); such a k exists for
// about half of all t. As X25519 returns the u-coordinate and u(−Q) = u(Q), k ≡ −t works as well,
// and one of the two exists except with probability about 2^-125; then we use the naive fold.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const TWO_254 = 1n << 254n;
const TWO_251 = 1n << 251n;
const INV_8 = modPow(8n, L - 2n, L);

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

function clampedScalar(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = 31; i >= 0; i--) {
    const byte = i === 0 ? bytes[0] & 248 : i === 31 ? (bytes[31] & 127) | 64 : bytes[i];
    value = (value << 8n) | BigInt(byte);
  }
  return value;
}

function scalarBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** A clamped 32-byte scalar k with k ≡ ±t (mod ℓ), or undefined if neither sign has one. */
export function clampedRepresentative(t: bigint): Uint8Array | undefined {
  for (const target of [t, (L - t) % L]) {
    const w = (((target - TWO_254) % L + L) * INV_8) % L;
    if (w < TWO_251) return scalarBytes(TWO_254 + 8n * w);
  }
  return undefined;
}

/**
 * Key material for the first hops of a route, to be extended by more hops later: a sender can
 * derive the mix layers' secrets ahead of time and add the destination's gateway when it sends.
 */
export interface PartialKeyMaterial extends KeyMaterial {
  readonly initialSecret: Uint8Array;
  readonly publicKeys: readonly Uint8Array[];
  /** c_n mod ℓ for the next hop; undefined once the naive fold had to be used. */
  readonly product: bigint | undefined;
}

/** α₀ for `initialSecret`, and no hop yet. */
export function startKeyMaterial(
  crypto: CryptoProvider,
  initialSecret: Uint8Array,
): PartialKeyMaterial {
  return {
    initialSecret,
    alpha: crypto.x25519PublicKey(initialSecret),
    publicKeys: [],
    secrets: [],
    product: clampedScalar(initialSecret) % L,
  };
}

/** `partial` with the hops of `publicKeys` added, one X25519 multiplication each. */
export function extendKeyMaterial(
  crypto: CryptoProvider,
  partial: PartialKeyMaterial,
  publicKeys: readonly Uint8Array[],
): PartialKeyMaterial {
  const { initialSecret, alpha } = partial;
  const allKeys = [...partial.publicKeys, ...publicKeys];
  const naive = (): PartialKeyMaterial => ({
    ...deriveKeyMaterialNaive(crypto, allKeys, initialSecret),
    initialSecret,
    publicKeys: allKeys,
    product: undefined,
  });
  let product = partial.product;
  if (product === undefined) return naive();
  const secrets = [...partial.secrets];
  for (const publicKey of publicKeys) {
    const scalar = clampedRepresentative(product);
    if (!scalar) return naive();
    const expanded = expandSharedSecret(crypto, dh(crypto, scalar, publicKey));
    secrets.push(expanded);
    product = (product * clampedScalar(expanded.blindingFactor)) % L;
  }
  return { initialSecret, alpha, publicKeys: allKeys, secrets, product };
}

/** Key material with 1 + n X25519 multiplications; byte-identical to the naive fold. */
export function deriveKeyMaterialFast(
  crypto: CryptoProvider,
  publicKeys: readonly Uint8Array[],
  initialSecret: Uint8Array,
): KeyMaterial {
  const { alpha, secrets } = extendKeyMaterial(
    crypto,
    startKeyMaterial(crypto, initialSecret),
    publicKeys,
  );
  return { alpha, secrets };
}

/** The derivation the builders use. */
export const deriveKeyMaterial: typeof deriveKeyMaterialFast = deriveKeyMaterialFast;
