/**
 * A {@linkcode ClientStorage} on the native client's data directory. Our storage keys map onto
 * Nym's files:
 *
 * | storage key | file |
 * |---|---|
 * | `identity-secret-key` | `private_identity.pem` (ED25519 PRIVATE KEY) + `public_identity.pem` |
 * | `encryption-secret-key` | `private_encryption.pem` (X25519 PRIVATE KEY) + `public_encryption.pem` |
 * | `ack-key` | `ack_key.pem` (AES-128-CTR ACKNOWLEDGEMENTS KEY) |
 * | `gateway`, `gateway-shared-key/<hex>` | `gateways_registrations.sqlite` (Nym's tables) |
 * | anything else | `gateways_registrations.sqlite`, table `nym_mixnet_ts_value` |
 *
 * The key files are byte-compatible with Nym's (same PEM types, raw key bytes, mode 0600) and
 * the registrations live in Nym's SQLite database with Nym's schema and migrations
 * (`common/client-core/gateways-storage`), so `nym-client` uses the identity and registration
 * this client created and vice versa. Registrations that earlier versions of this client kept in
 * `gateways_registrations.json` are moved into the database once (the file is then renamed
 * `gateways_registrations.json.migrated`).
 *
 * @module
 */
import type { ClientStorage } from "../client/storage.ts";
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { constantTimeEqual, fromHex, toHex } from "../internal/bytes.ts";
import { fromBase58, fromBase64, toBase58 } from "../internal/encoding.ts";
import type { DatabaseSync } from "node:sqlite";
import {
  activeGateway,
  deleteValue,
  getValue,
  openGatewaysDatabase,
  registration as registrationRow,
  removeRegistration,
  setActiveGateway,
  setValue,
  storeListener,
  storeRegistration,
  UNKNOWN_LISTENER,
} from "./_gateways_database.ts";
import type { ClientKeyPaths, NativeClientConfig } from "./config.ts";
import { decodePem, encodePem, PEM_TYPES } from "./pem.ts";
import { StorageFileError } from "./storage_file_error.ts";

export { StorageFileError, type StorageFileErrorKind } from "./storage_file_error.ts";

/** Where {@linkcode FileClientStorage} keeps things. */
export interface FileStoragePaths extends ClientKeyPaths {
  /** Nym's `gateways_registrations.sqlite` (and our other values). */
  readonly registrationDatabase: string;
  /** Where earlier versions kept registrations as JSON; moved into the database once. */
  readonly legacyRegistrationFile: string;
}

/** Options of {@linkcode FileClientStorage}. */
export interface FileClientStorageOptions {
  /** Derives the public key files (default: `defaultCrypto()`). */
  readonly crypto?: CryptoProvider;
  /** Time of registration records, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** One registration in the JSON file of earlier versions. */
export interface RegisteredGateway {
  gateway_id_bs58: string;
  derived_aes256_gcm_siv_key_bs58: string;
  registration_timestamp: string;
}

/** The JSON registrations file of earlier versions. */
export interface RegistrationFile {
  format: typeof FORMAT;
  active_gateway: string | null;
  registered_gateways: RegisteredGateway[];
  other: Record<string, string>;
}

const FORMAT = "nym-mixnet-ts/gateway-registrations/v1";
const SHARED_KEY_PREFIX = "gateway-shared-key/";

interface KeyFile {
  readonly privatePath: string;
  readonly privateType: string;
  readonly length: number;
  readonly publicPath?: string;
  readonly publicType?: string;
  readonly derive?: (secret: Uint8Array) => Uint8Array;
}

/**
 * The data directory of a native client as a {@linkcode ClientStorage}.
 *
 * @example
 * ```ts
 * import { FileClientStorage } from "./file_storage.ts";
 * import { newConfig } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * const storage = FileClientStorage.fromConfig(newConfig("alice", dir));
 * await storage.set("ack-key", new Uint8Array(16).fill(1));
 * console.log((await Deno.readTextFile(`${dir}/ack_key.pem`)).split("\r\n")[0]);
 * // "-----BEGIN AES-128-CTR ACKNOWLEDGEMENTS KEY-----"
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FileClientStorage implements ClientStorage {
  /** The files used. */
  readonly paths: FileStoragePaths;
  #keys: Record<string, KeyFile>;
  #now: () => number;
  #lock: Promise<unknown> = Promise.resolve();

  /** Storage on explicit file paths. */
  constructor(paths: FileStoragePaths, options: FileClientStorageOptions = {}) {
    this.paths = paths;
    const crypto = options.crypto ?? defaultCrypto();
    this.#now = options.now ?? Date.now;
    this.#keys = {
      "identity-secret-key": {
        privatePath: paths.private_identity_key_file,
        privateType: PEM_TYPES.ed25519PrivateKey,
        length: 32,
        publicPath: paths.public_identity_key_file,
        publicType: PEM_TYPES.ed25519PublicKey,
        derive: (secret) => crypto.ed25519PublicKey(secret),
      },
      "encryption-secret-key": {
        privatePath: paths.private_encryption_key_file,
        privateType: PEM_TYPES.x25519PrivateKey,
        length: 32,
        publicPath: paths.public_encryption_key_file,
        publicType: PEM_TYPES.x25519PublicKey,
        derive: (secret) => crypto.x25519PublicKey(secret),
      },
      "ack-key": {
        privatePath: paths.ack_key_file,
        privateType: PEM_TYPES.ackKey,
        length: 16,
      },
    };
  }

  /**
   * Storage on the files a config names; the JSON registrations of earlier versions are looked
   * for beside the configured `gateway_registrations` database.
   *
   * @example
   * ```ts
   * import { FileClientStorage } from "./file_storage.ts";
   * import { newConfig } from "./config.ts";
   * const storage = FileClientStorage.fromConfig(newConfig("alice", "/data"));
   * console.log(storage.paths.registrationDatabase); // "/data/gateways_registrations.sqlite"
   * ```
   */
  static fromConfig(
    config: NativeClientConfig,
    options: FileClientStorageOptions = {},
  ): FileClientStorage {
    const database = config.storage_paths.gateway_registrations;
    const slash = database.lastIndexOf("/");
    const dot = database.lastIndexOf(".");
    const stem = dot > slash + 1 ? database.slice(0, dot) : database;
    return new FileClientStorage(
      {
        ...config.storage_paths.keys,
        registrationDatabase: database,
        legacyRegistrationFile: `${stem}.json`,
      },
      options,
    );
  }

  /** The value under `key`, or `undefined`; throws {@linkcode StorageFileError} for bad files. */
  get(key: string): Promise<Uint8Array | undefined> {
    return this.#locked(async () => {
      const keyFile = this.#keys[key];
      if (keyFile) return await this.#readKey(keyFile);
      return await this.#withDatabase((db) => {
        if (key === "gateway") {
          const active = activeGateway(db);
          return active === undefined ? undefined : this.#decode58(active, "active gateway");
        }
        if (key.startsWith(SHARED_KEY_PREFIX)) {
          const row = registrationRow(db, this.#gatewayName(key));
          if (!row) return undefined;
          if (!(row.sharedKey instanceof Uint8Array)) {
            throw new StorageFileError(
              "format",
              this.paths.registrationDatabase,
              "derived_aes256_gcm_siv_key is not a BLOB",
            );
          }
          return row.sharedKey.slice();
        }
        const value = getValue(db, key);
        return value === undefined ? undefined : Uint8Array.from(value);
      }, { readOnly: true });
    });
  }

  /** Stores `value` under `key`. */
  set(key: string, value: Uint8Array): Promise<void> {
    return this.#locked(async () => {
      const keyFile = this.#keys[key];
      if (keyFile) return await this.#writeKey(keyFile, value);
      await this.#withDatabase((db) => {
        if (key === "gateway") setActiveGateway(db, toBase58(value));
        else if (key.startsWith(SHARED_KEY_PREFIX)) {
          storeRegistration(db, this.#gatewayName(key), value, new Date(this.#now()));
        } else setValue(db, key, value);
      });
    });
  }

  /** Removes `key`. */
  delete(key: string): Promise<void> {
    return this.#locked(async () => {
      const keyFile = this.#keys[key];
      if (keyFile) {
        await removeIfPresent(keyFile.privatePath);
        if (keyFile.publicPath) await removeIfPresent(keyFile.publicPath);
        return;
      }
      await this.#withDatabase((db) => {
        if (key === "gateway") setActiveGateway(db, null);
        else if (key.startsWith(SHARED_KEY_PREFIX)) removeRegistration(db, this.#gatewayName(key));
        else deleteValue(db, key);
      });
    });
  }

  /**
   * The active gateway (base58), when this client registered with it and where it listens (if
   * known); `undefined` until a registration completed (a shared key is stored for the active
   * gateway).
   *
   * @example
   * ```ts
   * import { FileClientStorage } from "./file_storage.ts";
   * import { newConfig } from "./config.ts";
   * const dir = await Deno.makeTempDir();
   * const storage = FileClientStorage.fromConfig(newConfig("alice", dir));
   * console.log(await storage.registration()); // undefined
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  registration(): Promise<
    { gatewayId: string; registeredAt: string; listener?: string } | undefined
  > {
    return this.#locked(() =>
      this.#withDatabase((db) => {
        const active = activeGateway(db);
        const row = active === undefined ? undefined : registrationRow(db, active);
        if (!row) return undefined;
        return {
          gatewayId: row.gatewayId,
          registeredAt: row.registeredAt,
          ...(row.listener !== UNKNOWN_LISTENER ? { listener: row.listener } : {}),
        };
      }, { readOnly: true })
    );
  }

  /**
   * Records where the registered gateway `gatewayId` (base58) listens, as Nym keeps it for its
   * own client (`gateway_listener`, `fallback_listener`, fresh for 7 days).
   *
   * @example
   * ```ts
   * import { FileClientStorage } from "./file_storage.ts";
   * import { newConfig } from "./config.ts";
   * const dir = await Deno.makeTempDir();
   * const storage = FileClientStorage.fromConfig(newConfig("alice", dir));
   * await storage.setGatewayListener("unknown", "ws://127.0.0.1:9000/"); // no registration: no-op
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  setGatewayListener(gatewayId: string, listener: string, fallback?: string): Promise<void> {
    return this.#locked(() =>
      this.#withDatabase((db) =>
        storeListener(db, gatewayId, listener, fallback ?? null, new Date(this.#now()))
      )
    );
  }

  /** Opens the database (migrating it, and the JSON of earlier versions once), runs `fn`. */
  async #withDatabase<T>(
    fn: (db: DatabaseSync) => T,
    options: { readOnly?: boolean } = {},
  ): Promise<T | undefined> {
    const path = this.paths.registrationDatabase;
    const legacy = await this.#readLegacy();
    const missing = !(await exists(path));
    // reading from a database that does not exist yet creates nothing
    if (missing && legacy === undefined && options.readOnly) return undefined;
    const created = legacy !== undefined || missing;
    if (missing) await Deno.mkdir(dirname(path), { recursive: true });
    const db = await openGatewaysDatabase(path);
    try {
      if (created && Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
      try {
        if (legacy) {
          importLegacy(
            db,
            legacy,
            (text, what) => this.#decode58(text, what, this.paths.legacyRegistrationFile),
          );
          await Deno.rename(
            this.paths.legacyRegistrationFile,
            `${this.paths.legacyRegistrationFile}.migrated`,
          );
        }
        return fn(db);
      } catch (cause) {
        if (cause instanceof StorageFileError) throw cause;
        throw new StorageFileError("format", path, (cause as Error).message, { cause });
      }
    } finally {
      db.close();
    }
  }

  async #readLegacy(): Promise<RegistrationFile | undefined> {
    const text = await readIfPresent(this.paths.legacyRegistrationFile);
    return text === undefined
      ? undefined
      : parseLegacyRegistrations(text, this.paths.legacyRegistrationFile);
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#lock.catch(() => {}).then(fn);
    this.#lock = result.catch(() => {});
    return result;
  }

  #gatewayName(key: string): string {
    const hex = key.slice(SHARED_KEY_PREFIX.length);
    return toBase58(fromHex(hex));
  }

  #decode58(text: string, what: string, file = this.paths.registrationDatabase): Uint8Array {
    try {
      return fromBase58(text);
    } catch (cause) {
      throw new StorageFileError(
        "format",
        file,
        `${what} is not base58`,
        { cause },
      );
    }
  }

  async #readKey(keyFile: KeyFile): Promise<Uint8Array | undefined> {
    const text = await readIfPresent(keyFile.privatePath);
    if (text === undefined) return undefined;
    const secret = this.#decodeKey(text, keyFile.privatePath, keyFile.privateType, keyFile.length);
    if (keyFile.publicPath && keyFile.publicType && keyFile.derive) {
      const publicText = await readIfPresent(keyFile.publicPath);
      if (publicText !== undefined) {
        const stored = this.#decodeKey(publicText, keyFile.publicPath, keyFile.publicType, 32);
        if (!constantTimeEqual(stored, keyFile.derive(secret))) {
          throw new StorageFileError(
            "mismatch",
            keyFile.publicPath,
            `does not hold the public key of ${keyFile.privatePath}`,
          );
        }
      }
    }
    return secret;
  }

  #decodeKey(text: string, path: string, type: string, length: number): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = decodePem(text, type);
    } catch (cause) {
      throw new StorageFileError("pem", path, (cause as Error).message, { cause });
    }
    if (bytes.length !== length) {
      throw new StorageFileError("length", path, `holds ${bytes.length} bytes, not ${length}`);
    }
    return bytes;
  }

  async #writeKey(keyFile: KeyFile, value: Uint8Array): Promise<void> {
    if (value.length !== keyFile.length) {
      throw new StorageFileError(
        "length",
        keyFile.privatePath,
        `a key of ${value.length} bytes, not ${keyFile.length}`,
      );
    }
    if (keyFile.publicPath && keyFile.publicType && keyFile.derive) {
      await writeAtomic(keyFile.publicPath, encodePem(keyFile.publicType, keyFile.derive(value)));
    }
    await writeAtomic(keyFile.privatePath, encodePem(keyFile.privateType, value));
  }
}

/**
 * Reads the JSON registrations of earlier versions; throws {@linkcode StorageFileError}.
 *
 * @example
 * ```ts
 * import { parseLegacyRegistrations } from "./file_storage.ts";
 * const text = '{"format":"nym-mixnet-ts/gateway-registrations/v1","active_gateway":null,' +
 *   '"registered_gateways":[],"other":{}}';
 * console.log(parseLegacyRegistrations(text, "r.json").active_gateway); // null
 * ```
 */
export function parseLegacyRegistrations(text: string, path: string): RegistrationFile {
  let json: Partial<RegistrationFile>;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new StorageFileError("format", path, "is not JSON", { cause });
  }
  const isString = (v: unknown) => typeof v === "string";
  const gateways = json?.registered_gateways;
  if (
    json?.format !== FORMAT ||
    !(json.active_gateway === null || isString(json.active_gateway)) ||
    !Array.isArray(gateways) ||
    !gateways.every((g) =>
      g && isString(g.gateway_id_bs58) && isString(g.derived_aes256_gcm_siv_key_bs58) &&
      isString(g.registration_timestamp)
    ) ||
    typeof json.other !== "object" || json.other === null || Array.isArray(json.other) ||
    !Object.values(json.other).every(isString)
  ) {
    throw new StorageFileError("format", path, `is not a ${FORMAT} file`);
  }
  return json as RegistrationFile;
}

function importLegacy(
  db: DatabaseSync,
  file: RegistrationFile,
  decode58: (text: string, what: string) => Uint8Array,
): void {
  for (const gateway of file.registered_gateways) {
    decode58(gateway.gateway_id_bs58, "gateway_id_bs58");
    const at = new Date(gateway.registration_timestamp);
    storeRegistration(
      db,
      gateway.gateway_id_bs58,
      decode58(gateway.derived_aes256_gcm_siv_key_bs58, "derived key"),
      Number.isNaN(at.getTime()) ? new Date() : at,
    );
  }
  if (file.active_gateway !== null) {
    decode58(file.active_gateway, "active_gateway");
    setActiveGateway(db, file.active_gateway);
  }
  for (const [key, value] of Object.entries(file.other)) {
    try {
      setValue(db, key, fromBase64(value));
    } catch (cause) {
      throw new StorageFileError("format", "gateways_registrations.json", `bad value of ${key}`, {
        cause,
      });
    }
  }
}

function dirname(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash > 0 ? path.slice(0, slash) : ".";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Writes through a temporary file and a rename, mode 0600, creating the directory. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true });
  const temporary = `${path}.${toHex(crypto.getRandomValues(new Uint8Array(6)))}.tmp`;
  try {
    await Deno.writeTextFile(temporary, text, { mode: 0o600 });
    await Deno.chmod(temporary, 0o600).catch(() => {}); // the umask may have narrowed `mode`
    await Deno.rename(temporary, path);
  } catch (error) {
    await removeIfPresent(temporary);
    throw error;
  }
}
