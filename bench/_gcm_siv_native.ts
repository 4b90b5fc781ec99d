// Prototype for the lead (bench-only): AES-256-GCM-SIV (RFC 8452, empty AAD) with every AES
// block computed by node:crypto's native AES-256-ECB, and POLYVAL from @noble/ciphers. Node's
// crypto has no GCM-SIV, but ECB over (a) the six key-derivation blocks, (b) the tag block and
// (c) the counter blocks of the 32-bit little-endian CTR is enough. message_bench.ts checks it
// against noble's gcmsiv and measures both.
import { createCipheriv } from "node:crypto";
import { polyval } from "@noble/ciphers/_polyval.js";

function ecb(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  const cipher = createCipheriv(key.length === 32 ? "aes-256-ecb" : "aes-128-ecb", key, null);
  cipher.setAutoPadding(false);
  const out = cipher.update(blocks);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function deriveKeys(key: Uint8Array, nonce: Uint8Array): { auth: Uint8Array; enc: Uint8Array } {
  const blocks = new Uint8Array(6 * 16);
  for (let i = 0; i < 6; i++) {
    blocks[16 * i] = i;
    blocks.set(nonce, 16 * i + 4);
  }
  const e = ecb(key, blocks);
  const auth = new Uint8Array(16);
  auth.set(e.subarray(0, 8));
  auth.set(e.subarray(16, 24), 8);
  const enc = new Uint8Array(32);
  for (let i = 0; i < 4; i++) enc.set(e.subarray(32 + 16 * i, 40 + 16 * i), 8 * i);
  return { auth, enc };
}

function tagOf(
  auth: Uint8Array,
  enc: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const padded = Math.ceil(plaintext.length / 16) * 16;
  const input = new Uint8Array(padded + 16);
  input.set(plaintext);
  new DataView(input.buffer).setBigUint64(padded + 8, BigInt(plaintext.length) * 8n, true);
  const s = polyval(input, auth);
  for (let i = 0; i < 12; i++) s[i] ^= nonce[i];
  s[15] &= 0x7f;
  return ecb(enc, s);
}

function ctr(enc: Uint8Array, tag: Uint8Array, data: Uint8Array): Uint8Array {
  const n = Math.ceil(data.length / 16);
  const counters = new Uint8Array(n * 16);
  const view = new DataView(counters.buffer);
  const start = new DataView(tag.buffer, tag.byteOffset, 16).getUint32(0, true);
  for (let i = 0; i < n; i++) {
    counters.set(tag, 16 * i);
    view.setUint32(16 * i, (start + i) >>> 0, true);
    counters[16 * i + 15] |= 0x80;
  }
  const stream = ecb(enc, counters);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ stream[i];
  return out;
}

/** AES-256-GCM-SIV encryption: ciphertext ‖ 16-byte tag. */
export function gcmSivEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  const { auth, enc } = deriveKeys(key, nonce);
  const tag = tagOf(auth, enc, nonce, plaintext);
  const out = new Uint8Array(plaintext.length + 16);
  out.set(ctr(enc, tag, plaintext));
  out.set(tag, plaintext.length);
  return out;
}

/** AES-256-GCM-SIV decryption; throws on a wrong tag. */
export function gcmSivDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < 16) throw new Error("shorter than a tag");
  const tag = sealed.subarray(sealed.length - 16);
  const { auth, enc } = deriveKeys(key, nonce);
  const plaintext = ctr(enc, tag, sealed.subarray(0, sealed.length - 16));
  const expected = tagOf(auth, enc, nonce, plaintext);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i] ^ tag[i];
  if (diff !== 0) throw new Error("aes-256-gcm-siv: bad tag");
  return plaintext;
}
