/**
 * Nym's `persistent_reply_store.sqlite` (`common/client-core/surb-storage`) as a
 * {@linkcode ReplyPersistence}: reply SURBs received from anonymous senders (by sender tag) and
 * the keys of the SURBs we handed out, in Nym's schema and with Nym's migrations
 * (`fs_surbs_migrations/*`, recorded as sqlx records them).
 *
 * Final layout (after `20250702120000_remove_sender_tag`):
 * - `status(flush_in_progress, previous_flush TIMESTAMP, client_in_use)`, one row;
 * - `reply_surb_storage_metadata(min_reply_surb_threshold, max_reply_surb_threshold)`;
 * - `reply_key(key_digest BLOB UNIQUE, reply_key BLOB UNIQUE, sent_at TIMESTAMP)`;
 * - `reply_surb_sender(id INTEGER PK AUTOINCREMENT, last_sent TIMESTAMP, tag BLOB UNIQUE)`;
 * - `reply_surb(reply_surb_sender_id → reply_surb_sender.id, reply_surb BLOB = key ‖ SURB,
 *   encoded_key_rotation TINYINT)`.
 *
 * The protocol around it is Nym's (`surb-storage/src/backend/fs_backend/mod.rs`): loading marks
 * the store in use; saving (at shutdown) sets `flush_in_progress`, rewrites the data, stamps
 * `previous_flush` and clears both flags. A store left in use or mid-flush (a crash), or never
 * flushed, is not trusted: it starts empty, as Nym starts a fresh one. Reply keys older than
 * 24 hours and SURBs from senders not heard from in 24 hours are dropped at load.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { ReplyPersistence, ReplySnapshot } from "../client/reply_persistence.ts";
import type { ReplySurbBytes } from "../message/mod.ts";
import { migrate, type Migration, openDatabase } from "./_sqlx_migrations.ts";
import { StorageFileError } from "./storage_file_error.ts";

/** Nym's reply-store migrations, as our SQL, with the checksums of Nym's files. */
export const REPLY_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 20221130120000,
    description: "create initial tables",
    checksum:
      "96f2fb6a7d89d75b814bc6be813a9d2e661c3b78e334c6f4d2af338d023d661a45bc264ee87bb94ab8591553ac61fefd",
    sql: `
      CREATE TABLE status (
        flush_in_progress INTEGER NOT NULL,
        previous_flush_timestamp INTEGER NOT NULL,
        client_in_use INTEGER NOT NULL
      );
      CREATE TABLE reply_surb_storage_metadata (
        min_reply_surb_threshold INTEGER NOT NULL,
        max_reply_surb_threshold INTEGER NOT NULL
      );
      CREATE TABLE sender_tag (
        recipient BLOB NOT NULL UNIQUE,
        tag BLOB NOT NULL UNIQUE
      );
      CREATE TABLE reply_key (
        key_digest BLOB NOT NULL UNIQUE,
        reply_key BLOB NOT NULL UNIQUE,
        sent_at_timestamp INTEGER NOT NULL
      );
      CREATE TABLE reply_surb_sender (
        id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        last_sent_timestamp INTEGER NOT NULL,
        tag BLOB NOT NULL UNIQUE
      );
      CREATE TABLE reply_surb (
        reply_surb_sender_id INTEGER NOT NULL,
        reply_surb BLOB NOT NULL,
        FOREIGN KEY (reply_surb_sender_id) REFERENCES reply_surb_sender (id)
      );`,
  },
  {
    version: 20250425120000,
    description: "add surb key rotation",
    checksum:
      "732c5df06f118a96f0f353a7533fd184761c2a6a7eafa7dc6f3a0a73bbe727070ee1779c7600ec1653c4c969f09d3a35",
    sql: `ALTER TABLE reply_surb ADD COLUMN encoded_key_rotation TINYINT NOT NULL DEFAULT 0;`,
  },
  {
    version: 20250627120000,
    description: "types cleanup",
    checksum:
      "df1b59fc3bc806ff6c566b66f1f72cedea850371fcea27a75b5c076759b87753230d3bc328191c5157ea4a5d326897f7",
    sql: `
      CREATE TABLE status_new (
        flush_in_progress INTEGER NOT NULL,
        previous_flush TIMESTAMP WITHOUT TIME ZONE NOT NULL,
        client_in_use INTEGER NOT NULL
      );
      INSERT INTO status_new (flush_in_progress, previous_flush, client_in_use)
        SELECT flush_in_progress, datetime(previous_flush_timestamp, 'unixepoch'), client_in_use
        FROM status;
      DROP TABLE status;
      ALTER TABLE status_new RENAME TO status;

      CREATE TABLE reply_key_new (
        key_digest BLOB NOT NULL UNIQUE,
        reply_key BLOB NOT NULL UNIQUE,
        sent_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
      );
      INSERT INTO reply_key_new (key_digest, reply_key, sent_at)
        SELECT key_digest, reply_key, datetime(sent_at_timestamp, 'unixepoch') FROM reply_key;
      DROP TABLE reply_key;
      ALTER TABLE reply_key_new RENAME TO reply_key;

      CREATE TABLE reply_surb_sender_new (
        id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        last_sent TIMESTAMP WITHOUT TIME ZONE NOT NULL,
        tag BLOB NOT NULL UNIQUE
      );
      INSERT INTO reply_surb_sender_new (id, last_sent, tag)
        SELECT id, datetime(last_sent_timestamp, 'unixepoch'), tag FROM reply_surb_sender;

      CREATE TABLE reply_surb_new (
        reply_surb_sender_id INTEGER NOT NULL,
        reply_surb BLOB NOT NULL,
        encoded_key_rotation TINYINT NOT NULL,
        FOREIGN KEY (reply_surb_sender_id) REFERENCES reply_surb_sender_new (id)
      );
      INSERT INTO reply_surb_new SELECT * FROM reply_surb;
      DROP TABLE reply_surb;
      ALTER TABLE reply_surb_new RENAME TO reply_surb;

      DROP TABLE reply_surb_sender;
      ALTER TABLE reply_surb_sender_new RENAME TO reply_surb_sender;`,
  },
  {
    version: 20250702120000,
    description: "remove sender tag",
    checksum:
      "710f12584fd0e48d05a6c514001476b016b008498c94f6b913f90818f3615121cdc662e369b4ea5e4b693025553e148d",
    sql: `DROP TABLE sender_tag;`,
  },
];

/** Nym's reply SURB thresholds (`config-types/src/lib.rs`), written as store metadata. */
export const REPLY_SURB_THRESHOLDS = { min: 10, max: 200 } as const;

/** Reply keys and silent senders' SURBs older than this are dropped at load (Nym: 24 h keys). */
export const REPLY_STATE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Most SURBs loaded per sender (Nym lets a remote hold at most 500). */
const MAX_SURBS_PER_SENDER = 500;

/** AES-128 reply key length. */
const SURB_KEY_LENGTH = 16;

/** Options of {@linkcode SqliteReplyStore}. */
export interface SqliteReplyStoreOptions {
  /** Current time, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** Parses a timestamp as sqlx writes it (RFC 3339) or SQLite's `datetime()` does (UTC). */
function parseTime(value: unknown): number {
  if (typeof value !== "string") return NaN;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value)
    ? `${value.replace(" ", "T")}Z`
    : value;
  return new Date(iso).getTime();
}

/**
 * Nym's reply store on SQLite, loaded at connect and written at disconnect.
 *
 * @example
 * ```ts
 * import { SqliteReplyStore } from "./sqlite_reply_store.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new SqliteReplyStore(`${dir}/persistent_reply_store.sqlite`);
 * console.log(await store.load()); // { receivedSurbs: [], replyKeys: [] }
 * await store.save({ receivedSurbs: [], replyKeys: [] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SqliteReplyStore implements ReplyPersistence {
  /** The database file. */
  readonly path: string;
  readonly #now: () => number;

  /** A store at `path` (created on first use). */
  constructor(path: string, options: SqliteReplyStoreOptions = {}) {
    this.path = path;
    this.#now = options.now ?? Date.now;
  }

  /** Creates the database if missing, as a flushed empty store (what `init` does). */
  async create(): Promise<void> {
    await this.#with((db) => {
      const status = db.prepare("SELECT COUNT(*) AS n FROM status").get() as { n: number };
      if (Number(status.n) === 0) {
        db.prepare(
          "INSERT INTO status (flush_in_progress, previous_flush, client_in_use) VALUES (0, ?, 0)",
        ).run(this.#stamp());
      }
    });
  }

  /**
   * The state saved at the last clean shutdown, and marks the store in use. An untrusted store
   * (in use, mid-flush, never flushed) is emptied and loads as empty.
   */
  load(): Promise<ReplySnapshot> {
    return this.#with((db) => {
      const status = db.prepare(
        "SELECT flush_in_progress AS flushing, previous_flush AS flushed, client_in_use AS inUse " +
          "FROM status",
      ).get() as { flushing: number; flushed: unknown; inUse: number } | undefined;
      const flushedAt = parseTime(status?.flushed);
      const trusted = status !== undefined && Number(status.flushing) === 0 &&
        Number(status.inUse) === 0 && flushedAt > 0;
      let snapshot: ReplySnapshot = { receivedSurbs: [], replyKeys: [] };
      if (trusted) snapshot = this.#read(db);
      this.#transaction(db, () => {
        if (!trusted) this.#clear(db);
        db.exec("DELETE FROM status");
        db.prepare(
          "INSERT INTO status (flush_in_progress, previous_flush, client_in_use) VALUES (0, ?, 1)",
        ).run(status && flushedAt > 0 ? String(status.flushed) : new Date(0).toISOString());
      });
      return snapshot;
    });
  }

  /** Replaces the stored state with `snapshot` and marks the store flushed and not in use. */
  save(snapshot: ReplySnapshot): Promise<void> {
    return this.#with((db) => {
      const rows = db.prepare("SELECT COUNT(*) AS n FROM status").get() as { n: number };
      if (Number(rows.n) === 0) {
        db.prepare(
          "INSERT INTO status (flush_in_progress, previous_flush, client_in_use) VALUES (1, ?, 1)",
        ).run(new Date(0).toISOString());
      }
      db.exec("UPDATE status SET flush_in_progress = 1");
      this.#transaction(db, () => {
        this.#clear(db);
        const now = this.#stamp();
        const insertKey = db.prepare(
          "INSERT OR IGNORE INTO reply_key (key_digest, reply_key, sent_at) VALUES (?, ?, ?)",
        );
        for (const { digest, key, sentAt } of snapshot.replyKeys) {
          insertKey.run(digest, key, new Date(sentAt).toISOString());
        }
        const insertSender = db.prepare(
          "INSERT INTO reply_surb_sender (tag, last_sent) VALUES (?, ?) RETURNING id",
        );
        const insertSurb = db.prepare(
          "INSERT INTO reply_surb (reply_surb_sender_id, reply_surb, encoded_key_rotation) " +
            "VALUES (?, ?, 0)",
        );
        for (const { senderTag, surbs } of snapshot.receivedSurbs) {
          if (surbs.length === 0) continue;
          const { id } = insertSender.get(senderTag, now) as { id: number };
          for (const surb of surbs) {
            const blob = new Uint8Array(surb.encryptionKey.length + surb.surb.length);
            blob.set(surb.encryptionKey);
            blob.set(surb.surb, surb.encryptionKey.length);
            insertSurb.run(id, blob);
          }
        }
      });
      db.prepare(
        "UPDATE status SET previous_flush = ?, flush_in_progress = 0, client_in_use = 0",
      ).run(this.#stamp());
    });
  }

  #stamp(): string {
    return new Date(this.#now()).toISOString();
  }

  #read(db: DatabaseSync): ReplySnapshot {
    const cutoff = this.#now() - REPLY_STATE_MAX_AGE_MS;
    const keys = (db.prepare("SELECT key_digest, reply_key, sent_at FROM reply_key").all() as {
      key_digest: unknown;
      reply_key: unknown;
      sent_at: unknown;
    }[]).flatMap((row) => {
      const sentAt = parseTime(row.sent_at);
      if (!(row.key_digest instanceof Uint8Array) || row.key_digest.length !== 32) return [];
      if (!(row.reply_key instanceof Uint8Array) || row.reply_key.length !== SURB_KEY_LENGTH) {
        return [];
      }
      if (!(sentAt >= cutoff)) return [];
      return [{ digest: row.key_digest, key: row.reply_key, sentAt }];
    });
    const senders = db.prepare("SELECT id, tag, last_sent FROM reply_surb_sender").all() as {
      id: number;
      tag: unknown;
      last_sent: unknown;
    }[];
    const bySender = new Map<number, ReplySurbBytes[]>();
    const rows = db.prepare(
      "SELECT reply_surb_sender_id AS sender, reply_surb AS blob FROM reply_surb ORDER BY rowid",
    ).all() as { sender: number; blob: unknown }[];
    for (const { sender, blob } of rows) {
      if (!(blob instanceof Uint8Array) || blob.length <= SURB_KEY_LENGTH) continue;
      const list = bySender.get(Number(sender)) ?? [];
      list.push({
        encryptionKey: blob.subarray(0, SURB_KEY_LENGTH),
        surb: blob.subarray(SURB_KEY_LENGTH),
      });
      bySender.set(Number(sender), list);
    }
    const receivedSurbs = senders.flatMap((sender) => {
      if (!(sender.tag instanceof Uint8Array) || sender.tag.length !== 16) return [];
      if (!(parseTime(sender.last_sent) >= cutoff)) return [];
      const surbs = bySender.get(Number(sender.id)) ?? [];
      return surbs.length > 0
        ? [{ senderTag: sender.tag, surbs: surbs.slice(-MAX_SURBS_PER_SENDER) }]
        : [];
    });
    return { receivedSurbs, replyKeys: keys };
  }

  #clear(db: DatabaseSync): void {
    db.exec("DELETE FROM reply_surb; DELETE FROM reply_surb_sender; DELETE FROM reply_key");
    const metadata = db.prepare("SELECT COUNT(*) AS n FROM reply_surb_storage_metadata").get() as {
      n: number;
    };
    if (Number(metadata.n) === 0) {
      db.prepare(
        "INSERT INTO reply_surb_storage_metadata " +
          "(min_reply_surb_threshold, max_reply_surb_threshold) VALUES (?, ?)",
      ).run(REPLY_SURB_THRESHOLDS.min, REPLY_SURB_THRESHOLDS.max);
    }
  }

  #transaction(db: DatabaseSync, fn: () => void): void {
    db.exec("BEGIN");
    try {
      fn();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }

  async #with<T>(fn: (db: DatabaseSync) => T): Promise<T> {
    let created = false;
    try {
      await Deno.stat(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      created = true;
    }
    const db = await openDatabase(this.path);
    try {
      migrate(db, this.path, REPLY_STORE_MIGRATIONS);
      if (created) {
        if (Deno.build.os !== "windows") await Deno.chmod(this.path, 0o600);
        this.#clear(db);
      }
      try {
        return fn(db);
      } catch (cause) {
        if (cause instanceof StorageFileError) throw cause;
        throw new StorageFileError("format", this.path, (cause as Error).message, { cause });
      }
    } finally {
      db.close();
    }
  }
}
