/**
 * Where a client keeps what must survive a restart: its keys and its gateway registration.
 *
 * @module
 */
import type { GatewayKeyStorage } from "../gateway/mod.ts";
import { toHex } from "../internal/bytes.ts";

/** A small byte-valued key-value store; inject a persistent one to keep your address. */
export interface ClientStorage {
  /** The value under `key`, or `undefined`. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
}

/**
 * Storage in memory: the default, so every `connect()` gets a fresh, unlinkable identity.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "@nym/mixnet";
 * const storage = new MemoryStorage();
 * await storage.set("k", new Uint8Array([1]));
 * console.log(await storage.get("k")); // Uint8Array(1) [ 1 ]
 * ```
 */
export class MemoryStorage implements ClientStorage {
  #values = new Map<string, Uint8Array>();

  /** The value under `key`, or `undefined`. */
  get(key: string): Promise<Uint8Array | undefined> {
    const value = this.#values.get(key);
    return Promise.resolve(value && value.slice());
  }

  /** Stores `value` under `key`. */
  set(key: string, value: Uint8Array): Promise<void> {
    this.#values.set(key, value.slice());
    return Promise.resolve();
  }

  /** Removes `key`. */
  delete(key: string): Promise<void> {
    this.#values.delete(key);
    return Promise.resolve();
  }
}

/** Gateway shared keys kept in a {@linkcode ClientStorage}. */
export function gatewayKeysIn(storage: ClientStorage): GatewayKeyStorage {
  const name = (gateway: Uint8Array) => `gateway-shared-key/${toHex(gateway)}`;
  return {
    loadSharedKey: (gateway) => storage.get(name(gateway)),
    storeSharedKey: (gateway, key) => storage.set(name(gateway), key),
    removeSharedKey: (gateway) => storage.delete(name(gateway)),
  };
}
