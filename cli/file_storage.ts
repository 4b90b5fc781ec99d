/**
 * A {@linkcode ClientStorage} on the native client's data directory. Our storage keys map onto
 * Nym's files:
 *
 * | storage key | file |
 * |---|---|
 * | `identity-secret-key` | `private_identity.pem` (ED25519 PRIVATE KEY) + `public_identity.pem` |
 * | `encryption-secret-key` | `private_encryption.pem` (X25519 PRIVATE KEY) + `public_encryption.pem` |
 * | `ack-key` | `ack_key.pem` (AES-128-CTR ACKNOWLEDGEMENTS KEY) |
 * | `gateway`, `gateway-shared-key/<hex>`, anything else | `gateways_registrations.json` |
 *
 * The key files are byte-compatible with Nym's (same PEM types, raw key bytes, mode 0600), so
 * `nym-client` can read the identity this client created and vice versa. Nym keeps gateway
 * registrations in an SQLite database (`gateways_registrations.sqlite`: tables
 * `registered_gateway`, `active_gateway`, `remote_gateway_details`); this pure-TypeScript client
 * keeps the same facts (active gateway, gateway id, derived AES-256-GCM-SIV key, registration
 * time) in a small JSON file beside it, named after the configured database with a `.json`
 * extension. A registration made by one program is therefore not seen by the other.
 *
 * @module
 */
import type { ClientStorage } from "../client/storage.ts";
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { constantTimeEqual, fromHex, toHex } from "../internal/bytes.ts";
import { fromBase58, fromBase64, toBase58, toBase64 } from "../internal/encoding.ts";
import type { ClientKeyPaths, NativeClientConfig } from "./config.ts";
import { decodePem, encodePem, PEM_TYPES } from "./pem.ts";

/** Why a stored file could not be used. */
export type StorageFileErrorKind = "pem" | "length" | "mismatch" | "format";

/**
 * A key or registration file that exists but cannot be used.
 *
 * @example
 * ```ts
 * import { StorageFileError } from "./file_storage.ts";
 * console.log(new StorageFileError("length", "/k.pem", "wrong length").kind); // "length"
 * ```
 */
export class StorageFileError extends Error {
  /** The category of the failure. */
  readonly kind: StorageFileErrorKind;
  /** The file at fault. */
  readonly file: string;

  /** Builds an error of `kind` about `file`. */
  constructor(kind: StorageFileErrorKind, file: string, message: string, options?: {
    cause?: unknown;
  }) {
    super(`${file}: ${message}`, options);
    this.name = "StorageFileError";
    this.kind = kind;
    this.file = file;
  }
}

/** Where {@linkcode FileClientStorage} keeps things. */
export interface FileStoragePaths extends ClientKeyPaths {
  /** The JSON file with the gateway registration (and any other key). */
  readonly registrationFile: string;
}

/** Options of {@linkcode FileClientStorage}. */
export interface FileClientStorageOptions {
  /** Derives the public key files (default: `defaultCrypto()`). */
  readonly crypto?: CryptoProvider;
  /** Time of registration records, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

interface RegisteredGateway {
  gateway_id_bs58: string;
  derived_aes256_gcm_siv_key_bs58: string;
  registration_timestamp: string;
}

interface RegistrationFile {
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
   * Storage on the files a config names; the registration JSON sits beside the configured
   * `gateway_registrations` database.
   *
   * @example
   * ```ts
   * import { FileClientStorage } from "./file_storage.ts";
   * import { newConfig } from "./config.ts";
   * const storage = FileClientStorage.fromConfig(newConfig("alice", "/data"));
   * console.log(storage.paths.registrationFile); // "/data/gateways_registrations.json"
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
      { ...config.storage_paths.keys, registrationFile: `${stem}.json` },
      options,
    );
  }

  /** The value under `key`, or `undefined`; throws {@linkcode StorageFileError} for bad files. */
  get(key: string): Promise<Uint8Array | undefined> {
    return this.#locked(async () => {
      const keyFile = this.#keys[key];
      if (keyFile) return await this.#readKey(keyFile);
      const file = await this.#readRegistrations();
      if (key === "gateway") {
        return file.active_gateway === null
          ? undefined
          : this.#decode58(file.active_gateway, "active_gateway");
      }
      if (key.startsWith(SHARED_KEY_PREFIX)) {
        const id = this.#gatewayName(key);
        const entry = file.registered_gateways.find((g) => g.gateway_id_bs58 === id);
        return entry
          ? this.#decode58(entry.derived_aes256_gcm_siv_key_bs58, "derived key")
          : undefined;
      }
      const value = file.other[key];
      if (value === undefined) return undefined;
      try {
        return fromBase64(value);
      } catch (cause) {
        throw new StorageFileError("format", this.paths.registrationFile, `bad value of ${key}`, {
          cause,
        });
      }
    });
  }

  /** Stores `value` under `key`. */
  set(key: string, value: Uint8Array): Promise<void> {
    return this.#locked(async () => {
      const keyFile = this.#keys[key];
      if (keyFile) return await this.#writeKey(keyFile, value);
      await this.#updateRegistrations((file) => {
        if (key === "gateway") {
          file.active_gateway = toBase58(value);
        } else if (key.startsWith(SHARED_KEY_PREFIX)) {
          const id = this.#gatewayName(key);
          const entry: RegisteredGateway = {
            gateway_id_bs58: id,
            derived_aes256_gcm_siv_key_bs58: toBase58(value),
            registration_timestamp: new Date(this.#now()).toISOString(),
          };
          const index = file.registered_gateways.findIndex((g) => g.gateway_id_bs58 === id);
          if (index < 0) file.registered_gateways.push(entry);
          else file.registered_gateways[index] = entry;
        } else {
          file.other[key] = toBase64(value);
        }
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
      await this.#updateRegistrations((file) => {
        if (key === "gateway") {
          file.active_gateway = null;
        } else if (key.startsWith(SHARED_KEY_PREFIX)) {
          const id = this.#gatewayName(key);
          file.registered_gateways = file.registered_gateways.filter((g) =>
            g.gateway_id_bs58 !== id
          );
        } else {
          delete file.other[key];
        }
      });
    });
  }

  /**
   * The active gateway (base58) and when this client registered with it; `undefined` until a
   * registration completed (a shared key is stored for the active gateway).
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
  registration(): Promise<{ gatewayId: string; registeredAt: string } | undefined> {
    return this.#locked(async () => {
      const file = await this.#readRegistrations();
      const entry = file.registered_gateways.find((g) => g.gateway_id_bs58 === file.active_gateway);
      return entry
        ? { gatewayId: entry.gateway_id_bs58, registeredAt: entry.registration_timestamp }
        : undefined;
    });
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

  #decode58(text: string, what: string): Uint8Array {
    try {
      return fromBase58(text);
    } catch (cause) {
      throw new StorageFileError(
        "format",
        this.paths.registrationFile,
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

  async #readRegistrations(): Promise<RegistrationFile> {
    const path = this.paths.registrationFile;
    const text = await readIfPresent(path);
    if (text === undefined) {
      return { format: FORMAT, active_gateway: null, registered_gateways: [], other: {} };
    }
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
      typeof json.other !== "object" || json.other === null ||
      !Object.values(json.other).every(isString)
    ) {
      throw new StorageFileError("format", path, `is not a ${FORMAT} file`);
    }
    return json as RegistrationFile;
  }

  async #updateRegistrations(change: (file: RegistrationFile) => void): Promise<void> {
    const file = await this.#readRegistrations();
    change(file);
    await writeAtomic(this.paths.registrationFile, JSON.stringify(file, null, 2) + "\n");
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
