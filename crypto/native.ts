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

// The subset of `node:crypto` used here, typed locally so no Node type package is needed.
interface KeyObject {
  export(options: { format: "der"; type: "spki" | "pkcs8" }): Uint8Array;
}
interface Cipher {
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}
interface Hmac {
  update(data: Uint8Array): Hmac;
  digest(): Uint8Array;
}
interface NodeCrypto {
  createPrivateKey(options: { key: Uint8Array; format: "der"; type: "pkcs8" }): KeyObject;
  createPublicKey(options: { key: Uint8Array; format: "der"; type: "spki" } | KeyObject): KeyObject;
  diffieHellman(options: { privateKey: KeyObject; publicKey: KeyObject }): Uint8Array;
  createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array): Cipher;
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

function withPrefix(prefix: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
}

function asBytes(value: Uint8Array | ArrayBuffer): Uint8Array {
  // Node returns Buffers; hand out plain Uint8Arrays so callers see no surprise prototypes.
  return value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
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

function buildNative(nc: NodeCrypto): CryptoProvider {
  // Private KeyObjects are cached: a node or a client uses the same secret for many operations.
  const privateKeys = new Map<string, KeyObject>();
  const privateKey = (secretKey: Uint8Array): KeyObject => {
    if (secretKey.length !== 32) {
      throw new CryptoError(`x25519 secret key must be 32 bytes, got ${secretKey.length}`);
    }
    const id = String.fromCharCode(...secretKey);
    let key = privateKeys.get(id);
    if (!key) {
      key = nc.createPrivateKey({
        key: withPrefix(X25519_PKCS8_PREFIX, secretKey),
        format: "der",
        type: "pkcs8",
      });
      if (privateKeys.size >= 64) privateKeys.delete(privateKeys.keys().next().value!);
      privateKeys.set(id, key);
    }
    return key;
  };

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
        const pub = nc.createPublicKey({
          key: withPrefix(X25519_SPKI_PREFIX, publicKey),
          format: "der",
          type: "spki",
        });
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
      const spki = nc.createPublicKey(privateKey(secretKey)).export({
        format: "der",
        type: "spki",
      });
      return asBytes(spki).slice(-32);
    },
    hkdfSha256(ikm, salt, info, length) {
      return asBytes(nc.hkdfSync("sha256", ikm, salt, info, length));
    },
    hmacSha256(key, message) {
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
    chacha20(key, data) {
      if (key.length !== 32) throw new CryptoError("chacha20 key must be 32 bytes");
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
    hmacSha256: (p) => p.hmacSha256(a.subarray(0, 16), data),
    aes128Ctr: (p) => p.aes128Ctr(a.subarray(0, 16), b.subarray(0, 16), data, 128),
    chacha20: (p) => p.chacha20(a, data),
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
