// POLYVAL (RFC 8452 §3) for AES-GCM-SIV, tuned for one key per message: GCM-SIV derives a new
// authentication key for every nonce, so the per-key setup has to be cheap. Field elements are
// four little-endian 32-bit words (bit k of word i is the coefficient of x^(32i+k)), as POLYVAL
// reads its bytes. With H̃ = H·x^-128, POLYVAL's dot(a, H) = a·H·x^-128 is the plain product
// a·H̃ mod P, P = x^128 + x^127 + x^126 + x^121 + 1; it is computed byte by byte (Horner, high
// byte first) with a 256-entry table of b(x)·H̃ built per key (255 XORs of 16 bytes) and a
// constant 256-entry table of c(x)·x^128 mod P for the bits shifted out.
//
// Not constant-time in the key (table lookups indexed by secret-dependent bytes), like noble's
// table-based GHASH/POLYVAL it replaces; the key is per-message and never reused.

/** x^128 mod P, the part above bit 127 folded back: 1 + x^121 + x^126 + x^127. */
const FOLD_HIGH = 0xc2000000;

function timesX(t: Uint32Array, from: number, to: number): void {
  const w0 = t[from], w1 = t[from + 1], w2 = t[from + 2], w3 = t[from + 3];
  const carry = w3 >>> 31;
  t[to] = (w0 << 1) ^ carry;
  t[to + 1] = (w1 << 1) | (w0 >>> 31);
  t[to + 2] = (w2 << 1) | (w1 >>> 31);
  t[to + 3] = ((w3 << 1) | (w2 >>> 31)) ^ (carry ? FOLD_HIGH : 0);
}

/** Fills t[4b .. 4b+3] = b(x)·t[4..7] for every byte b, from t[4..7] alone. */
function fillByteTable(t: Uint32Array): void {
  for (let bit = 1; bit < 8; bit++) timesX(t, 4 << (bit - 1), 4 << bit);
  for (let b = 3; b < 256; b++) {
    const low = b & -b;
    if (low === b) continue;
    const i = 4 * b, j = 4 * (b ^ low), k = 4 * low;
    t[i] = t[j] ^ t[k];
    t[i + 1] = t[j + 1] ^ t[k + 1];
    t[i + 2] = t[j + 2] ^ t[k + 2];
    t[i + 3] = t[j + 3] ^ t[k + 3];
  }
}

/** c(x)·x^128 mod P for every byte c. */
const REDUCE = (() => {
  const t = new Uint32Array(1024);
  t[4] = 1;
  t[7] = FOLD_HIGH;
  fillByteTable(t);
  return t;
})();

/** A per-key table; reused between calls (one POLYVAL at a time, synchronously). */
const TABLE = new Uint32Array(1024);

/** Loads H·x^-128 into TABLE[4..7]. */
function loadKey(key: Uint8Array): void {
  const v = new DataView(key.buffer, key.byteOffset, 16);
  let w0 = v.getUint32(0, true), w1 = v.getUint32(4, true);
  let w2 = v.getUint32(8, true), w3 = v.getUint32(12, true);
  for (let i = 0; i < 128; i++) {
    // a/x: add P when the x^0 coefficient is set, then shift down (P's x^128 lands on x^127).
    const low = w0 & 1;
    if (low) {
      w0 ^= 1;
      w3 ^= FOLD_HIGH;
    }
    w0 = (w0 >>> 1) | (w1 << 31);
    w1 = (w1 >>> 1) | (w2 << 31);
    w2 = (w2 >>> 1) | (w3 << 31);
    w3 = (w3 >>> 1) | (low << 31);
  }
  TABLE[4] = w0;
  TABLE[5] = w1;
  TABLE[6] = w2;
  TABLE[7] = w3;
}

/**
 * POLYVAL(key, blocks) over `data` (a multiple of 16 bytes; the caller pads), 16 bytes out.
 */
export function polyval(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new RangeError("POLYVAL key must be 16 bytes");
  if (data.length % 16 !== 0) throw new RangeError("POLYVAL input must be whole blocks");
  loadKey(key);
  const t = TABLE;
  fillByteTable(t);
  const r = REDUCE;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let at = 0; at < data.length; at += 16) {
    const a0 = s0 ^ view.getUint32(at, true);
    const a1 = s1 ^ view.getUint32(at + 4, true);
    const a2 = s2 ^ view.getUint32(at + 8, true);
    const a3 = s3 ^ view.getUint32(at + 12, true);
    // Horner over the 16 bytes of a, from x^120 down: z = z·x^8 + a_j(x)·H̃.
    let i = 4 * (a3 >>> 24);
    let z0 = t[i], z1 = t[i + 1], z2 = t[i + 2], z3 = t[i + 3];
    for (let j = 14; j >= 0; j--) {
      const word = j >= 12 ? a3 : j >= 8 ? a2 : j >= 4 ? a1 : a0;
      const c = 4 * (z3 >>> 24);
      z3 = (z3 << 8) | (z2 >>> 24);
      z2 = (z2 << 8) | (z1 >>> 24);
      z1 = (z1 << 8) | (z0 >>> 24);
      z0 = z0 << 8;
      i = 4 * ((word >>> (8 * (j & 3))) & 0xff);
      z0 ^= r[c] ^ t[i];
      z1 ^= r[c + 1] ^ t[i + 1];
      z2 ^= r[c + 2] ^ t[i + 2];
      z3 ^= r[c + 3] ^ t[i + 3];
    }
    s0 = z0;
    s1 = z1;
    s2 = z2;
    s3 = z3;
  }
  t.fill(0); // the table is derived from the key
  const out = new Uint8Array(16);
  const o = new DataView(out.buffer);
  o.setUint32(0, s0, true);
  o.setUint32(4, s1, true);
  o.setUint32(8, s2, true);
  o.setUint32(12, s3, true);
  return out;
}
