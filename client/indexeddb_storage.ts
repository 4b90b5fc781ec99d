/**
 * A {@linkcode ClientStorage} on IndexedDB, for browsers: keeps the client's keys and gateway
 * registration, so the same address survives a page reload.
 *
 * @module
 */
import type { ClientStorage } from "./storage.ts";

const STORE = "kv";

// The subset of IndexedDB used here, typed locally: Deno's type libraries do not include the DOM.

/** An IndexedDB request (the subset used here). */
export interface IdbRequest<T> {
  /** The result, once `onsuccess` fired. */
  readonly result: T;
  /** The error, once `onerror` fired. */
  readonly error: unknown;
  /** Called on success. */
  onsuccess: (() => void) | null;
  /** Called on failure. */
  onerror: (() => void) | null;
}

/** An IndexedDB open request (the subset used here). */
export interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  /** Called when the database must be created or upgraded. */
  onupgradeneeded: (() => void) | null;
}

/** An IndexedDB object store (the subset used here). */
export interface IdbObjectStore {
  /** Reads the value under `key`. */
  get(key: string): IdbRequest<unknown>;
  /** Writes `value` under `key`. */
  put(value: Uint8Array, key: string): IdbRequest<unknown>;
  /** Removes `key`. */
  delete(key: string): IdbRequest<unknown>;
}

/** An IndexedDB database (the subset used here). */
export interface IdbDatabase {
  /** Starts a transaction over `store`. */
  transaction(store: string, mode?: "readonly" | "readwrite"): {
    /** The transaction's object store. */
    objectStore(name: string): IdbObjectStore;
  };
  /** Creates an object store (during an upgrade). */
  createObjectStore(name: string): unknown;
  /** Closes the connection. */
  close(): void;
}

/** The part of the browser's `IDBFactory` (`indexedDB`) this storage needs. */
export interface IdbFactoryLike {
  /** Opens a database at a version. */
  open(name: string, version: number): IdbOpenRequest;
}

function request<T>(req: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Client storage in an IndexedDB database (one object store of byte values).
 *
 * @example
 * ```ts ignore
 * import { connect, IndexedDbStorage } from "@nym/mixnet";
 * const storage = await IndexedDbStorage.open("my-app-nym-client");
 * const client = await connect({ storage }); // the same address on every visit
 * ```
 */
export class IndexedDbStorage implements ClientStorage {
  #db: IdbDatabase;

  private constructor(db: IdbDatabase) {
    this.#db = db;
  }

  /** Opens (creating if needed) the database `name` through `factory` (`indexedDB` by default). */
  static async open(
    name: string,
    factory: IdbFactoryLike | undefined = (globalThis as { indexedDB?: IdbFactoryLike }).indexedDB,
  ): Promise<IndexedDbStorage> {
    if (!factory) throw new TypeError("IndexedDB is not available in this runtime");
    const req = factory.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    return new IndexedDbStorage(await request(req));
  }

  /** The value under `key`, or `undefined`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await request(this.#db.transaction(STORE).objectStore(STORE).get(key));
    return value instanceof Uint8Array ? value.slice() : undefined;
  }

  /** Stores `value` under `key`. */
  async set(key: string, value: Uint8Array): Promise<void> {
    const tx = this.#db.transaction(STORE, "readwrite");
    await request(tx.objectStore(STORE).put(value.slice(), key));
  }

  /** Removes `key`. */
  async delete(key: string): Promise<void> {
    const tx = this.#db.transaction(STORE, "readwrite");
    await request(tx.objectStore(STORE).delete(key));
  }

  /** Closes the database connection. */
  close(): void {
    this.#db.close();
  }
}
