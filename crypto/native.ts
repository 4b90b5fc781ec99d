/**
 * A crypto provider that hands the hot primitives (X25519, AES-CTR, HMAC/HKDF-SHA256, ChaCha20)
 * to the runtime's `node:crypto` (Deno, Node, Bun) and keeps `@noble/*` for the rest.
 *
 * `node:crypto` is looked up at run time with `process.getBuiltinModule`, never imported
 * statically, so browser and edge bundles that include this file still load. Each native
 * primitive is checked against the noble one on fixed inputs when the provider is created; a
 * primitive that is missing or disagrees is replaced by its noble twin.
 *
 * @module
 */
import { CryptoError, type CryptoProvider } from "./crypto_provider.ts";
import { nobleCrypto } from "./noble.ts";
import { ctr64With } from "./_ctr64.ts";
import { polyval } from "./_polyval.ts";
import { fromBase64Url, toBase64Url } from "../internal/encoding.ts";

// The subset of `node:crypto` used here, typed locally so no Node type package is needed.
interface KeyObject {
  export(options: { format: "der"; type: "spki" | "pkcs8" }): Uint8Array;
  export(options: { format: "jwk" }): { x?: string };
}
/** An X25519 key as a JSON Web Key (RFC 8037); `d` only in private keys. */
interface X25519Jwk {
  kty: "OKP";
  crv: "X25519";
  x: string;
  d?: string;
}
interface Cipher {
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  setAutoPadding(padding: boolean): Cipher;
}
interface Hmac {
  update(data: Uint8Array): Hmac;
  digest(): Uint8Array;
}
/** The subset of `node:crypto` the native provider uses (internal; exported for tests). */
export interface NodeCrypto {
  createPrivateKey(
    options: { key: Uint8Array; format: "der"; type: "pkcs8" } | { key: X25519Jwk; format: "jwk" },
  ): KeyObject;
  createPublicKey(
    options:
      | { key: Uint8Array; format: "der"; type: "spki" }
      | { key: X25519Jwk; format: "jwk" }
      | KeyObject,
  ): KeyObject;
  diffieHellman(options: { privateKey: KeyObject; publicKey: KeyObject }): Uint8Array;
  createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array | null): Cipher;
  createHmac(algorithm: string, key: Uint8Array): Hmac;
  hkdfSync(
    digest: string,
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): ArrayBuffer;
}

const X25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
);
const X25519_SPKI_PREFIX = Uint8Array.of(
  0x30,
  0x2a,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x03,
  0x21,
  0x00,
);
const ZERO_IV_16 = new Uint8Array(16);
/** Inputs shorter than this go to noble for HMAC and ChaCha20 (measured crossover, Deno 2.9). */
const SMALL_INPUT = 1024;

function asBytes(value: Uint8Array | ArrayBuffer): Uint8Array {
  // Node returns Buffers; hand out plain Uint8Arrays so callers see no surprise prototypes. A
  // Buffer that owns its whole ArrayBuffer is viewed as is; one cut from a shared pool is copied.
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  const { buffer, byteOffset, byteLength } = value;
  return byteOffset === 0 && byteLength === buffer.byteLength
    ? new Uint8Array(buffer, 0, byteLength)
    : new Uint8Array(buffer, byteOffset, byteLength).slice();
}

/**
 * Public KeyObjects remembered per key array: a route passes the same arrays for the nodes'
 * public keys many times. The bytes are compared on every hit, so an array changed in place is
 * never served a stale key.
 */
class KeyObjectCache {
  #entries = new WeakMap<Uint8Array, { bytes: Uint8Array; key: KeyObject }>();
  #create: (raw: Uint8Array) => KeyObject;

  constructor(create: (raw: Uint8Array) => KeyObject) {
    this.#create = create;
  }

  get(raw: Uint8Array): KeyObject {
    const hit = this.#entries.get(raw);
    if (hit && sameBytes(hit.bytes, raw)) return hit.key;
    const key = this.#create(raw);
    this.#entries.set(raw, { bytes: raw.slice(), key });
    return key;
  }
}

/** Private KeyObjects kept: enough for a node's or a client's own secrets between packets. */
const RECENT_PRIVATE_KEYS = 8;

/**
 * Private KeyObjects for the last few secret arrays, by array and bytes. Sphinx and the message
 * layer draw a fresh secret for every packet (12 per loop cover packet), so remembering each one
 * until its array dies (a WeakMap entry per secret) only fed the garbage collector; a node's or
 * a client's own secret, used again and again, stays among the recent ones.
 */
class RecentPrivateKeys {
  #arrays: (Uint8Array | undefined)[] = new Array(RECENT_PRIVATE_KEYS);
  #bytes: Uint8Array[] = Array.from({ length: RECENT_PRIVATE_KEYS }, () => new Uint8Array(32));
  #keys: (KeyObject | undefined)[] = new Array(RECENT_PRIVATE_KEYS);
  #next = 0;
  #create: (raw: Uint8Array) => KeyObject;

  constructor(create: (raw: Uint8Array) => KeyObject) {
    this.#create = create;
  }

  get(raw: Uint8Array): KeyObject {
    for (let i = 0; i < RECENT_PRIVATE_KEYS; i++) {
      if (this.#arrays[i] === raw && sameBytes(this.#bytes[i], raw)) return this.#keys[i]!;
    }
    const key = this.#create(raw);
    const slot = this.#next;
    this.#next = (slot + 1) % RECENT_PRIVATE_KEYS;
    this.#arrays[slot] = raw;
    this.#bytes[slot].set(raw);
    this.#keys[slot] = key;
    return key;
  }
}

/** How raw 32-byte X25519 keys enter and leave `node:crypto`. */
interface X25519Codec {
  importPrivate(raw: Uint8Array): KeyObject;
  importPublic(raw: Uint8Array): KeyObject;
  exportPublic(key: KeyObject): Uint8Array;
}

function derCodec(nc: NodeCrypto): X25519Codec {
  const pkcs8 = new Uint8Array(X25519_PKCS8_PREFIX.length + 32);
  pkcs8.set(X25519_PKCS8_PREFIX);
  const spki = new Uint8Array(X25519_SPKI_PREFIX.length + 32);
  spki.set(X25519_SPKI_PREFIX);
  return {
    importPrivate(raw) {
      pkcs8.set(raw, X25519_PKCS8_PREFIX.length);
      return nc.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }); // copies the DER
    },
    importPublic(raw) {
      spki.set(raw, X25519_SPKI_PREFIX.length);
      return nc.createPublicKey({ key: spki, format: "der", type: "spki" });
    },
    exportPublic(key) {
      return asBytes(key.export({ format: "der", type: "spki" })).slice(-32);
    },
  };
}

// A private JWK must carry a string `x`; Node, Deno and Bun read only `d` (checked on creation,
// see x25519Codec), so the public key is not computed just to be ignored.
function jwkCodec(nc: NodeCrypto): X25519Codec {
  return {
    importPrivate(raw) {
      return nc.createPrivateKey({
        key: { kty: "OKP", crv: "X25519", d: toBase64Url(raw), x: "" },
        format: "jwk",
      });
    },
    importPublic(raw) {
      return nc.createPublicKey({
        key: { kty: "OKP", crv: "X25519", x: toBase64Url(raw) },
        format: "jwk",
      });
    },
    exportPublic(key) {
      const x = key.export({ format: "jwk" }).x;
      if (typeof x !== "string") throw new CryptoError("X25519 JWK export without x");
      return fromBase64Url(x);
    },
  };
}

/** How the native provider imports X25519 keys into `node:crypto`: DER or JSON Web Key. */
export type X25519Import = "der" | "jwk";

/**
 * JWK in Node, DER elsewhere. Node parses DER keys with OpenSSL 3's decoders: importing a fresh
 * private key took 366 µs there against 33 µs as a JWK, and Sphinx imports 12 fresh secrets per
 * cover packet. Deno and Bun import DER as fast (8 µs and 12 µs), and in Deno building cover
 * packets through JWK took 5 % more CPU (the base64url text in between).
 */
function defaultX25519Import(): X25519Import {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { release?: { name?: string } };
  };
  return g.Deno === undefined && g.Bun === undefined && g.process?.release?.name === "node"
    ? "jwk"
    : "der";
}

/**
 * The codec asked for, if it gives the same keys as DER on a fixed pair (a runtime that checked
 * a private JWK's `x` against its `d` would refuse ours), else DER.
 */
function x25519Codec(nc: NodeCrypto, wanted: X25519Import): X25519Codec {
  const der = derCodec(nc);
  if (wanted === "der") return der;
  const jwk = jwkCodec(nc);
  try {
    const a = new Uint8Array(32).map((_, i) => 3 * i + 1);
    const b = new Uint8Array(32).map((_, i) => 250 - i);
    const publicB = der.exportPublic(nc.createPublicKey(der.importPrivate(b)));
    const agree = (c: X25519Codec) => [
      c.exportPublic(nc.createPublicKey(c.importPrivate(a))),
      asBytes(
        nc.diffieHellman({ privateKey: c.importPrivate(a), publicKey: c.importPublic(publicB) }),
      ),
    ];
    const expected = agree(der);
    const got = agree(jwk);
    return got.every((g, i) => g.length === 32 && sameBytes(g, expected[i])) ? jwk : der;
  } catch {
    return der;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * AES-256-GCM-SIV (RFC 8452, no associated data) with every AES block computed by the runtime's
 * AES-256-ECB, and our POLYVAL (crypto/_polyval.ts, built for one key per message). Node has
 * no GCM-SIV, but ECB over the six
 * key-derivation blocks, the tag block and the counter blocks of the 32-bit little-endian CTR is
 * all it needs. In a client that does other work between frames, noble's table-based AES runs
 * with cold caches at several times its benchmark-loop cost; the native blocks do not.
 */
function gcmSiv(nc: NodeCrypto) {
  const open = (key: Uint8Array): Cipher => {
    const cipher = nc.createCipheriv("aes-256-ecb", key, null);
    cipher.setAutoPadding(false);
    return cipher;
  };
  // final() releases the native context: without it each one leaks about 1 kB that no
  // garbage collection returns (200,000 calls: +220 MiB of RSS in Deno 2.9).
  const ecbOnce = (key: Uint8Array, blocks: Uint8Array): Uint8Array => {
    const cipher = open(key);
    const out = cipher.update(blocks);
    cipher.final();
    return out;
  };
  const checkKeyAndNonce = (key: Uint8Array, nonce: Uint8Array): void => {
    if (key.length !== 32) {
      throw new CryptoError(`aes-256-gcm-siv key must be 32 bytes, got ${key.length}`);
    }
    if (nonce.length !== 12) {
      throw new CryptoError(`aes-256-gcm-siv nonce must be 12 bytes, got ${nonce.length}`);
    }
  };
  // Message-authentication key (16) and message-encryption key (32) for this nonce.
  const deriveKeys = (key: Uint8Array, nonce: Uint8Array) => {
    const blocks = new Uint8Array(6 * 16);
    for (let i = 0; i < 6; i++) {
      blocks[16 * i] = i;
      blocks.set(nonce, 16 * i + 4);
    }
    const e = ecbOnce(key, blocks);
    const auth = new Uint8Array(16);
    auth.set(e.subarray(0, 8));
    auth.set(e.subarray(16, 24), 8);
    const enc = new Uint8Array(32);
    for (let i = 0; i < 4; i++) enc.set(e.subarray(32 + 16 * i, 40 + 16 * i), 8 * i);
    return { auth, enc };
  };
  // The tag and the CTR keystream share one ECB context under the message-encryption key.
  const tagOf = (
    auth: Uint8Array,
    ecb: Cipher,
    nonce: Uint8Array,
    plain: Uint8Array,
  ): Uint8Array => {
    const padded = Math.ceil(plain.length / 16) * 16;
    const input = new Uint8Array(padded + 16);
    input.set(plain);
    const bits = plain.length * 8;
    const view = new DataView(input.buffer);
    view.setUint32(padded + 8, bits >>> 0, true);
    view.setUint32(padded + 12, Math.floor(bits / 2 ** 32), true);
    const s = polyval(auth, input);
    for (let i = 0; i < 12; i++) s[i] ^= nonce[i];
    s[15] &= 0x7f;
    return ecb.update(s).subarray(0, 16);
  };
  // CTR with the tag (top bit set) as the first counter block, its first 32 bits little-endian.
  const ctr = (ecb: Cipher, tag: Uint8Array, data: Uint8Array): Uint8Array => {
    const n = Math.ceil(data.length / 16);
    const out = new Uint8Array(data.length);
    if (n === 0) return out;
    const counters = new Uint8Array(n * 16);
    counters.set(tag.subarray(0, 16));
    counters[15] |= 0x80;
    const view = new DataView(counters.buffer);
    const start = view.getUint32(0, true);
    for (let i = 1; i < n; i++) {
      counters.copyWithin(16 * i, 0, 16);
      view.setUint32(16 * i, (start + i) >>> 0, true);
    }
    const stream = ecb.update(counters);
    for (let i = 0; i < data.length; i++) out[i] = data[i] ^ stream[i];
    return out;
  };
  return {
    encrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
      checkKeyAndNonce(key, nonce);
      const k = deriveKeys(key, nonce);
      const ecb = open(k.enc);
      try {
        const tag = tagOf(k.auth, ecb, nonce, plaintext);
        const out = new Uint8Array(plaintext.length + 16);
        out.set(ctr(ecb, tag, plaintext));
        out.set(tag, plaintext.length);
        return out;
      } finally {
        ecb.final();
      }
    },
    decrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array {
      checkKeyAndNonce(key, nonce);
      if (sealed.length < 16) {
        throw new CryptoError("aes-256-gcm-siv ciphertext shorter than its tag");
      }
      const tag = sealed.subarray(sealed.length - 16);
      const k = deriveKeys(key, nonce);
      const ecb = open(k.enc);
      let expected: Uint8Array;
      let plaintext: Uint8Array;
      try {
        plaintext = ctr(ecb, tag, sealed.subarray(0, sealed.length - 16));
        expected = tagOf(k.auth, ecb, nonce, plaintext);
      } finally {
        ecb.final();
      }
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= expected[i] ^ tag[i];
      if (diff !== 0) throw new CryptoError("aes-256-gcm-siv tag does not verify");
      return plaintext;
    },
  };
}

function loadNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  try {
    return proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
}

/** The native provider over a given `node:crypto` (internal; exported for tests). */
export function buildNative(
  nc: NodeCrypto,
  options: { readonly x25519Import?: X25519Import } = {},
): CryptoProvider {
  const codec = x25519Codec(nc, options.x25519Import ?? defaultX25519Import());
  const privateKeys = new RecentPrivateKeys(codec.importPrivate);
  const publicKeys = new KeyObjectCache(codec.importPublic);
  const privateKey = (secretKey: Uint8Array): KeyObject => {
    if (secretKey.length !== 32) {
      throw new CryptoError(`x25519 secret key must be 32 bytes, got ${secretKey.length}`);
    }
    return privateKeys.get(secretKey);
  };

  const siv = gcmSiv(nc);
  const candidate: CryptoProvider = {
    ...nobleCrypto,
    name: "native",
    x25519(secretKey, publicKey) {
      if (publicKey.length !== 32) {
        throw new CryptoError(`x25519 public key must be 32 bytes, got ${publicKey.length}`);
      }
      const priv = privateKey(secretKey);
      let out: Uint8Array;
      try {
        const pub = publicKeys.get(publicKey);
        out = asBytes(nc.diffieHellman({ privateKey: priv, publicKey: pub }));
      } catch {
        throw new CryptoError("x25519 produced the all-zero point (low-order public key)");
      }
      let acc = 0;
      for (const b of out) acc |= b;
      if (acc === 0) {
        throw new CryptoError("x25519 produced the all-zero point (low-order public key)");
      }
      return out;
    },
    x25519PublicKey(secretKey) {
      return codec.exportPublic(nc.createPublicKey(privateKey(secretKey)));
    },
    hkdfSha256(ikm, salt, info, length) {
      return asBytes(nc.hkdfSync("sha256", ikm, salt, info, length));
    },
    hmacSha256(key, message) {
      // Below ~1 kB the node:crypto wrapper (Buffer conversions, a Hmac object) costs more than
      // noble's SHA-256 in JavaScript: Sphinx header MACs cover 300 bytes.
      if (message.length < SMALL_INPUT) return nobleCrypto.hmacSha256(key, message);
      return asBytes(nc.createHmac("sha256", key).update(message).digest());
    },
    aes128Ctr(key, iv, data, counterBits) {
      if (key.length !== 16) throw new CryptoError("aes-128 key must be 16 bytes");
      if (iv.length !== 16) throw new CryptoError("aes-ctr iv must be 16 bytes");
      const run = (nonce: Uint8Array, chunk: Uint8Array) => {
        const cipher = nc.createCipheriv("aes-128-ctr", key, nonce);
        const head = cipher.update(chunk);
        cipher.final();
        return asBytes(head);
      };
      return counterBits === 64 ? ctr64With(run, iv, data) : run(iv, data);
    },
    aes256GcmSivEncrypt: siv.encrypt,
    aes256GcmSivDecrypt: siv.decrypt,
    chacha20(key, data) {
      if (key.length !== 32) throw new CryptoError("chacha20 key must be 32 bytes");
      // Lioness over an ack packet's 38-byte payload runs ChaCha20 on 6 bytes: noble's is
      // cheaper than creating a native cipher for it.
      if (data.length < SMALL_INPUT) return nobleCrypto.chacha20(key, data);
      const cipher = nc.createCipheriv("chacha20", key, ZERO_IV_16);
      const head = cipher.update(data);
      cipher.final();
      return asBytes(head);
    },
  };
  return selfChecked(candidate);
}

// Keeps a native primitive only if it exists here and matches noble on fixed inputs.
function selfChecked(candidate: CryptoProvider): CryptoProvider {
  const a = new Uint8Array(32).map((_, i) => i + 1);
  const b = new Uint8Array(32).map((_, i) => 200 - i);
  const data = new Uint8Array(100).map((_, i) => i * 7);
  // Long enough for the native paths that only larger inputs take (see SMALL_INPUT).
  const long = new Uint8Array(2 * SMALL_INPUT).map((_, i) => i * 7);
  const same = (f: (p: CryptoProvider) => Uint8Array): boolean => {
    try {
      const x = f(candidate);
      const y = f(nobleCrypto);
      return x.length === y.length && x.every((v, i) => v === y[i]);
    } catch {
      return false;
    }
  };
  const checks: Record<string, (p: CryptoProvider) => Uint8Array> = {
    x25519: (p) => p.x25519(a, p.x25519PublicKey(b)),
    x25519PublicKey: (p) => p.x25519PublicKey(a),
    hkdfSha256: (p) => p.hkdfSha256(a, new Uint8Array(0), data, 288),
    hmacSha256: (p) => p.hmacSha256(a.subarray(0, 16), long),
    aes128Ctr: (p) => p.aes128Ctr(a.subarray(0, 16), b.subarray(0, 16), data, 128),
    chacha20: (p) => p.chacha20(a, long),
    aes256GcmSivEncrypt: (p) => p.aes256GcmSivEncrypt(a, b.subarray(0, 12), data),
    aes256GcmSivDecrypt: (p) =>
      p.aes256GcmSivDecrypt(
        a,
        b.subarray(0, 12),
        nobleCrypto.aes256GcmSivEncrypt(a, b.subarray(0, 12), data),
      ),
  };
  const out: Record<string, unknown> = { ...candidate };
  for (const [name, check] of Object.entries(checks)) {
    if (!same(check)) out[name] = (nobleCrypto as unknown as Record<string, unknown>)[name];
  }
  return out as unknown as CryptoProvider;
}

let cached: CryptoProvider | null | undefined;

/**
 * The native provider, or `undefined` where the runtime has no `node:crypto` (browsers, most
 * edge runtimes). Created once and self-checked against {@linkcode nobleCrypto}.
 *
 * @example
 * ```ts
 * import { nativeCrypto, nobleCrypto } from "@nym/mixnet/crypto";
 * const provider = nativeCrypto() ?? nobleCrypto;
 * console.log(provider.name);
 * ```
 */
export function nativeCrypto(): CryptoProvider | undefined {
  if (cached === undefined) {
    const nc = loadNodeCrypto();
    cached = nc ? buildNative(nc) : null;
  }
  return cached ?? undefined;
}
