/**
 * What a gateway remembers about each registered client: the shared key from the registration
 * handshake, the timestamp of the last `authenticateV2` (replay protection) and the remaining
 * bandwidth. Keyed by the client's 32-byte Ed25519 identity.
 *
 * @module
 */
import { toHex } from "../../internal/bytes.ts";

/** One registered client. */
export interface StoredClient {
  /** The 32-byte AES-256-GCM-SIV shared key. */
  readonly sharedKey: Uint8Array;
  /** Unix seconds of the last successful `authenticateV2`, if any. */
  readonly lastAuthTimestamp?: number;
  /** Remaining bandwidth in bytes. */
  readonly bandwidth: number;
}

/** Fields {@linkcode ClientStore.update} can change. */
export interface StoredClientPatch {
  /** New last authentication timestamp. */
  readonly lastAuthTimestamp?: number;
  /** New remaining bandwidth. */
  readonly bandwidth?: number;
}

/** Persistence of registered clients. Every change is atomic per call. */
export interface ClientStore {
  /** The record of `identity`, or `undefined` if it never registered. */
  get(identity: Uint8Array): Promise<StoredClient | undefined>;
  /**
   * Stores a new shared key for `identity`. A new client starts with 0 bandwidth and no
   * timestamp; an existing one keeps both (as Nym's `insert_shared_keys`).
   */
  upsertSharedKey(identity: Uint8Array, sharedKey: Uint8Array): Promise<void>;
  /** Changes some fields of an existing record; does nothing for an unknown identity. */
  update(identity: Uint8Array, patch: StoredClientPatch): Promise<void>;
  /** Forgets `identity`. */
  delete(identity: Uint8Array): Promise<void>;
  /**
   * Whether `identity` is registered, answered at once (the gateway asks for every message it
   * is about to store). Without it, a gateway stores messages only for the clients that
   * registered or authenticated since it started.
   */
  has?(identity: Uint8Array): boolean;
  /** Finishes pending writes and releases resources. */
  close(): Promise<void>;
}

/**
 * A {@linkcode ClientStore} in memory; also the base of the JSON-file store.
 *
 * @example
 * ```ts
 * import { MemoryClientStore } from "./mod.ts";
 * const store = new MemoryClientStore();
 * const identity = new Uint8Array(32);
 * await store.upsertSharedKey(identity, new Uint8Array(32));
 * await store.update(identity, { bandwidth: 1024 });
 * console.log((await store.get(identity))?.bandwidth); // 1024
 * ```
 */
export class MemoryClientStore implements ClientStore {
  /** Records by lower-case hex identity. */
  protected readonly records: Map<string, StoredClient> = new Map();

  /** The record of `identity`, or `undefined`. */
  get(identity: Uint8Array): Promise<StoredClient | undefined> {
    const record = this.records.get(toHex(identity));
    return Promise.resolve(record && { ...record, sharedKey: new Uint8Array(record.sharedKey) });
  }

  /** Whether `identity` is registered. */
  has(identity: Uint8Array): boolean {
    return this.records.has(toHex(identity));
  }

  /** Stores a new shared key, keeping an existing record's bandwidth and timestamp. */
  upsertSharedKey(identity: Uint8Array, sharedKey: Uint8Array): Promise<void> {
    const id = toHex(identity);
    const old = this.records.get(id);
    this.records.set(id, {
      sharedKey: new Uint8Array(sharedKey),
      lastAuthTimestamp: old?.lastAuthTimestamp,
      bandwidth: old?.bandwidth ?? 0,
    });
    return this.changed();
  }

  /** Changes some fields of an existing record. */
  update(identity: Uint8Array, patch: StoredClientPatch): Promise<void> {
    const id = toHex(identity);
    const old = this.records.get(id);
    if (!old) return Promise.resolve();
    this.records.set(id, {
      sharedKey: old.sharedKey,
      lastAuthTimestamp: patch.lastAuthTimestamp ?? old.lastAuthTimestamp,
      bandwidth: patch.bandwidth ?? old.bandwidth,
    });
    return this.changed();
  }

  /** Forgets `identity`. */
  delete(identity: Uint8Array): Promise<void> {
    this.records.delete(toHex(identity));
    return this.changed();
  }

  /** Nothing to release in memory. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Called after every change; subclasses persist here. */
  protected changed(): Promise<void> {
    return Promise.resolve();
  }
}
