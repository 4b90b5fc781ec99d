/**
 * Nym's `gateways_registrations.sqlite` (`common/client-core/gateways-storage`): the active
 * gateway, registered gateways and their derived AES-256-GCM-SIV keys, in Nym's schema and with
 * Nym's migrations (`fs_gateways_migrations/*`, recorded as sqlx records them), so a native
 * nym-client's data folder works here and ours works there. Values the native client does not
 * know (storage keys other than the registration) live in one extra table, `nym_mixnet_ts_value`,
 * which Nym ignores.
 *
 * Final layout (after `20251126120000_remove_legacy_add_fallback`):
 * - `active_gateway(id INTEGER PK CHECK(id=0), active_gateway_id_bs58 TEXT)`, one row;
 * - `registered_gateway(gateway_id_bs58 TEXT PK, registration_timestamp TIMESTAMP,
 *   gateway_type TEXT 'remote'|'custom')`;
 * - `remote_gateway_details(gateway_id_bs58 TEXT PK, derived_aes256_gcm_siv_key BLOB,
 *   gateway_listener TEXT, fallback_listener TEXT NULL, expiration_timestamp DATETIME)`;
 * - `custom_gateway_details(gateway_id_bs58 TEXT PK, data BLOB)`.
 *
 * Timestamps are RFC 3339 text, as sqlx writes `time::OffsetDateTime`. Gateway details expire
 * after 7 days (`GATEWAY_DETAILS_TTL`, `gateways-storage/src/types.rs`).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { migrate, type Migration, openDatabase } from "./_sqlx_migrations.ts";

/** Nym's gateway-store migrations, as our SQL, with the checksums of Nym's files. */
export const GATEWAY_MIGRATIONS: readonly Migration[] = [
  {
    version: 20240304120000,
    description: "create initial tables",
    checksum:
      "c9755a49de5dc59fc28432e10676ba9f70bcfe6cc9c38d0036167f3dcd1ada468cd3acfd364ae5bb31e1267c51eb0adc",
    sql: `
      CREATE TABLE active_gateway (
        id INTEGER PRIMARY KEY CHECK (id = 0),
        active_gateway_id_bs58 TEXT REFERENCES registered_gateway (gateway_id_bs58)
      );
      CREATE TABLE registered_gateway (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY,
        registration_timestamp TIMESTAMP WITHOUT TIME ZONE NOT NULL,
        gateway_type TEXT CHECK (gateway_type IN ('remote', 'custom')) NOT NULL DEFAULT 'remote'
      );
      CREATE TABLE remote_gateway_details (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY
          REFERENCES registered_gateway (gateway_id_bs58),
        derived_aes128_ctr_blake3_hmac_keys_bs58 TEXT NOT NULL,
        gateway_owner_address TEXT NOT NULL,
        gateway_listener TEXT NOT NULL
      );
      CREATE TABLE custom_gateway_details (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY
          REFERENCES registered_gateway (gateway_id_bs58),
        data BLOB
      );
      INSERT INTO active_gateway (id, active_gateway_id_bs58) VALUES (0, NULL);`,
  },
  {
    version: 20240610120000,
    description: "nullable gateway owner",
    checksum:
      "7c722b7c0ff0624a49b86f8105dde78c022aed8a9bbe6709a913e778aadd4f45caeceb45baac25a0a32c3abc2e334718",
    sql: `
      CREATE TABLE remote_gateway_details_temp (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY
          REFERENCES registered_gateway (gateway_id_bs58),
        derived_aes128_ctr_blake3_hmac_keys_bs58 TEXT NOT NULL,
        gateway_owner_address TEXT,
        gateway_listener TEXT NOT NULL,
        wg_tun_address TEXT
      );
      INSERT INTO remote_gateway_details_temp
        SELECT *, NULL FROM remote_gateway_details;
      DROP TABLE remote_gateway_details;
      ALTER TABLE remote_gateway_details_temp RENAME TO remote_gateway_details;`,
  },
  {
    version: 20240828120000,
    description: "remove wg address",
    checksum:
      "288ee2fc18343b50df1d8b7c4450f48f03e319fb3a5a3addcfc5699d621bff3dee4b2aa4d162eb79dfb4e7ce75b2fc83",
    sql: `
      CREATE TABLE remote_gateway_details_temp (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY
          REFERENCES registered_gateway (gateway_id_bs58),
        derived_aes128_ctr_blake3_hmac_keys_bs58 TEXT NOT NULL,
        gateway_owner_address TEXT,
        gateway_listener TEXT NOT NULL
      );
      INSERT INTO remote_gateway_details_temp
        SELECT gateway_id_bs58, derived_aes128_ctr_blake3_hmac_keys_bs58, gateway_owner_address,
          gateway_listener
        FROM remote_gateway_details;
      DROP TABLE remote_gateway_details;
      ALTER TABLE remote_gateway_details_temp RENAME TO remote_gateway_details;`,
  },
  {
    version: 20240916120000,
    description: "add aes256 gcm siv key",
    checksum:
      "6157c19e61edf534ba386c6261769724bc6d4c9eea7c738a29fb2964437764050005e36e3682fece213e870b8b8c5dc4",
    sql: `
      ALTER TABLE remote_gateway_details
        RENAME COLUMN derived_aes128_ctr_blake3_hmac_keys_bs58 TO legacy_key_old;
      ALTER TABLE remote_gateway_details ADD COLUMN derived_aes128_ctr_blake3_hmac_keys_bs58 TEXT;
      ALTER TABLE remote_gateway_details ADD COLUMN derived_aes256_gcm_siv_key BLOB;
      UPDATE remote_gateway_details SET derived_aes128_ctr_blake3_hmac_keys_bs58 = legacy_key_old;
      ALTER TABLE remote_gateway_details DROP COLUMN legacy_key_old;`,
  },
  {
    version: 20251126120000,
    description: "remove legacy add fallback",
    checksum:
      "d35a3826a363b98b9c7186484952a506668e6a169f2b987f7ca30e62a0e88ded7356535bc92dc15c43a8ab9292cfc6ea",
    sql: `
      CREATE TABLE remote_gateway_details_temp (
        gateway_id_bs58 TEXT NOT NULL UNIQUE PRIMARY KEY
          REFERENCES registered_gateway (gateway_id_bs58),
        derived_aes256_gcm_siv_key BLOB NOT NULL,
        gateway_listener TEXT NOT NULL,
        fallback_listener TEXT,
        expiration_timestamp DATETIME NOT NULL
      );
      INSERT INTO remote_gateway_details_temp
        SELECT gateway_id_bs58, derived_aes256_gcm_siv_key, gateway_listener, NULL,
          datetime(0, 'unixepoch')
        FROM remote_gateway_details WHERE derived_aes256_gcm_siv_key IS NOT NULL;
      DELETE FROM registered_gateway WHERE gateway_id_bs58 IN (
        SELECT gateway_id_bs58 FROM remote_gateway_details
        WHERE derived_aes256_gcm_siv_key IS NULL
      );
      DROP TABLE remote_gateway_details;
      ALTER TABLE remote_gateway_details_temp RENAME TO remote_gateway_details;`,
  },
];

/** Nym keeps a gateway's published details 7 days before refreshing them. */
export const GATEWAY_DETAILS_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Stands for a listener we do not know yet; expired at once, so Nym refreshes it. */
export const UNKNOWN_LISTENER = "ws://0.0.0.0:0/";

/** A registration as stored. */
export interface GatewayRegistrationRow {
  /** Gateway identity, base58. */
  readonly gatewayId: string;
  /** The derived AES-256-GCM-SIV key. */
  readonly sharedKey: Uint8Array;
  /** When we registered (RFC 3339). */
  readonly registeredAt: string;
  /** The gateway's WebSocket URL. */
  readonly listener: string;
  /** Its fallback URL. */
  readonly fallbackListener: string | null;
}

/** Opens (creating and migrating as needed) the database at `path`. */
export async function openGatewaysDatabase(path: string): Promise<DatabaseSync> {
  const db = await openDatabase(path);
  try {
    migrate(db, path, GATEWAY_MIGRATIONS);
    db.exec(
      "CREATE TABLE IF NOT EXISTS nym_mixnet_ts_value (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    );
    // a database whose active_gateway row was removed by hand gets it back
    db.exec("INSERT OR IGNORE INTO active_gateway (id, active_gateway_id_bs58) VALUES (0, NULL)");
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The active gateway (base58), if any. */
export function activeGateway(db: DatabaseSync): string | undefined {
  const row = db.prepare("SELECT active_gateway_id_bs58 AS id FROM active_gateway").get() as
    | { id: string | null }
    | undefined;
  return row?.id ?? undefined;
}

/** Sets (or clears) the active gateway. */
export function setActiveGateway(db: DatabaseSync, gatewayId: string | null): void {
  db.prepare("UPDATE active_gateway SET active_gateway_id_bs58 = ?").run(gatewayId);
}

/** The registration with `gatewayId`, if any. */
export function registration(
  db: DatabaseSync,
  gatewayId: string,
): GatewayRegistrationRow | undefined {
  const row = db.prepare(
    `SELECT r.gateway_id_bs58 AS id, r.registration_timestamp AS at,
       d.derived_aes256_gcm_siv_key AS key, d.gateway_listener AS listener,
       d.fallback_listener AS fallback
     FROM registered_gateway r JOIN remote_gateway_details d USING (gateway_id_bs58)
     WHERE r.gateway_id_bs58 = ?`,
  ).get(gatewayId) as
    | { id: string; at: string; key: Uint8Array; listener: string; fallback: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    gatewayId: row.id,
    registeredAt: String(row.at),
    sharedKey: row.key,
    listener: row.listener,
    fallbackListener: row.fallback,
  };
}

/** Stores a registration (a new key keeps the known listener). */
export function storeRegistration(
  db: DatabaseSync,
  gatewayId: string,
  sharedKey: Uint8Array,
  registeredAt: Date,
): void {
  db.exec("BEGIN");
  try {
    db.prepare(
      `INSERT INTO registered_gateway (gateway_id_bs58, registration_timestamp, gateway_type)
       VALUES (?, ?, 'remote')
       ON CONFLICT (gateway_id_bs58) DO UPDATE SET registration_timestamp = excluded.registration_timestamp`,
    ).run(gatewayId, registeredAt.toISOString());
    db.prepare(
      `INSERT INTO remote_gateway_details (gateway_id_bs58, derived_aes256_gcm_siv_key,
         gateway_listener, fallback_listener, expiration_timestamp)
       VALUES (?, ?, ?, NULL, ?)
       ON CONFLICT (gateway_id_bs58) DO UPDATE SET
         derived_aes256_gcm_siv_key = excluded.derived_aes256_gcm_siv_key`,
    ).run(gatewayId, sharedKey, UNKNOWN_LISTENER, new Date(0).toISOString());
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** Records where gateway `gatewayId` listens (fresh for 7 days). */
export function storeListener(
  db: DatabaseSync,
  gatewayId: string,
  listener: string,
  fallback: string | null,
  now: Date,
): void {
  db.prepare(
    `UPDATE remote_gateway_details
     SET gateway_listener = ?, fallback_listener = ?, expiration_timestamp = ?
     WHERE gateway_id_bs58 = ?`,
  ).run(
    listener,
    fallback,
    new Date(now.getTime() + GATEWAY_DETAILS_TTL_MS).toISOString(),
    gatewayId,
  );
}

/** Removes a registration. */
export function removeRegistration(db: DatabaseSync, gatewayId: string): void {
  db.prepare("DELETE FROM remote_gateway_details WHERE gateway_id_bs58 = ?").run(gatewayId);
  db.prepare("DELETE FROM custom_gateway_details WHERE gateway_id_bs58 = ?").run(gatewayId);
  db.prepare("DELETE FROM registered_gateway WHERE gateway_id_bs58 = ?").run(gatewayId);
}

/** Our other values. */
export function getValue(db: DatabaseSync, key: string): Uint8Array | undefined {
  const row = db.prepare("SELECT value FROM nym_mixnet_ts_value WHERE key = ?").get(key) as
    | { value: Uint8Array }
    | undefined;
  return row?.value;
}

/** Stores one of our other values. */
export function setValue(db: DatabaseSync, key: string, value: Uint8Array): void {
  db.prepare(
    "INSERT INTO nym_mixnet_ts_value (key, value) VALUES (?, ?) " +
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}

/** Removes one of our other values. */
export function deleteValue(db: DatabaseSync, key: string): void {
  db.prepare("DELETE FROM nym_mixnet_ts_value WHERE key = ?").run(key);
}
