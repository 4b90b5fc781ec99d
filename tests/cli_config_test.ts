// The CLI's files: config.toml (as nym-client's template writes it), humantime durations, PEM
// key files (pemstore's format), the filesystem ClientStorage, paths, flags and the status line.
import { ArgsError, parseArgs } from "../cli/_args.ts";
import { formatHumantime, parseHumantime } from "../cli/_humantime.ts";
import { parseToml } from "../cli/_toml.ts";
import {
  clientDirectories,
  ConfigError,
  type ConfigErrorKind,
  configToToml,
  newConfig,
  parseConfig,
  trafficFromConfig,
  withOverrides,
} from "../cli/config.ts";
import { DatabaseSync } from "node:sqlite";
import { FileClientStorage, StorageFileError } from "../cli/file_storage.ts";
import { decodePem, encodePem, PemError } from "../cli/pem.ts";
import { StatusLine, type StatusSource } from "../cli/status_line.ts";
import type { MixnetClientEvents } from "../client/mixnet_client.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { ManualClock } from "./_manual_clock.ts";

// A config.toml laid out as nym-client's template renders it (comments, dotted keys, single
// quotes), for client "alice" with data in /home/u/.nym/clients/alice/data.
const NYM_TEMPLATE_CONFIG = `
# This is a TOML config file.
# For more information, see https://github.com/toml-lang/toml

##### main base client config options #####

[client]
# Version of the client for which this configuration was created.
version = '1.1.76'

# Human readable ID of this particular client.
id = 'alice'

disabled_credentials_mode = true

nyxd_urls = [
        'https://rpc.nymtech.net/',
]

nym_api_urls = [
        'https://validator.nymtech.net/api/',
        'https://nym-frontdoor.global.ssl.fastly.net/api/',
]

[storage_paths] 

keys.private_identity_key_file = '/home/u/.nym/clients/alice/data/private_identity.pem'
keys.public_identity_key_file = '/home/u/.nym/clients/alice/data/public_identity.pem'
keys.private_encryption_key_file = '/home/u/.nym/clients/alice/data/private_encryption.pem'
keys.public_encryption_key_file = '/home/u/.nym/clients/alice/data/public_encryption.pem'
keys.ack_key_file = '/home/u/.nym/clients/alice/data/ack_key.pem'
credentials_database = '/home/u/.nym/clients/alice/data/credentials_database.db'
reply_surb_database = '/home/u/.nym/clients/alice/data/persistent_reply_store.sqlite'
gateway_registrations = '/home/u/.nym/clients/alice/data/gateways_registrations.sqlite'

##### socket config options #####

[socket]

# allowed values are 'WebSocket' or 'None'
socket_type = 'WebSocket'
listening_port = 1977
host = '127.0.0.1'

##### logging configuration options #####

[logging]

# TODO


[debug]

[debug.acknowledgements]
average_ack_delay = '15ms'

[debug.cover_traffic]
loop_cover_traffic_average_delay = '200ms'

[debug.stats_reporting]
enabled = true
provider_address = ''
reporting_interval = '5m'

[debug.forget_me]
client = false
stats = false

`;

Deno.test("a config.toml as nym-client's template writes it parses into the same values", () => {
  const config = parseConfig(NYM_TEMPLATE_CONFIG);
  const data = "/home/u/.nym/clients/alice/data";
  assertEquals(config.client, {
    version: "1.1.76",
    id: "alice",
    disabled_credentials_mode: true,
    nyxd_urls: ["https://rpc.nymtech.net/"],
    nym_api_urls: [
      "https://validator.nymtech.net/api/",
      "https://nym-frontdoor.global.ssl.fastly.net/api/",
    ],
  });
  assertEquals(config.socket, {
    socket_type: "WebSocket",
    listening_port: 1977,
    host: "127.0.0.1",
  });
  assertEquals(config.storage_paths.keys.ack_key_file, `${data}/ack_key.pem`);
  assertEquals(config.storage_paths.gateway_registrations, `${data}/gateways_registrations.sqlite`);
  // A fresh config for the same client is the same file, apart from the nym-api list.
  const fresh = newConfig("alice", data, {
    nymApiUrls: config.client.nym_api_urls,
  });
  assertEquals(fresh, config);
  assertEquals(trafficFromConfig(config), {
    traffic: { loopCoverAverageDelayMs: 200, averageAckDelayMs: 15 },
  });
  // Nym's storage for this config is our file storage, registrations in Nym's database.
  assertEquals(
    FileClientStorage.fromConfig(config).paths.registrationDatabase,
    `${data}/gateways_registrations.sqlite`,
  );
  assertEquals(
    FileClientStorage.fromConfig(config).paths.legacyRegistrationFile,
    `${data}/gateways_registrations.json`,
  );
});

Deno.test("a written config has exactly the native client's sections and keys and reads back", () => {
  for (
    const options of [
      {},
      { port: 0, host: "::1", nymApiUrls: ["http://127.0.0.1:8080"] },
      { noCover: true },
      { fastMode: true },
      { fastMode: true, noCover: true },
    ]
  ) {
    const config = newConfig("bob", "/d", options);
    const text = configToToml(config);
    assertEquals(parseConfig(text), config);
    const raw = parseToml(text);
    assertEquals(Object.keys(raw).sort(), [
      "client",
      "debug",
      "logging",
      "socket",
      "storage_paths",
    ]);
    assertEquals(Object.keys(raw.client as object), [
      "version",
      "id",
      "disabled_credentials_mode",
      "nyxd_urls",
      "nym_api_urls",
    ]);
    const paths = raw.storage_paths as Record<string, Record<string, unknown>>;
    assertEquals(Object.keys(paths.keys).sort(), [
      "ack_key_file",
      "private_encryption_key_file",
      "private_identity_key_file",
      "public_encryption_key_file",
      "public_identity_key_file",
    ]);
    assertEquals(Object.keys(raw.socket as object).sort(), [
      "host",
      "listening_port",
      "socket_type",
    ]);
    const debug = raw.debug as Record<string, Record<string, unknown>>;
    assertEquals(debug.acknowledgements, { average_ack_delay: "15ms" });
    assertEquals(debug.stats_reporting.reporting_interval, "5m");
    assertEquals(debug.forget_me, { client: false, stats: false });
  }
  const fast = trafficFromConfig(newConfig("x", "/d", { fastMode: true })).traffic;
  assertEquals(
    [fast.averagePacketDelayMs, fast.messageSendingAverageDelayMs, fast.loopCoverAverageDelayMs],
    [10, 4, 2_000_000],
  );
  // [debug.traffic] durations are serde's { secs, nanos }, as Nym reads them.
  const raw = parseToml(configToToml(newConfig("x", "/d", { fastMode: true })));
  const traffic = (raw.debug as Record<string, Record<string, unknown>>).traffic;
  assertEquals(traffic.average_packet_delay, { secs: 0, nanos: 10_000_000 });
  assertEquals(
    (raw.debug as Record<string, Record<string, unknown>>).cover_traffic
      .loop_cover_traffic_average_delay,
    "33m 20s",
  );
  const noCover = trafficFromConfig(newConfig("x", "/d", { noCover: true })).traffic;
  assertEquals([noCover.poisson, noCover.loopCover], [false, false]);
});

Deno.test("flags override the file without changing anything else", () => {
  const config = newConfig("bob", "/d");
  const changed = withOverrides(config, {
    port: 0,
    host: "127.0.0.2",
    nymApiUrls: ["http://x:1"],
    noCover: true,
  });
  assertEquals(changed.socket, { socket_type: "WebSocket", host: "127.0.0.2", listening_port: 0 });
  assertEquals(changed.client.nym_api_urls, ["http://x:1/"]);
  assertEquals(trafficFromConfig(changed).traffic.loopCover, false);
  assertEquals(changed.storage_paths, config.storage_paths);
  assertEquals(withOverrides(config, {}), config);
  assertThrows(() => withOverrides(config, { port: 70000 }), ConfigError);
});

Deno.test("unusable configs are refused with a typed error naming the key", () => {
  const good = configToToml(newConfig("bob", "/d"));
  const cases: [string, ConfigErrorKind, string][] = [
    ["[client", "syntax", ""],
    ["", "missing", "client"],
    [good.replace(/^id = .*$/m, ""), "missing", "client.id"],
    [good.replace(/^id = .*$/m, "id = 5"), "type", "client.id"],
    [good.replace(/^id = .*$/m, 'id = "../x"'), "value", "client.id"],
    [good.replace(/^nym_api_urls = .*$/m, 'nym_api_urls = "x"'), "type", "client.nym_api_urls"],
    [
      good.replace(/^nym_api_urls = .*$/m, 'nym_api_urls = [ "::" ]'),
      "value",
      "client.nym_api_urls[0]",
    ],
    [
      good.replace(/^nym_api_urls = .*$/m, "nym_api_urls = [ 1 ]"),
      "type",
      "client.nym_api_urls[0]",
    ],
    [
      good.replace(/^listening_port = .*$/m, "listening_port = 65536"),
      "value",
      "socket.listening_port",
    ],
    [
      good.replace(/^listening_port = .*$/m, 'listening_port = "1"'),
      "value",
      "socket.listening_port",
    ],
    [good.replace(/^host = .*$/m, 'host = "localhost"'), "value", "socket.host"],
    [good.replace(/^socket_type = .*$/m, 'socket_type = "Tcp"'), "value", "socket.socket_type"],
    [good.replace(/^ack_key_file = .*$/m, ""), "missing", "storage_paths.keys.ack_key_file"],
    [
      good.replace(/^average_ack_delay = .*$/m, 'average_ack_delay = "fast"'),
      "value",
      "debug.acknowledgements.average_ack_delay",
    ],
    [
      `${good}\n[debug.traffic]\naverage_packet_delay = "15ms"\n`,
      "value",
      "debug.traffic.average_packet_delay",
    ],
    [
      `${good}\n[debug.traffic]\ndisable_main_poisson_packet_distribution = 1\n`,
      "type",
      "debug.traffic.disable_main_poisson_packet_distribution",
    ],
    [`logging = 3\n${good.replace("[logging]", "")}`, "type", "logging"],
  ];
  for (const [text, kind, path] of cases) {
    const error = assertThrows(() => parseConfig(text), ConfigError, undefined);

    assertEquals([error.kind, error.path], [kind, path], error.message);
  }
  // Nym's aliases and serde defaults are accepted.
  const aliased = parseConfig(
    good.replace("nym_api_urls", "validator_api_urls").replace(
      /^disabled_credentials_mode.*$/m,
      "",
    ),
  );
  assertEquals(aliased.client.disabled_credentials_mode, false);
  const noSocket = parseConfig(good.replace(/\[socket\][^[]*/, ""));
  assertEquals(noSocket.socket, {
    socket_type: "WebSocket",
    host: "127.0.0.1",
    listening_port: 1977,
  });
});

Deno.test("durations read and write as the humantime crate does", () => {
  const read: [string, number][] = [
    ["200ms", 200],
    ["15ms", 15],
    ["1s 500ms", 1500],
    ["5m", 300_000],
    ["5min", 300_000],
    ["2h 37m", 9_420_000],
    ["1day", 86_400_000],
    ["2days 1h", 176_400_000],
    ["1h30m", 5_400_000],
    ["250us", 0.25],
    ["3ns", 3e-6],
    ["1week", 604_800_000],
  ];
  for (const [text, ms] of read) assertEquals(parseHumantime(text), ms, text);
  for (const text of ["", "5", "ms", "5 parsecs", "-5ms", "1.5s", "5ms x"]) {
    assertEquals(parseHumantime(text), undefined, text);
  }
  const written: [number, string][] = [
    [200, "200ms"],
    [1500, "1s 500ms"],
    [300_000, "5m"],
    [9_420_000, "2h 37m"],
    [32, "32ms"],
    [86_400_000, "1day"],
    [2 * 86_400_000, "2days"],
    [2_000_000, "33m 20s"],
    [0, "0s"],
    [0.25, "250us"],
  ];
  for (const [ms, text] of written) {
    assertEquals(formatHumantime(ms), text, String(ms));
    assertEquals(parseHumantime(text), ms, text);
  }
});

Deno.test("PEM files are written as Nym's pemstore writes them and read strictly", () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => i);
  assertEquals(
    encodePem("ED25519 PRIVATE KEY", key),
    "-----BEGIN ED25519 PRIVATE KEY-----\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n" +
      "-----END ED25519 PRIVATE KEY-----\r\n",
  );
  // Bodies wrap at 64 characters.
  const long = encodePem("X", new Uint8Array(100));
  assertEquals(long.split("\r\n").map((l) => l.length), [17, 64, 64, 8, 15, 0]);
  assertEquals(decodePem(long, "X"), new Uint8Array(100));
  assertEquals(decodePem(encodePem("T", key).replaceAll("\r\n", "\n"), "T"), key);
  assertEquals(decodePem(`junk\n${encodePem("T", key)}trailer`, "T"), key);
  const errors: [string, string][] = [
    ["no pem here", "format"],
    ["-----BEGIN A-----\nAAAA\n-----END B-----\n", "format"],
    [encodePem("X25519 PRIVATE KEY", key), "type"],
    ["-----BEGIN T-----\nAA*A\n-----END T-----\n", "base64"],
    ["-----BEGIN T-----\nAAA\n-----END T-----\n", "base64"],
  ];
  for (const [text, kind] of errors) {
    const error = assertThrows(() => decodePem(text, "T"), PemError);
    assertEquals(error.kind, kind, text);
  }
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the file storage maps every storage key onto Nym's key files and registration database", async () => {
  await withDir(async (dir) => {
    const crypto = defaultCrypto();
    const storage = FileClientStorage.fromConfig(newConfig("a", `${dir}/data`), {
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    });
    for (const key of ["identity-secret-key", "encryption-secret-key", "ack-key", "gateway"]) {
      assertEquals(await storage.get(key), undefined, key);
    }
    const identity = new Uint8Array(32).fill(1);
    const encryption = new Uint8Array(32).fill(2);
    const ack = new Uint8Array(16).fill(3);
    const gateway = crypto.ed25519PublicKey(new Uint8Array(32).fill(4));
    const shared = new Uint8Array(32).fill(5);
    const sharedName = `gateway-shared-key/${
      [...gateway].map((b) => b.toString(16).padStart(2, "0")).join("")
    }`;
    await Promise.all([
      storage.set("identity-secret-key", identity),
      storage.set("encryption-secret-key", encryption),
      storage.set("ack-key", ack),
      storage.set("gateway", gateway),
      storage.set(sharedName, shared),
      storage.set("something-else", new Uint8Array([9, 9])),
    ]);
    assertEquals(await storage.get("identity-secret-key"), identity);
    assertEquals(await storage.get("encryption-secret-key"), encryption);
    assertEquals(await storage.get("ack-key"), ack);
    assertEquals(await storage.get("gateway"), gateway);
    assertEquals(await storage.get(sharedName), shared);
    assertEquals(await storage.get("something-else"), new Uint8Array([9, 9]));
    const files: [string, string, Uint8Array][] = [
      ["private_identity.pem", "ED25519 PRIVATE KEY", identity],
      ["public_identity.pem", "ED25519 PUBLIC KEY", crypto.ed25519PublicKey(identity)],
      ["private_encryption.pem", "X25519 PRIVATE KEY", encryption],
      ["public_encryption.pem", "X25519 PUBLIC KEY", crypto.x25519PublicKey(encryption)],
      ["ack_key.pem", "AES-128-CTR ACKNOWLEDGEMENTS KEY", ack],
    ];
    for (const [name, type, bytes] of files) {
      assertEquals(decodePem(await Deno.readTextFile(`${dir}/data/${name}`), type), bytes, name);
      if (Deno.build.os !== "windows") {
        assertEquals((await Deno.stat(`${dir}/data/${name}`)).mode! & 0o777, 0o600, name);
      }
    }
    // Nym's tables hold the registration; our other value sits in our own table.
    const db = new DatabaseSync(`${dir}/data/gateways_registrations.sqlite`);
    try {
      assertEquals(
        { ...db.prepare("SELECT * FROM active_gateway").get() },
        { id: 0, active_gateway_id_bs58: toBase58(gateway) },
      );
      assertEquals({ ...db.prepare("SELECT * FROM registered_gateway").get() }, {
        gateway_id_bs58: toBase58(gateway),
        registration_timestamp: "2026-01-02T03:04:05.000Z",
        gateway_type: "remote",
      });
      assertEquals({ ...db.prepare("SELECT * FROM remote_gateway_details").get() }, {
        gateway_id_bs58: toBase58(gateway),
        derived_aes256_gcm_siv_key: shared,
        gateway_listener: "ws://0.0.0.0:0/",
        fallback_listener: null,
        expiration_timestamp: "1970-01-01T00:00:00.000Z",
      });
      assertEquals({ ...db.prepare("SELECT * FROM nym_mixnet_ts_value").get() }, {
        key: "something-else",
        value: new Uint8Array([9, 9]),
      });
    } finally {
      db.close();
    }
    assertEquals(await storage.registration(), {
      gatewayId: toBase58(gateway),
      registeredAt: "2026-01-02T03:04:05.000Z",
    });
    // A new storage on the same files sees the same values.
    const again = FileClientStorage.fromConfig(newConfig("a", `${dir}/data`));
    assertEquals(await again.get("identity-secret-key"), identity);
    for (const key of ["identity-secret-key", "ack-key", "gateway", sharedName, "something-else"]) {
      await again.delete(key);
      assertEquals(await again.get(key), undefined, key);
    }
    assertEquals(await again.registration(), undefined);
    await assertRejects(() => again.set("ack-key", new Uint8Array(15)), StorageFileError);
  });
});

Deno.test("broken key and registration files are reported, not used", async () => {
  await withDir(async (dir) => {
    const storage = FileClientStorage.fromConfig(newConfig("a", dir));
    const write = (name: string, text: string) => Deno.writeTextFile(`${dir}/${name}`, text);
    const expect = async (key: string, kind: string) => {
      const error = await assertRejects(() => storage.get(key), StorageFileError);
      assertEquals(error.kind, kind, `${key}: ${error.message}`);
    };
    await write("ack_key.pem", encodePem("ED25519 PRIVATE KEY", new Uint8Array(16)));
    await expect("ack-key", "pem");
    await write("ack_key.pem", encodePem("AES-128-CTR ACKNOWLEDGEMENTS KEY", new Uint8Array(32)));
    await expect("ack-key", "length");
    await storage.set("identity-secret-key", new Uint8Array(32).fill(7));
    await write("public_identity.pem", encodePem("ED25519 PUBLIC KEY", new Uint8Array(32)));
    await expect("identity-secret-key", "mismatch");
    for (
      const text of [
        "{",
        "[]",
        `{"format":"other","active_gateway":null,"registered_gateways":[],"other":{}}`,
        `{"format":"nym-mixnet-ts/gateway-registrations/v1","active_gateway":1,"registered_gateways":[],"other":{}}`,
        `{"format":"nym-mixnet-ts/gateway-registrations/v1","active_gateway":null,"registered_gateways":[{}],"other":{}}`,
        `{"format":"nym-mixnet-ts/gateway-registrations/v1","active_gateway":"0OIl","registered_gateways":[],"other":{}}`,
      ]
    ) {
      await write("gateways_registrations.json", text);
      await expect("gateway", "format");
    }
  });
});

Deno.test("client directories follow NYM_HOME, then Nym's NYM_HOME_DIR, then HOME", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(
    clientDirectories("a", env({ NYM_HOME: "/n/", NYM_HOME_DIR: "/d", HOME: "/h" })),
    {
      root: "/n/clients/a",
      configDir: "/n/clients/a/config",
      configFile: "/n/clients/a/config/config.toml",
      dataDir: "/n/clients/a/data",
    },
  );
  assertEquals(
    clientDirectories("a", env({ NYM_HOME_DIR: "/d", HOME: "/h" })).root,
    "/d/.nym/clients/a",
  );
  assertEquals(clientDirectories("a", env({ HOME: "/h" })).root, "/h/.nym/clients/a");
  assertThrows(() => clientDirectories("a", env({})), ConfigError);
  for (const id of ["", ".", "..", "a/b", "a\\b"]) {
    assertThrows(
      () => clientDirectories(id, env({ HOME: "/h" })),
      ConfigError,
      (e) => e.kind === "value",
    );
  }
});

Deno.test("flags parse as --name value, --name=value, lists and booleans", () => {
  const parsed = parseArgs(
    [
      "--id",
      "a",
      "--nym-api=http://x/,http://y/",
      "--nym-api",
      "http://z/",
      "--force",
      "msg",
      "--",
      "--raw",
    ],
    { string: ["id"], list: ["nym-api"], boolean: ["force"] },
  );
  assertEquals(parsed.strings, { id: "a" });
  assertEquals(parsed.lists, { "nym-api": ["http://x/", "http://y/", "http://z/"] });
  assertEquals(parsed.booleans, { force: true });
  assertEquals(parsed.positional, ["msg", "--raw"]);
  assertThrows(() => parseArgs(["--nope"], {}), ArgsError);
  assertThrows(() => parseArgs(["--id"], { string: ["id"] }), ArgsError);
  assertThrows(() => parseArgs(["--force=yes"], { boolean: ["force"] }), ArgsError);
});

class FakeStatusSource implements StatusSource {
  address = "a.b@GatewayIdentityKey";
  queueLength = 3;
  unacknowledged = 2;
  stats = {
    realPacketsSent: 0,
    retransmissions: 0,
    coverPacketsSent: 0,
    acksReceived: 0,
    messagesReceived: 0,
    messagesDropped: 0,
    surbRequestsSent: 0,
  };
  listeners = new Map<string, (event: unknown) => void>();
  on<K extends keyof MixnetClientEvents>(
    type: K,
    listener: (event: MixnetClientEvents[K]) => void,
  ): () => void {
    this.listeners.set(type, listener as (event: unknown) => void);
    return () => this.listeners.delete(type);
  }
}

Deno.test("the status line shows real and cover packet rates, queue and acks, and connection events", () => {
  const clock = new ManualClock(0);
  const source = new FakeStatusSource();
  const out: string[] = [];
  const status = new StatusLine({
    client: source,
    write: (text) => out.push(text),
    tty: true,
    clock,
    extra: () => "app connected",
  });
  status.start();
  assertEquals(
    out.pop(),
    "\r\x1b[2Kgateway GatewayI… | connected | real 0.0/s | cover 0.0/s | queue 3 | unacked 2 | app connected",
  );
  source.stats = { ...source.stats, realPacketsSent: 8, retransmissions: 2, coverPacketsSent: 5 };
  clock.advance(1000);
  assertEquals(
    out.pop(),
    "\r\x1b[2Kgateway GatewayI… | connected | real 10.0/s | cover 5.0/s | queue 3 | unacked 2 | app connected",
  );
  source.listeners.get("reconnecting")!({ attempt: 2, delayMs: 500, reason: "closed" });
  assertEquals(out.slice(-2), [
    "\r\x1b[2Kgateway connection lost (closed); reconnecting in 500 ms\n",
    "\r\x1b[2Kgateway GatewayI… | reconnecting (attempt 2) | real 10.0/s | cover 5.0/s | queue 3 | unacked 2 | app connected",
  ]);
  source.listeners.get("connected")!({ gateway: "GatewayIdentityKey" });
  assert(out.at(-1)!.includes("| connected |"));
  status.stop();
  assertEquals(out.at(-1), "\r\x1b[2K");
  assertEquals(clock.pending, 0);
  assertEquals(source.listeners.size, 0);

  // Not a terminal: timestamped log lines and a periodic summary.
  const plain: string[] = [];
  const log = new StatusLine({ client: source, write: (t) => plain.push(t), tty: false, clock });
  log.start();
  assertEquals(plain.length, 0);
  clock.advance(60_000);
  assertEquals(plain.length, 1);
  assert(
    /^1970-01-01T00:01:01\.000Z gateway GatewayI… \| connected \| real /.test(plain[0]),
    plain[0],
  );
  log.stop();
  assertEquals(clock.pending, 0);
});
