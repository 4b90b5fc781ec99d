// Splits an AES-CTR call with a 64-bit counter (Rust `Ctr64BE`) into at most two calls of a
// 128-bit-counter implementation: the low half of the IV wraps to zero without carrying into the
// high half, which a 128-bit counter would do.

/** Runs `ctr128` so that its output equals AES-CTR with a 64-bit big-endian counter. */
export function ctr64With(
  ctr128: (iv: Uint8Array, data: Uint8Array) => Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
): Uint8Array {
  const low = new DataView(iv.buffer, iv.byteOffset, 16).getBigUint64(8);
  const blocksUntilWrap = (1n << 64n) - low;
  const blocks = BigInt(Math.ceil(data.length / 16));
  if (blocks <= blocksUntilWrap) return ctr128(iv, data);
  const split = Number(blocksUntilWrap) * 16;
  const wrappedIv = new Uint8Array(16);
  wrappedIv.set(iv.subarray(0, 8));
  const out = new Uint8Array(data.length);
  out.set(ctr128(iv, data.subarray(0, split)));
  out.set(ctr128(wrappedIv, data.subarray(split)), split);
  return out;
}
