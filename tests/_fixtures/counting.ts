// Test doubles that count: a crypto provider counting its X25519 shared secrets, and a promise
// with its resolver outside.
import type { CryptoProvider } from "../../crypto/mod.ts";

/** `inner` with a counter of `x25519` calls (shared secrets; public keys are not counted). */
export function countingCrypto(inner: CryptoProvider): CryptoProvider & { x25519Calls: number } {
  const counted = { ...inner, x25519Calls: 0 };
  counted.x25519 = (secret, pub) => {
    counted.x25519Calls++;
    return inner.x25519(secret, pub);
  };
  return counted;
}

/** `Promise.withResolvers`, which Node 20 lacks (the shared test files run there too). */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => resolve = r);
  return { promise, resolve };
}
