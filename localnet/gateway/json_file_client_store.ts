/**
 * A {@linkcode ClientStore} persisted under a data directory, so registrations survive a gateway
 * restart: a JSON snapshot plus an append-only log of changes. A change appends one short line to
 * the log (O(1), whatever the number of clients; lines written together are coalesced into one
 * append); the snapshot is rewritten (temporary file, then rename) only when the log has grown
 * past twice the number of clients (at least {@linkcode CLIENT_LOG_COMPACT_LINES} lines), on open
 * and on close, so the amortised cost of a change stays O(1).
 *
 * Snapshot (`gateway_clients.json`):
 * ```json
 * { "version": 1, "clients": { "<identity bs58>": {
 *     "shared_key": "<bs58>", "last_auth_timestamp": 1747390000, "bandwidth": 68719476736 } } }
 * ```
 * Log (`gateway_clients.json.log`), one JSON object a line: the whole record of a changed client
 * (`{"id": "<bs58>", "shared_key": …, "last_auth_timestamp": …, "bandwidth": …}`) or
 * `{"id": "<bs58>", "deleted": true}`. A torn last line (a crash in the middle of an append) is
 * ignored; any other malformed line makes {@linkcode JsonFileClientStore.open} throw.
 *
 * @module
 */
import { fromHex, toHex } from "../../internal/bytes.ts";
import { fromBase58, toBase58 } from "../../internal/encoding.ts";
import { MemoryClientStore, type StoredClient, type StoredClientPatch } from "./client_store.ts";
import { clampBandwidth } from "./bandwidth.ts";

/** The file name used inside the data directory. */
export const CLIENT_STORE_FILE_NAME = "gateway_clients.json";

/**
 * Log lines always tolerated before the snapshot is rewritten (more with many clients: up to
 * twice their number).
 *
 * @example
 * ```ts
 * import { CLIENT_LOG_COMPACT_LINES } from "./json_file_client_store.ts";
 * console.log(CLIENT_LOG_COMPACT_LINES); // 1024
 * ```
 */
export const CLIENT_LOG_COMPACT_LINES = 1024;

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
  const bandwidth = clampBandwidth(v?.bandwidth);
  if (
    !key || key.length !== 32 || bandwidth === undefined ||
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
 * The JSON-file client store (snapshot + append log).
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
  readonly #logPath: string;
  #lines: string[] = [];
  #logLines = 0;
  #writer: Promise<void> | undefined;
  #snapshotWrites = 0;

  private constructor(path: string) {
    super();
    this.#path = path;
    this.#logPath = `${path}.log`;
  }

  /** Where the snapshot lives (the log is beside it, with `.log` appended). */
  get path(): string {
    return this.#path;
  }

  /** How many times the whole snapshot was written since open (for tests and benchmarks). */
  get snapshotWrites(): number {
    return this.#snapshotWrites;
  }

  /**
   * Opens (creating the directory if needed) the store in `dataDir`, replays the log over the
   * snapshot and compacts them. Throws {@linkcode ClientStoreError} if either is malformed.
   */
  static async open(dataDir: string): Promise<JsonFileClientStore> {
    await Deno.mkdir(dataDir, { recursive: true });
    const store = new JsonFileClientStore(`${dataDir}/${CLIENT_STORE_FILE_NAME}`);
    const text = await readIfExists(store.#path);
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
        store.records.set(toHex(parseIdentity(id)), parseRecord(id, value));
      }
    }
    const log = await readIfExists(store.#logPath);
    if (log !== undefined) {
      const lines = log.split("\n");
      for (let i = 0; i < lines.length; i++) {
        if (lines[i] === "") continue;
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(lines[i]);
        } catch (cause) {
          if (i === lines.length - 1) break; // a torn last append (no newline after it)
          throw new ClientStoreError(`${store.#logPath}: line ${i + 1} is not JSON`, { cause });
        }
        const id = typeof entry?.id === "string" ? entry.id : "";
        const key = toHex(parseIdentity(id));
        if (entry.deleted === true) store.records.delete(key);
        else store.records.set(key, parseRecord(id, entry));
      }
    }
    if (log !== undefined) await store.#compact();
    return store;
  }

  /** Waits for pending writes, then folds the log into the snapshot. */
  override async close(): Promise<void> {
    while (this.#writer ?? this.#lines.length > 0) await this.#flush();
    if (this.#logLines > 0) await this.#compact();
  }

  /** Stores the key and appends the client's record to the log. */
  override upsertSharedKey(identity: Uint8Array, sharedKey: Uint8Array): Promise<void> {
    void super.upsertSharedKey(identity, sharedKey); // changes the record synchronously
    return this.#append(identity);
  }

  /** Changes the record and appends it to the log (nothing for an unknown client). */
  override update(identity: Uint8Array, patch: StoredClientPatch): Promise<void> {
    if (!this.records.has(toHex(identity))) return Promise.resolve();
    void super.update(identity, patch); // changes the record synchronously
    return this.#append(identity);
  }

  /** Forgets the client and appends a deletion to the log. */
  override delete(identity: Uint8Array): Promise<void> {
    void super.delete(identity); // changes the record synchronously
    return this.#append(identity);
  }

  #append(identity: Uint8Array): Promise<void> {
    const id = toBase58(identity);
    const record = this.records.get(toHex(identity));
    this.#lines.push(
      JSON.stringify(record ? { id, ...encodeRecord(record) } : { id, deleted: true }),
    );
    return this.#flush();
  }

  /** Appends every queued line: one write at a time, each taking all lines queued so far. */
  #flush(): Promise<void> {
    this.#writer ??= (async () => {
      try {
        while (this.#lines.length > 0) {
          const lines = this.#lines;
          this.#lines = [];
          await Deno.writeTextFile(this.#logPath, lines.join("\n") + "\n", { append: true });
          this.#logLines += lines.length;
          if (this.#logLines > Math.max(CLIENT_LOG_COMPACT_LINES, 2 * this.records.size)) {
            await this.#compact();
          }
        }
      } finally {
        this.#writer = undefined;
      }
    })();
    return this.#writer;
  }

  /** Writes the snapshot of every record, then drops the log it now contains. */
  async #compact(): Promise<void> {
    const clients: Record<string, unknown> = {};
    for (const [id, record] of this.records) {
      clients[toBase58(fromHex(id))] = encodeRecord(record);
    }
    const temporary = `${this.#path}.tmp`;
    await Deno.writeTextFile(temporary, JSON.stringify({ version: 1, clients }, null, 1));
    await Deno.rename(temporary, this.#path);
    await Deno.remove(this.#logPath).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    this.#logLines = 0;
    this.#snapshotWrites++;
  }
}

function encodeRecord(record: StoredClient): Record<string, unknown> {
  return {
    shared_key: toBase58(record.sharedKey),
    last_auth_timestamp: record.lastAuthTimestamp ?? null,
    bandwidth: record.bandwidth,
  };
}

function parseIdentity(id: string): Uint8Array {
  let identity: Uint8Array;
  try {
    identity = fromBase58(id);
  } catch (cause) {
    throw new ClientStoreError(`malformed client identity ${id}`, { cause });
  }
  if (identity.length !== 32) throw new ClientStoreError(`malformed client identity ${id}`);
  return identity;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}
