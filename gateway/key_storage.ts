/**
 * Where a client keeps the shared key of each gateway it registered with, so that the next
 * connection authenticates (`authenticateV2`) instead of registering again.
 *
 * @module
 */
import { toHex } from "../internal/bytes.ts";

/** Persistent storage of gateway shared keys, keyed by the gateway's Ed25519 identity. */
export interface GatewayKeyStorage {
  /** The shared key stored for `gatewayIdentity`, or `undefined`. */
  loadSharedKey(gatewayIdentity: Uint8Array): Promise<Uint8Array | undefined>;
  /** Stores (or replaces) the shared key for `gatewayIdentity`. */
  storeSharedKey(gatewayIdentity: Uint8Array, sharedKey: Uint8Array): Promise<void>;
  /** Forgets the shared key for `gatewayIdentity`. */
  removeSharedKey(gatewayIdentity: Uint8Array): Promise<void>;
}

/**
 * An in-memory {@linkcode GatewayKeyStorage}; keys live as long as the object.
 *
 * @example
 * ```ts
 * import { MemoryGatewayKeyStorage } from "./mod.ts";
 * const storage = new MemoryGatewayKeyStorage();
 * await storage.storeSharedKey(new Uint8Array(32), new Uint8Array(32).fill(7));
 * console.log((await storage.loadSharedKey(new Uint8Array(32)))?.[0]); // 7
 * ```
 */
export class MemoryGatewayKeyStorage implements GatewayKeyStorage {
  #keys = new Map<string, Uint8Array>();

  /** The shared key stored for `gatewayIdentity`, or `undefined`. */
  loadSharedKey(gatewayIdentity: Uint8Array): Promise<Uint8Array | undefined> {
    const key = this.#keys.get(toHex(gatewayIdentity));
    return Promise.resolve(key && new Uint8Array(key));
  }

  /** Stores (or replaces) the shared key for `gatewayIdentity`. */
  storeSharedKey(gatewayIdentity: Uint8Array, sharedKey: Uint8Array): Promise<void> {
    this.#keys.set(toHex(gatewayIdentity), new Uint8Array(sharedKey));
    return Promise.resolve();
  }

  /** Forgets the shared key for `gatewayIdentity`. */
  removeSharedKey(gatewayIdentity: Uint8Array): Promise<void> {
    this.#keys.delete(toHex(gatewayIdentity));
    return Promise.resolve();
  }
}
