/**
 * A {@linkcode ClientStore} persisted as one JSON file under a data directory, so registrations
 * survive a gateway restart. Writes are coalesced and atomic (temporary file, then rename).
 *
 * ```json
 * { "version": 1, "clients": { "<identity bs58>": {
 *     "shared_key": "<bs58>", "last_auth_timestamp": 1747390000, "bandwidth": 68719476736 } } }
 * ```
 *
 * @module
 */
import { fromHex, toHex } from "../../internal/bytes.ts";
import { fromBase58, toBase58 } from "../../internal/encoding.ts";
import { MemoryClientStore, type StoredClient } from "./client_store.ts";

/** The file name used inside the data directory. */
export const CLIENT_STORE_FILE_NAME = "gateway_clients.json";

/** Thrown when the store file exists but cannot be read as a client store. */
export class ClientStoreError extends Error {
  /** Always `"malformed"`: the file is not a version 1 client store. */
  readonly kind: "malformed" = "malformed";

  /** Builds an error with a human-readable reason. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClientStoreError";
  }
}

function parseRecord(id: string, value: unknown): StoredClient {
  const v = value as Record<string, unknown> | null;
  let key: Uint8Array | undefined;
  try {
    key = typeof v?.shared_key === "string" ? fromBase58(v.shared_key) : undefined;
  } catch (cause) {
    throw new ClientStoreError(`malformed shared key for client ${id}`, { cause });
  }
  const ts = v?.last_auth_timestamp;
  const bandwidth = v?.bandwidth;
  if (
    !key || key.length !== 32 || !Number.isSafeInteger(bandwidth) ||
    !(ts === null || ts === undefined || Number.isSafeInteger(ts))
  ) {
    throw new ClientStoreError(`malformed record for client ${id}`);
  }
  return {
    sharedKey: key,
    lastAuthTimestamp: (ts as number | null) ?? undefined,
    bandwidth: bandwidth as number,
  };
}

/**
 * The JSON-file client store.
 *
 * @example
 * ```ts
 * import { JsonFileClientStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = await JsonFileClientStore.open(dir);
 * await store.upsertSharedKey(new Uint8Array(32), new Uint8Array(32).fill(1));
 * await store.close();
 * const reopened = await JsonFileClientStore.open(dir);
 * console.log((await reopened.get(new Uint8Array(32)))?.sharedKey[0]); // 1
 * await reopened.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class JsonFileClientStore extends MemoryClientStore {
  readonly #path: string;
  #pending: Promise<void> | undefined;
  #running: Promise<void> | undefined;

  private constructor(path: string) {
    super();
    this.#path = path;
  }

  /** Where the file lives. */
  get path(): string {
    return this.#path;
  }

  /**
   * Opens (creating the directory if needed) the store in `dataDir`. Throws
   * {@linkcode ClientStoreError} if the file exists but is malformed.
   */
  static async open(dataDir: string): Promise<JsonFileClientStore> {
    await Deno.mkdir(dataDir, { recursive: true });
    const store = new JsonFileClientStore(`${dataDir}/${CLIENT_STORE_FILE_NAME}`);
    let text: string | undefined;
    try {
      text = await Deno.readTextFile(store.#path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (text !== undefined) {
      let doc: { version?: unknown; clients?: unknown };
      try {
        doc = JSON.parse(text);
      } catch (cause) {
        throw new ClientStoreError(`${store.#path} is not JSON`, { cause });
      }
      if (doc?.version !== 1 || typeof doc.clients !== "object" || doc.clients === null) {
        throw new ClientStoreError(`${store.#path} is not a version 1 client store`);
      }
      for (const [id, value] of Object.entries(doc.clients)) {
        let identity: Uint8Array;
        try {
          identity = fromBase58(id);
        } catch (cause) {
          throw new ClientStoreError(`malformed client identity ${id}`, { cause });
        }
        if (identity.length !== 32) throw new ClientStoreError(`malformed client identity ${id}`);
        store.records.set(toHex(identity), parseRecord(id, value));
      }
    }
    return store;
  }

  /** Waits for pending writes. */
  override async close(): Promise<void> {
    while (this.#pending ?? this.#running) await (this.#pending ?? this.#running);
  }

  /** Persists the change: at most one write runs and one more is queued behind it. */
  protected override changed(): Promise<void> {
    if (this.#pending) return this.#pending;
    const after = this.#running ?? Promise.resolve();
    const write: Promise<void> = after.catch(() => {}).then(() => {
      this.#pending = undefined;
      this.#running = write;
      return this.#write();
    }).finally(() => {
      if (this.#running === write) this.#running = undefined;
    });
    this.#pending = write;
    return write;
  }

  async #write(): Promise<void> {
    const clients: Record<string, unknown> = {};
    for (const [id, record] of this.records) {
      clients[toBase58(fromHex(id))] = {
        shared_key: toBase58(record.sharedKey),
        last_auth_timestamp: record.lastAuthTimestamp ?? null,
        bandwidth: record.bandwidth,
      };
    }
    const temporary = `${this.#path}.tmp`;
    await Deno.writeTextFile(temporary, JSON.stringify({ version: 1, clients }, null, 1));
    await Deno.rename(temporary, this.#path);
  }
}
