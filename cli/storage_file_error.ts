/**
 * Errors of the client's files (keys, registrations, reply store).
 *
 * @module
 */

/** Why a stored file could not be used. */
export type StorageFileErrorKind = "pem" | "length" | "mismatch" | "format";

/**
 * A key file or database that exists but cannot be used.
 *
 * @example
 * ```ts
 * import { StorageFileError } from "./storage_file_error.ts";
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
