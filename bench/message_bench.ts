// deno bench --allow-env --allow-read bench/message_bench.ts
//
// The per-message work of the client, each group measured against a fixed baseline in the same
// run, so that the ratios carry over between machines: the baseline is the floor of the group
// (the native primitive the operation cannot avoid, or a plain memory copy).
//
// - x25519: the native DH (KeyObjects built once) vs the provider calls Sphinx and the message
//   layer make (a fresh secret every time, so a new KeyObject each call) and noble;
// - gateway frame AEAD (AES-256-GCM-SIV over a 2.4 KB forward frame): native AES-256-GCM as the
//   floor, noble's GCM-SIV (the portable path) and the native provider's (native AES-ECB
//   blocks + our POLYVAL, crypto/_polyval.ts);
// - fragment encryption/decryption (message layer);
// - a data packet with its SURB-ACK (as the client sends it; sphinx_bench.ts has the v258/v259
//   and noble variants) against the 10 DH it needs;
// - splitting and reassembling a 10 MB message against copying 10 MB.
import { Buffer } from "node:buffer";
import { createCipheriv, createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { gcmsiv } from "@noble/ciphers/aes.js";
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import {
  decodeNymMessage,
  decryptRegular,
  encodeFragment,
  encodeNymMessage,
  encryptForRecipient,
  fragmentCapacity,
  padMessage,
  Reassembler,
  splitIntoFragments,
} from "../message/mod.ts";
import {
  buildPacket,
  encodeNodeAddress,
  PACKET_SIZES,
  padNodeAddress,
  sampleDelays,
} from "../sphinx/mod.ts";

const native = defaultCrypto();
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const same = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

// ---- x25519 -------------------------------------------------------------------------------------
const PKCS8 = Uint8Array.of(48, 46, 2, 1, 0, 48, 5, 6, 3, 43, 101, 110, 4, 34, 4, 32);
const SPKI = Uint8Array.of(48, 42, 48, 5, 6, 3, 43, 101, 110, 3, 33, 0);
const der = (prefix: Uint8Array, key: Uint8Array) => {
  const out = Buffer.alloc(prefix.length + 32);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
};
const secretA = random(32);
const publicB = native.x25519PublicKey(random(32));
const privateKeyObject = createPrivateKey({
  key: der(PKCS8, secretA),
  format: "der",
  type: "pkcs8",
});
const publicKeyObject = createPublicKey({ key: der(SPKI, publicB), format: "der", type: "spki" });
if (
  !same(
    new Uint8Array(diffieHellman({ privateKey: privateKeyObject, publicKey: publicKeyObject })),
    native.x25519(secretA, publicB),
  )
) throw new Error("raw DH disagrees with the provider");

Deno.bench("x25519: node:crypto diffieHellman, KeyObjects reused", {
  group: "x25519",
  baseline: true,
}, () => {
  diffieHellman({ privateKey: privateKeyObject, publicKey: publicKeyObject });
});
Deno.bench("x25519: defaultCrypto().x25519, same secret (cached key)", { group: "x25519" }, () => {
  native.x25519(secretA, publicB);
});
Deno.bench("x25519: defaultCrypto().x25519, fresh secret (as Sphinx)", { group: "x25519" }, () => {
  native.x25519(random(32), publicB);
});
Deno.bench("x25519: defaultCrypto().x25519PublicKey, fresh secret", { group: "x25519" }, () => {
  native.x25519PublicKey(random(32));
});
Deno.bench("x25519: @noble/curves", { group: "x25519" }, () => {
  nobleX25519.getSharedSecret(secretA, publicB);
});

// ---- gateway frame AEAD -------------------------------------------------------------------------
const sharedKey = random(32);
const nonce = random(12);
const frame = random(2413 + 8 + 1); // a MixPacket: type ‖ first hop ‖ Sphinx packet
const sealed = nobleCrypto.aes256GcmSivEncrypt(sharedKey, nonce, frame);
for (const n of [0, 1, 15, 16, 17, 100, frame.length]) {
  const msg = frame.subarray(0, n);
  const ours = native.aes256GcmSivEncrypt(sharedKey, nonce, msg);
  if (!same(ours, gcmsiv(sharedKey, nonce).encrypt(msg))) {
    throw new Error(`native-ECB GCM-SIV disagrees with noble at ${n} bytes`);
  }
  if (!same(native.aes256GcmSivDecrypt(sharedKey, nonce, ours), msg)) {
    throw new Error("round trip failed");
  }
}
Deno.bench("AEAD: node:crypto aes-256-gcm encrypt, 2.4 KB (floor)", {
  group: "gateway AEAD",
  baseline: true,
}, () => {
  const c = createCipheriv("aes-256-gcm", sharedKey, nonce);
  c.update(frame);
  c.final();
  c.getAuthTag();
});
Deno.bench("AEAD: noble gcmsiv encrypt, 2.4 KB (portable path)", { group: "gateway AEAD" }, () => {
  nobleCrypto.aes256GcmSivEncrypt(sharedKey, nonce, frame);
});
Deno.bench("AEAD: noble gcmsiv decrypt, 2.4 KB (portable path)", { group: "gateway AEAD" }, () => {
  nobleCrypto.aes256GcmSivDecrypt(sharedKey, nonce, sealed);
});
Deno.bench("AEAD: defaultCrypto() GCM-SIV (native AES-ECB + our POLYVAL), encrypt", {
  group: "gateway AEAD",
}, () => {
  native.aes256GcmSivEncrypt(sharedKey, nonce, frame);
});
Deno.bench("AEAD: defaultCrypto() GCM-SIV (native AES-ECB + our POLYVAL), decrypt", {
  group: "gateway AEAD",
}, () => {
  native.aes256GcmSivDecrypt(sharedKey, nonce, sealed);
});

// ---- fragment encryption ------------------------------------------------------------------------
const recipientSecret = random(32);
const recipientPublic = native.x25519PublicKey(recipientSecret);
const [fragment] = splitIntoFragments(
  padMessage(encodeNymMessage({ type: "plain", data: random(1000) }), fragmentCapacity()),
  fragmentCapacity(),
);
const fragmentBytes = encodeFragment(fragment);
const encrypted = encryptForRecipient(fragmentBytes, recipientPublic);
Deno.bench("fragment: one native x25519 (floor)", { group: "fragment", baseline: true }, () => {
  native.x25519(secretA, publicB);
});
Deno.bench("fragment: encryptForRecipient (1611 B)", { group: "fragment" }, () => {
  encryptForRecipient(fragmentBytes, recipientPublic);
});
Deno.bench("fragment: decryptRegular (1611 B)", { group: "fragment" }, () => {
  decryptRegular(encrypted, recipientSecret);
});
Deno.bench("fragment: encryptForRecipient, noble only", { group: "fragment" }, () => {
  encryptForRecipient(fragmentBytes, recipientPublic, { crypto: nobleCrypto });
});
Deno.bench("fragment: encode + pad + split a 1 KB message", { group: "fragment" }, () => {
  const padded = padMessage(encodeNymMessage({ type: "plain", data: fragmentBytes }), 1611);
  for (const f of splitIntoFragments(padded, 1611)) encodeFragment(f);
});

// ---- data packet with SURB-ACK ------------------------------------------------------------------
const secrets = [0, 1, 2, 3].map(() => random(32));
const route = secrets.map((sk, i) => ({
  address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
  publicKey: native.x25519PublicKey(sk),
}));
const destination = random(32);
const delays = sampleDelays(4, 15);
Deno.bench("data packet: 10 native x25519 (floor: its public-key work)", {
  group: "data packet",
  baseline: true,
}, () => {
  for (let i = 0; i < 10; i++) native.x25519(secretA, publicB);
});
Deno.bench("data packet: fragment encryption + SURB-ACK + Sphinx v259", {
  group: "data packet",
}, () => {
  const ack = buildPacket({
    route,
    delays,
    destination,
    plaintext: random(21),
    size: PACKET_SIZES.ack,
  });
  const body = new Uint8Array(2048);
  body.set(route[0].address.subarray(0, 19));
  body.set(ack, 19);
  body.set(encryptForRecipient(fragmentBytes, recipientPublic).subarray(0, 2048 - 405), 405);
  buildPacket({ route, delays, destination, plaintext: body });
});

// ---- 10 MB message --------------------------------------------------------------------------------
const TEN_MB = 10 * 1024 * 1024;
const bigMessage = random(65536);
const big = new Uint8Array(TEN_MB);
for (let i = 0; i < TEN_MB; i += 65536) big.set(bigMessage.subarray(0, TEN_MB - i), i);
const capacity = fragmentCapacity();
const encodedFragments = splitIntoFragments(
  padMessage(encodeNymMessage({ type: "plain", data: big }), capacity),
  capacity,
).map(encodeFragment);
{
  const r = new Reassembler();
  let out: Uint8Array | undefined;
  for (const f of encodedFragments) {
    const o = r.insertBytes(f);
    if (o.kind === "complete") out = o.message;
  }
  const decoded = decodeNymMessage(out!);
  if (decoded.type !== "plain" || !same(decoded.data, big)) throw new Error("reassembly failed");
}
Deno.bench(`10 MB: copy ${encodedFragments.length} fragments into one buffer (floor)`, {
  group: "10 MB message",
  baseline: true,
}, () => {
  const out = new Uint8Array(encodedFragments.length * capacity);
  let at = 0;
  for (const f of encodedFragments) {
    out.set(f, at);
    at += f.length;
  }
});
Deno.bench("10 MB: Reassembler.insertBytes of every fragment + decodeNymMessage", {
  group: "10 MB message",
}, () => {
  const r = new Reassembler();
  for (const f of encodedFragments) {
    const o = r.insertBytes(f);
    if (o.kind === "complete") decodeNymMessage(o.message);
  }
});
Deno.bench("10 MB: encodeNymMessage + padMessage + splitIntoFragments + encodeFragment", {
  group: "10 MB message",
}, () => {
  splitIntoFragments(
    padMessage(encodeNymMessage({ type: "plain", data: big }), capacity),
    capacity,
  ).map(encodeFragment);
});
