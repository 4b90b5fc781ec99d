// Schema migrations recorded the way Nym's clients record them (sqlx's `_sqlx_migrations`
// table: version, description, installed_on, success, checksum = SHA-384 of the migration file,
// execution_time), so a database we create or upgrade is seen by a native nym-client as fully
// migrated, and one it created opens here. Our SQL reproduces each of Nym's migrations; the
// checksums are those of Nym's files (nymtech/nym @ daed9cd1, listed where the migrations are
// defined).
import type { DatabaseSync } from "node:sqlite";
import { fromHex } from "../internal/bytes.ts";
import { StorageFileError } from "./storage_file_error.ts";

/** One migration: Nym's version, description and file checksum, and equivalent SQL. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  /** SHA-384 of Nym's migration file, hex. */
  readonly checksum: string;
  readonly sql: string;
}

/** Opens `path` with foreign keys off (schema changes and an active gateway set first). */
export async function openDatabase(path: string): Promise<DatabaseSync> {
  const { DatabaseSync } = await import("node:sqlite");
  try {
    const db = new DatabaseSync(path, { enableForeignKeyConstraints: false });
    db.exec("PRAGMA busy_timeout = 5000");
    return db;
  } catch (cause) {
    throw new StorageFileError("format", path, `cannot open: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * Applies the migrations `db` lacks, in order, each in a transaction, recording them as sqlx
 * does. Refuses a database with a migration we do not know (made by a newer Nym) or whose
 * checksum differs from Nym's file.
 */
export function migrate(db: DatabaseSync, path: string, migrations: readonly Migration[]): void {
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS _sqlx_migrations (
      version BIGINT PRIMARY KEY,
      description TEXT NOT NULL,
      installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
      success BOOLEAN NOT NULL,
      checksum BLOB NOT NULL,
      execution_time BIGINT NOT NULL
    )`);
  } catch (cause) {
    throw new StorageFileError("format", path, `not an SQLite database: ${cause}`, { cause });
  }
  const applied = db.prepare("SELECT version, checksum, success FROM _sqlx_migrations").all() as {
    version: number | bigint;
    checksum: Uint8Array;
    success: number | bigint;
  }[];
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = known.get(Number(row.version));
    if (!migration) {
      throw new StorageFileError(
        "format",
        path,
        `has migration ${row.version}, unknown here (made by a newer nym-client?)`,
      );
    }
    if (Number(row.success) !== 1) {
      throw new StorageFileError("format", path, `migration ${row.version} did not complete`);
    }
    const expected = fromHex(migration.checksum);
    const stored = row.checksum instanceof Uint8Array ? row.checksum : new Uint8Array(0);
    if (stored.length !== expected.length || stored.some((b, i) => b !== expected[i])) {
      throw new StorageFileError("format", path, `migration ${row.version} has another checksum`);
    }
  }
  const done = new Set(applied.map((row) => Number(row.version)));
  const record = db.prepare(
    "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) " +
      "VALUES (?, ?, 1, ?, ?)",
  );
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const started = performance.now();
    db.exec("BEGIN");
    try {
      db.exec(migration.sql);
      const nanos = BigInt(Math.round((performance.now() - started) * 1e6));
      record.run(migration.version, migration.description, fromHex(migration.checksum), nanos);
      db.exec("COMMIT");
    } catch (cause) {
      db.exec("ROLLBACK");
      throw new StorageFileError(
        "format",
        path,
        `migration ${migration.version} failed: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
}

/** Names of the tables in `db` (ours and Nym's), sorted. */
export function tableNames(db: DatabaseSync): string[] {
  return (db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all() as { name: string }[]).map((row) => row.name);
}
