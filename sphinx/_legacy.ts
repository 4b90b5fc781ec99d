// Blinding of the legacy versions 1 and 257: α' = (b mod ℓ)·α with an unclamped scalar, done on
// the Edwards form of the curve because X25519 always clamps. Only used to process old packets.
import { ed25519 } from "@noble/curves/ed25519.js";
import { SphinxError } from "./sphinx_error.ts";

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r >= 0n ? r : r + m;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base, P);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

const inv = (a: bigint) => pow(a, P - 2n);

function leToBigint(bytes: Uint8Array): bigint {
  let out = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) out = (out << 8n) | BigInt(bytes[i]);
  return out;
}

function bigintToLe(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** (scalar mod ℓ)·u on Curve25519 without clamping, as curve25519-dalek's `Scalar * MontgomeryPoint`. */
export function legacyBlind(u: Uint8Array, scalar: Uint8Array): Uint8Array {
  const s = mod(leToBigint(scalar), L);
  if (s === 0n) return new Uint8Array(32);
  const uu = mod(leToBigint(u) & ((1n << 255n) - 1n), P);
  if (uu === P - 1n) throw new SphinxError("key", "α has no Edwards form");
  const y = mod((uu - 1n) * inv(uu + 1n), P);
  let point;
  try {
    point = ed25519.Point.fromBytes(bigintToLe(y));
  } catch {
    throw new SphinxError("key", "α is not a point of Curve25519");
  }
  const blinded = point.multiply(s);
  if (blinded.is0()) return new Uint8Array(32);
  const { y: by } = blinded.toAffine();
  return bigintToLe(mod((1n + by) * inv(1n - by), P));
}
