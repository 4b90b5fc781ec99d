// Nym's SQLite stores: the gateway registrations and reply store have Nym's tables and sqlx
// migration records; older databases are upgraded in place, foreign ones refused with a typed
// error; the reply store's load/save protocol; and, over a localnet, a restarted `run` answers an
// anonymous peer with the SURBs it received before the restart.
import { DatabaseSync } from "node:sqlite";
import { GATEWAY_MIGRATIONS } from "../cli/_gateways_database.ts";
import { migrate } from "../cli/_sqlx_migrations.ts";
import { newConfig } from "../cli/config.ts";
import { FileClientStorage } from "../cli/file_storage.ts";
import { initClient } from "../cli/init.ts";
import { runClient } from "../cli/run.ts";
import { REPLY_STORE_MIGRATIONS, SqliteReplyStore } from "../cli/sqlite_reply_store.ts";
import { StorageFileError } from "../cli/storage_file_error.ts";
import { connect } from "../client/connect.ts";
import type { ReplySnapshot } from "../client/reply_persistence.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { Recipient } from "../message/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { ApiApp } from "./_native_api_app.ts";

/**
 * Nym's final layouts (`gateways-storage/fs_gateways_migrations/*` and
 * `surb-storage/fs_surbs_migrations/*` applied in order, as SQLite reports them): table →
 * columns (type, NOT NULL, default, primary key), then foreign keys.
 */
const GATEWAY_TABLES = {
  active_gateway: [
    "id INTEGER PRIMARY KEY",
    "active_gateway_id_bs58 TEXT",
    "FOREIGN KEY active_gateway_id_bs58 REFERENCES registered_gateway (gateway_id_bs58)",
  ],
  custom_gateway_details: [
    "gateway_id_bs58 TEXT NOT NULL PRIMARY KEY",
    "data BLOB",
    "FOREIGN KEY gateway_id_bs58 REFERENCES registered_gateway (gateway_id_bs58)",
  ],
  registered_gateway: [
    "gateway_id_bs58 TEXT NOT NULL PRIMARY KEY",
    "registration_timestamp TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    "gateway_type TEXT NOT NULL DEFAULT 'remote'",
  ],
  remote_gateway_details: [
    "gateway_id_bs58 TEXT NOT NULL PRIMARY KEY",
    "derived_aes256_gcm_siv_key BLOB NOT NULL",
    "gateway_listener TEXT NOT NULL",
    "fallback_listener TEXT",
    "expiration_timestamp DATETIME NOT NULL",
    "FOREIGN KEY gateway_id_bs58 REFERENCES registered_gateway (gateway_id_bs58)",
  ],
};
const REPLY_TABLES = {
  reply_key: [
    "key_digest BLOB NOT NULL",
    "reply_key BLOB NOT NULL",
    "sent_at TIMESTAMP WITHOUT TIME ZONE NOT NULL",
  ],
  reply_surb: [
    "reply_surb_sender_id INTEGER NOT NULL",
    "reply_surb BLOB NOT NULL",
    "encoded_key_rotation TINYINT NOT NULL",
    "FOREIGN KEY reply_surb_sender_id REFERENCES reply_surb_sender (id)",
  ],
  reply_surb_sender: [
    "id INTEGER NOT NULL PRIMARY KEY",
    "last_sent TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    "tag BLOB NOT NULL",
  ],
  reply_surb_storage_metadata: [
    "min_reply_surb_threshold INTEGER NOT NULL",
    "max_reply_surb_threshold INTEGER NOT NULL",
  ],
  status: [
    "flush_in_progress INTEGER NOT NULL",
    "previous_flush TIMESTAMP WITHOUT TIME ZONE NOT NULL",
    "client_in_use INTEGER NOT NULL",
  ],
};
const SQLX_VERSIONS = {
  gateways: [20240304120000, 20240610120000, 20240828120000, 20240916120000, 20251126120000],
  replies: [20221130120000, 20250425120000, 20250627120000, 20250702120000],
};

function layout(path: string): Record<string, string[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = (db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' " +
        "AND name NOT IN ('_sqlx_migrations', 'nym_mixnet_ts_value') ORDER BY name",
    ).all() as { name: string }[]).map((r) => r.name);
    type Column = {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    };
    type ForeignKey = { from: string; table: string; to: string };
    return Object.fromEntries(tables.map((table) => [table, [
      ...(db.prepare(`PRAGMA table_info(${table})`).all() as Column[]).map((c) =>
        `${c.name} ${c.type}${c.notnull ? " NOT NULL" : ""}${
          c.dflt_value !== null ? ` DEFAULT ${c.dflt_value}` : ""
        }${c.pk ? " PRIMARY KEY" : ""}`
      ),
      ...(db.prepare(`PRAGMA foreign_key_list(${table})`).all() as ForeignKey[]).map((f) =>
        `FOREIGN KEY ${f.from} REFERENCES ${f.table} (${f.to})`
      ),
    ]]));
  } finally {
    db.close();
  }
}

function sqlxRecords(path: string): { version: number; description: string; checksum: number }[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(
      "SELECT version, description, length(checksum) AS checksum, success FROM _sqlx_migrations " +
        "ORDER BY version",
    ).all() as { version: number; description: string; checksum: number; success: number }[])
      .map((r) => {
        assertEquals(r.success, 1);
        return { version: r.version, description: r.description, checksum: r.checksum };
      });
  } finally {
    db.close();
  }
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const crypto = defaultCrypto();
const gatewayKey = crypto.ed25519PublicKey(new Uint8Array(32).fill(4));
const sharedName = `gateway-shared-key/${
  [...gatewayKey].map((b) => b.toString(16).padStart(2, "0")).join("")
}`;

Deno.test("a new registration database has Nym's tables and sqlx records of Nym's migrations", async () => {
  await withDir(async (dir) => {
    const storage = FileClientStorage.fromConfig(newConfig("a", dir));
    assertEquals(await storage.get("gateway"), undefined);
    // reading creates nothing
    await assertRejects(
      () => Deno.stat(`${dir}/gateways_registrations.sqlite`),
      Deno.errors.NotFound,
    );
    await storage.set(sharedName, new Uint8Array(32).fill(5));
    await storage.set("gateway", gatewayKey);
    await storage.setGatewayListener(toBase58(gatewayKey), "ws://127.0.0.1:9000/");
    const path = `${dir}/gateways_registrations.sqlite`;
    assertEquals(layout(path), GATEWAY_TABLES);
    assertEquals(
      sqlxRecords(path),
      GATEWAY_MIGRATIONS.map((m) => ({
        version: m.version,
        description: m.description,
        checksum: 48,
      })),
    );
    assertEquals(sqlxRecords(path).map((r) => r.version), SQLX_VERSIONS.gateways);
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const row = db.prepare(
        "SELECT gateway_listener, expiration_timestamp FROM remote_gateway_details",
      )
        .get() as { gateway_listener: string; expiration_timestamp: string };
      assertEquals(row.gateway_listener, "ws://127.0.0.1:9000/");
      assert(new Date(row.expiration_timestamp).getTime() > Date.now() + 6 * 86_400_000);
    } finally {
      db.close();
    }
  });
});

Deno.test("a registration database of an older nym-client is upgraded in place; keys without AES-256 are dropped", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/gateways_registrations.sqlite`;
    // as a 2024 nym-client left it: migrations up to the AES-256 column
    const old = new DatabaseSync(path);
    migrate(old, path, GATEWAY_MIGRATIONS.slice(0, 4));
    old.exec(`
      INSERT INTO registered_gateway VALUES ('${
      toBase58(gatewayKey)
    }', '2024-10-01 10:00:00', 'remote');
      INSERT INTO registered_gateway VALUES ('legacy', '2024-01-01 10:00:00', 'remote');
      INSERT INTO remote_gateway_details (gateway_id_bs58, derived_aes128_ctr_blake3_hmac_keys_bs58,
        gateway_owner_address, gateway_listener, derived_aes256_gcm_siv_key)
        VALUES ('${toBase58(gatewayKey)}', 'old', 'n1owner', 'ws://1.2.3.4:9000', x'${
      "07".repeat(32)
    }');
      INSERT INTO remote_gateway_details (gateway_id_bs58, derived_aes128_ctr_blake3_hmac_keys_bs58,
        gateway_owner_address, gateway_listener, derived_aes256_gcm_siv_key)
        VALUES ('legacy', 'old', NULL, 'ws://5.6.7.8:9000', NULL);
      UPDATE active_gateway SET active_gateway_id_bs58 = '${toBase58(gatewayKey)}';`);
    old.close();
    const storage = FileClientStorage.fromConfig(newConfig("a", dir));
    assertEquals(await storage.get("gateway"), gatewayKey);
    assertEquals(await storage.get(sharedName), new Uint8Array(32).fill(7));
    assertEquals(await storage.registration(), {
      gatewayId: toBase58(gatewayKey),
      registeredAt: "2024-10-01 10:00:00",
      listener: "ws://1.2.3.4:9000",
    });
    assertEquals(layout(path), GATEWAY_TABLES);
    assertEquals(sqlxRecords(path).map((r) => r.version), SQLX_VERSIONS.gateways);
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assertEquals(
        db.prepare("SELECT gateway_id_bs58 AS id FROM registered_gateway ORDER BY id").all()
          .map((r) => r.id),
        [toBase58(gatewayKey)],
      );
    } finally {
      db.close();
    }
  });
});

Deno.test("databases from a newer Nym, with other checksums, or not SQLite are refused with a typed error", async () => {
  for (
    const [name, prepare] of [
      ["newer", (db: DatabaseSync, path: string) => {
        migrate(db, path, GATEWAY_MIGRATIONS);
        db.exec(
          "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) " +
            "VALUES (20251212120000, 'store gateway details', 1, x'00', 0)",
        );
      }],
      ["checksum", (db: DatabaseSync, path: string) => {
        migrate(db, path, GATEWAY_MIGRATIONS);
        db.exec("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 20240610120000");
      }],
      ["failed", (db: DatabaseSync, path: string) => {
        migrate(db, path, GATEWAY_MIGRATIONS);
        db.exec("UPDATE _sqlx_migrations SET success = 0 WHERE version = 20251126120000");
      }],
    ] as const
  ) {
    await withDir(async (dir) => {
      const path = `${dir}/gateways_registrations.sqlite`;
      const db = new DatabaseSync(path);
      prepare(db, path);
      db.close();
      const storage = FileClientStorage.fromConfig(newConfig("a", dir));
      const error = await assertRejects(() => storage.get("gateway"), StorageFileError);
      assertEquals(error.kind, "format", name);
    });
  }
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/gateways_registrations.sqlite`,
      "not a database at all ".repeat(50),
    );
    const storage = FileClientStorage.fromConfig(newConfig("a", dir));
    assertEquals(
      (await assertRejects(() => storage.get("gateway"), StorageFileError)).kind,
      "format",
    );
    const replies = new SqliteReplyStore(`${dir}/gateways_registrations.sqlite`);
    assertEquals((await assertRejects(() => replies.load(), StorageFileError)).kind, "format");
  });
});

Deno.test("JSON registrations of earlier versions move into the database once", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/gateways_registrations.json`,
      JSON.stringify({
        format: "nym-mixnet-ts/gateway-registrations/v1",
        active_gateway: toBase58(gatewayKey),
        registered_gateways: [{
          gateway_id_bs58: toBase58(gatewayKey),
          derived_aes256_gcm_siv_key_bs58: toBase58(new Uint8Array(32).fill(9)),
          registration_timestamp: "2026-01-02T03:04:05.000Z",
        }],
        other: { "x": "AQI=" },
      }),
    );
    const storage = FileClientStorage.fromConfig(newConfig("a", dir));
    assertEquals(await storage.registration(), {
      gatewayId: toBase58(gatewayKey),
      registeredAt: "2026-01-02T03:04:05.000Z",
    });
    assertEquals(await storage.get(sharedName), new Uint8Array(32).fill(9));
    assertEquals(await storage.get("x"), new Uint8Array([1, 2]));
    await assertRejects(
      () => Deno.stat(`${dir}/gateways_registrations.json`),
      Deno.errors.NotFound,
    );
    await Deno.stat(`${dir}/gateways_registrations.json.migrated`);
    // later changes stay in the database
    await storage.delete("gateway");
    assertEquals(await FileClientStorage.fromConfig(newConfig("a", dir)).get("gateway"), undefined);
  });
});

const snapshot = (tag: number, surbs: number, sentAt: number): ReplySnapshot => ({
  receivedSurbs: [{
    senderTag: new Uint8Array(16).fill(tag),
    surbs: Array.from({ length: surbs }, (_, i) => ({
      encryptionKey: new Uint8Array(16).fill(i),
      surb: new Uint8Array(460).fill(i + 1),
    })),
  }],
  replyKeys: [{ digest: new Uint8Array(32).fill(tag), key: new Uint8Array(16).fill(3), sentAt }],
});

Deno.test("the reply store saves at shutdown and loads at start with Nym's layout and flags", async () => {
  await withDir(async (dir) => {
    let now = Date.UTC(2026, 11, 1);
    const path = `${dir}/persistent_reply_store.sqlite`;
    const store = new SqliteReplyStore(path, { now: () => now });
    await store.create();
    assertEquals(layout(path), REPLY_TABLES);
    assertEquals(sqlxRecords(path).map((r) => r.version), SQLX_VERSIONS.replies);
    assertEquals(
      sqlxRecords(path).map((r) => r.description),
      REPLY_STORE_MIGRATIONS.map((m) => m.description),
    );
    assertEquals(await store.load(), { receivedSurbs: [], replyKeys: [] });
    await store.save(snapshot(1, 3, now));
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assertEquals({ ...db.prepare("SELECT * FROM status").get() }, {
        flush_in_progress: 0,
        previous_flush: new Date(now).toISOString(),
        client_in_use: 0,
      });
      // Nym's layout: key ‖ SURB per row
      const blob = db.prepare("SELECT reply_surb FROM reply_surb LIMIT 1").get()!
        .reply_surb as Uint8Array;
      assertEquals(blob.length, 16 + 460);
      assertEquals({ ...db.prepare("SELECT * FROM reply_surb_storage_metadata").get() }, {
        min_reply_surb_threshold: 10,
        max_reply_surb_threshold: 200,
      });
    } finally {
      db.close();
    }
    now += 1000;
    assertEquals(await store.load(), snapshot(1, 3, now - 1000));
    // loaded = in use: a second load (as after a crash) does not trust the data
    assertEquals(await store.load(), { receivedSurbs: [], replyKeys: [] });
    // a day later, old keys and silent senders are dropped
    await store.save(snapshot(2, 1, now));
    now += 25 * 60 * 60 * 1000;
    assertEquals(await store.load(), { receivedSurbs: [], replyKeys: [] });
  });
});

Deno.test("the reply store upgrades Nym's first schema and skips malformed rows", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/persistent_reply_store.sqlite`;
    const now = Date.UTC(2026, 11, 1);
    const seconds = Math.floor(now / 1000) - 60;
    const old = new DatabaseSync(path);
    migrate(old, path, REPLY_STORE_MIGRATIONS.slice(0, 1));
    old.exec(`
      INSERT INTO status VALUES (0, ${seconds}, 0);
      INSERT INTO reply_surb_storage_metadata VALUES (10, 200);
      INSERT INTO sender_tag VALUES (x'01', x'02');
      INSERT INTO reply_key VALUES (x'${"aa".repeat(32)}', x'${"bb".repeat(16)}', ${seconds});
      INSERT INTO reply_key VALUES (x'${"cc".repeat(31)}', x'${"dd".repeat(16)}', ${seconds});
      INSERT INTO reply_surb_sender VALUES (1, ${seconds}, x'${"11".repeat(16)}');
      INSERT INTO reply_surb_sender VALUES (2, ${seconds}, x'${"22".repeat(3)}');
      INSERT INTO reply_surb VALUES (1, x'${"33".repeat(16)}${"44".repeat(8)}');
      INSERT INTO reply_surb VALUES (1, x'${"55".repeat(10)}');
      INSERT INTO reply_surb VALUES (2, x'${"66".repeat(40)}');`);
    old.close();
    const store = new SqliteReplyStore(path, { now: () => now });
    assertEquals(await store.load(), {
      receivedSurbs: [{
        senderTag: new Uint8Array(16).fill(0x11),
        surbs: [{
          encryptionKey: new Uint8Array(16).fill(0x33),
          surb: new Uint8Array(8).fill(0x44),
        }],
      }],
      replyKeys: [{
        digest: new Uint8Array(32).fill(0xaa),
        key: new Uint8Array(16).fill(0xbb),
        sentAt: seconds * 1000,
      }],
    });
    assertEquals(layout(path), REPLY_TABLES);
  });
});

Deno.test("a restarted run answers an anonymous peer with SURBs received before the restart, and opens replies to its own", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: "silent" });
  const home = await Deno.makeTempDir();
  const env = (name: string) => (name === "NYM_HOME" ? home : undefined);
  const bob = await initClient({
    id: "bob",
    nymApiUrls: [net.nymApiUrl],
    gateway: net.gateways[1].identity,
    noCover: true,
    env,
  });
  // The data folder `init` made opens in SQLite with Nym's layout.
  const data = `${home}/clients/bob/data`;
  assertEquals(layout(`${data}/gateways_registrations.sqlite`), GATEWAY_TABLES);
  assertEquals(layout(`${data}/persistent_reply_store.sqlite`), REPLY_TABLES);
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    gateway: net.gateways[0].identity,
    traffic: "noCover",
  });
  const aliceInbox = alice.messages.getReader();
  let run = await runClient({ id: "bob", port: 0, env });
  let app = await ApiApp.open(run.api!.url);
  try {
    alice.send(Recipient.parse(bob.address), new TextEncoder().encode("who am I?"), {
      replySurbs: 5,
    });
    const anonymous = (await app.next()) as Uint8Array;
    assertEquals([anonymous[0], anonymous[1]], [0x01, 0x01]);
    const tag = anonymous.slice(2, 18);
    // ...and bob writes to alice anonymously too, handing her 3 SURBs of his own.
    app.ws.send(JSON.stringify({
      type: "sendAnonymous",
      recipient: alice.address,
      message: "and who am I?",
      replySurbs: 3,
    }));
    const { value: fromBob } = await aliceInbox.read();
    assertEquals(fromBob?.kind, "repliable");

    // Stop bob: the SURBs are flushed into Nym's reply store.
    await app.close();
    await run.close();
    const db = new DatabaseSync(`${data}/persistent_reply_store.sqlite`, { readOnly: true });
    try {
      assertEquals(db.prepare("SELECT tag FROM reply_surb_sender").get()?.tag, tag);
      assertEquals(db.prepare("SELECT COUNT(*) AS n FROM reply_surb").get()?.n, 5);
      assertEquals(db.prepare("SELECT COUNT(*) AS n FROM reply_key").get()?.n, 3);
    } finally {
      db.close();
    }

    // Start bob again and answer through a SURB from before the restart.
    run = await runClient({ id: "bob", port: 0, env });
    app = await ApiApp.open(run.api!.url);
    const text = new TextEncoder().encode("still here");
    const u64 = new Uint8Array(8);
    new DataView(u64.buffer).setBigUint64(0, BigInt(text.length));
    app.ws.send(Uint8Array.from([0x02, ...tag, ...new Uint8Array(8), ...u64, ...text]));
    const { value: reply } = await aliceInbox.read();
    assertEquals(reply?.kind, "reply");
    assertEquals(new TextDecoder().decode(reply?.data), "still here");
    // Alice answers through bob's SURBs from before his restart: his stored reply keys open it.
    alice.reply(fromBob!.senderTag!, "you are bob, anonymously");
    const received = (await app.next()) as Uint8Array;
    assertEquals([received[0], received[1]], [0x01, 0x00]);
    assertEquals(new TextDecoder().decode(received.subarray(10)), "you are bob, anonymously");
  } finally {
    aliceInbox.releaseLock();
    await app.close();
    await run.close();
    await alice.disconnect({ timeoutMs: 0 });
    await Deno.remove(home, { recursive: true });
  }
});
