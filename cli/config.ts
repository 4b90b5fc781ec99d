/**
 * `config.toml` of the native `nym-client`: the same sections and keys
 * (`clients/native/src/client/config/{mod,template}.rs`, `common/client-core/config-types`), read
 * and written as TOML, and the on-disk layout `<home>/clients/<id>/{config,data}/`.
 *
 * @module
 */
import type { TrafficConfig } from "../client/traffic.ts";
import { formatHumantime, parseHumantime } from "./_humantime.ts";
import { parseToml, stringifyToml, type TomlTable } from "./_toml.ts";

/** The `nym-client` release whose config layout this file follows (written as `client.version`). */
export const NYM_CLIENT_VERSION = "1.1.76";
/** Default port of the native WebSocket API (`DEFAULT_WEBSOCKET_LISTENING_PORT`). */
export const DEFAULT_LISTENING_PORT = 1977;
/** Mainnet nyxd endpoint written by default (`network-defaults/src/mainnet.rs`). */
export const MAINNET_NYXD_URLS: readonly string[] = Object.freeze(["https://rpc.nymtech.net/"]);

/** Key file names in the data directory (`config-types/src/disk_persistence/mod.rs`). */
export const KEY_FILE_NAMES: Readonly<{
  privateIdentity: string;
  publicIdentity: string;
  privateEncryption: string;
  publicEncryption: string;
  ackKey: string;
  credentialsDatabase: string;
  replySurbDatabase: string;
  gatewayRegistrations: string;
}> = Object.freeze({
  privateIdentity: "private_identity.pem",
  publicIdentity: "public_identity.pem",
  privateEncryption: "private_encryption.pem",
  publicEncryption: "public_encryption.pem",
  ackKey: "ack_key.pem",
  credentialsDatabase: "credentials_database.db",
  replySurbDatabase: "persistent_reply_store.sqlite",
  gatewayRegistrations: "gateways_registrations.sqlite",
});

/** `[storage_paths.keys]`. */
export interface ClientKeyPaths {
  /** `private_identity.pem` (ED25519 PRIVATE KEY). */
  readonly private_identity_key_file: string;
  /** `public_identity.pem` (ED25519 PUBLIC KEY). */
  readonly public_identity_key_file: string;
  /** `private_encryption.pem` (X25519 PRIVATE KEY). */
  readonly private_encryption_key_file: string;
  /** `public_encryption.pem` (X25519 PUBLIC KEY). */
  readonly public_encryption_key_file: string;
  /** `ack_key.pem` (AES-128-CTR ACKNOWLEDGEMENTS KEY). */
  readonly ack_key_file: string;
}

/** The native client's `config.toml`, key names exactly as in the file. */
export interface NativeClientConfig {
  /** `[client]`. */
  readonly client: {
    readonly version: string;
    readonly id: string;
    readonly disabled_credentials_mode: boolean;
    readonly nyxd_urls: readonly string[];
    readonly nym_api_urls: readonly string[];
  };
  /** `[storage_paths]`. */
  readonly storage_paths: {
    readonly keys: ClientKeyPaths;
    readonly credentials_database: string;
    readonly reply_surb_database: string;
    readonly gateway_registrations: string;
  };
  /** `[socket]`. */
  readonly socket: {
    readonly socket_type: "WebSocket" | "None";
    readonly host: string;
    readonly listening_port: number;
  };
  /** `[logging]` (empty in Nym too). */
  readonly logging: TomlTable;
  /** `[debug]` and its sub-tables, kept as read; see {@linkcode trafficFromConfig}. */
  readonly debug: TomlTable;
}

/** Why a config was refused. */
export type ConfigErrorKind = "syntax" | "missing" | "type" | "value";

/**
 * A config.toml that cannot be used; `path` names the key (`client.id`, …).
 *
 * @example
 * ```ts
 * import { ConfigError, parseConfig } from "./config.ts";
 * try {
 *   parseConfig("[client]\nid = 1");
 * } catch (error) {
 *   console.log((error as ConfigError).kind); // "missing"
 * }
 * ```
 */
export class ConfigError extends Error {
  /** The category of the failure. */
  readonly kind: ConfigErrorKind;
  /** Dotted key path, or `""` for the whole file. */
  readonly path: string;

  /** Builds an error of `kind` about `path`. */
  constructor(kind: ConfigErrorKind, path: string, message: string, options?: { cause?: unknown }) {
    super(path ? `${path}: ${message}` : message, options);
    this.name = "ConfigError";
    this.kind = kind;
    this.path = path;
  }
}

/** Where one client's files live. */
export interface ClientDirectories {
  /** `<home>/clients/<id>`. */
  readonly root: string;
  /** `<root>/config`. */
  readonly configDir: string;
  /** `<root>/config/config.toml`. */
  readonly configFile: string;
  /** `<root>/data`. */
  readonly dataDir: string;
}

/**
 * Throws unless `id` is usable as a directory name (no separators, not `.` or `..`).
 *
 * @example
 * ```ts
 * import { checkClientId } from "./config.ts";
 * checkClientId("alice"); // fine
 * try {
 *   checkClientId("../etc");
 * } catch (error) {
 *   console.log((error as Error).name); // "ConfigError"
 * }
 * ```
 */
export function checkClientId(id: string): void {
  if (
    typeof id !== "string" || id === "" || id === "." || id === ".." || /[/\\\0]/.test(id)
  ) {
    throw new ConfigError("value", "client.id", `'${id}' is not a usable client id`);
  }
}

/**
 * The directories of client `id`: under `$NYM_HOME` if set, else `$NYM_HOME_DIR/.nym` (Nym's
 * variable, which replaces `$HOME`), else `$HOME/.nym`.
 *
 * @example
 * ```ts
 * import { clientDirectories } from "./config.ts";
 * const env = (name: string) => (name === "NYM_HOME" ? "/tmp/nym" : undefined);
 * console.log(clientDirectories("alice", env).configFile); // "/tmp/nym/clients/alice/config/config.toml"
 * ```
 */
export function clientDirectories(
  id: string,
  env: (name: string) => string | undefined,
): ClientDirectories {
  checkClientId(id);
  const nymHome = env("NYM_HOME");
  const homeDir = env("NYM_HOME_DIR") ?? env("HOME") ?? env("USERPROFILE");
  const base = nymHome ?? (homeDir === undefined ? undefined : `${trimSlash(homeDir)}/.nym`);
  if (base === undefined) {
    throw new ConfigError("missing", "", "neither NYM_HOME nor HOME is set");
  }
  const root = `${trimSlash(base)}/clients/${id}`;
  return {
    root,
    configDir: `${root}/config`,
    configFile: `${root}/config/config.toml`,
    dataDir: `${root}/data`,
  };
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** Choices `init` makes; everything else takes Nym's default. */
export interface NewConfigOptions {
  /** nym-api URLs (Nym mainnet's by default). */
  readonly nymApiUrls?: readonly string[];
  /** WebSocket API port (1977). */
  readonly port?: number;
  /** WebSocket API address (`127.0.0.1`). */
  readonly host?: string;
  /** `--no-cover`: no loop cover stream and no Poisson delay on the main stream. */
  readonly noCover?: boolean;
  /** `--fastmode`: 10 ms per hop, a 4 ms main stream, nearly no loop cover. */
  readonly fastMode?: boolean;
}

/**
 * A fresh config for client `id` whose data lives in `dataDir`, with Nym's defaults.
 *
 * @example
 * ```ts
 * import { newConfig } from "./config.ts";
 * const config = newConfig("alice", "/tmp/alice/data", { nymApiUrls: ["http://127.0.0.1:8080"] });
 * console.log(config.client.nym_api_urls); // [ "http://127.0.0.1:8080/" ]
 * ```
 */
export function newConfig(
  id: string,
  dataDir: string,
  options: NewConfigOptions = {},
): NativeClientConfig {
  checkClientId(id);
  const file = (name: string) => `${dataDir}/${name}`;
  const debug: Record<string, TomlTable> = {
    acknowledgements: { average_ack_delay: formatHumantime(15) },
    cover_traffic: { loop_cover_traffic_average_delay: formatHumantime(200) },
    stats_reporting: { enabled: true, provider_address: "", reporting_interval: "5m" },
    forget_me: { client: false, stats: false },
  };
  if (options.fastMode) {
    debug.traffic = {
      average_packet_delay: rustDuration(10),
      message_sending_average_delay: rustDuration(4),
    };
    debug.cover_traffic.loop_cover_traffic_average_delay = formatHumantime(2_000_000);
  }
  if (options.noCover) {
    debug.traffic = { ...debug.traffic, disable_main_poisson_packet_distribution: true };
    debug.cover_traffic.disable_loop_cover_traffic_stream = true;
  }
  return {
    client: {
      version: NYM_CLIENT_VERSION,
      id,
      disabled_credentials_mode: true,
      nyxd_urls: [...MAINNET_NYXD_URLS],
      nym_api_urls: (options.nymApiUrls ?? MAINNET_API_URLS).map((url) =>
        normalizeUrl(url, "client.nym_api_urls")
      ),
    },
    storage_paths: {
      keys: {
        private_identity_key_file: file(KEY_FILE_NAMES.privateIdentity),
        public_identity_key_file: file(KEY_FILE_NAMES.publicIdentity),
        private_encryption_key_file: file(KEY_FILE_NAMES.privateEncryption),
        public_encryption_key_file: file(KEY_FILE_NAMES.publicEncryption),
        ack_key_file: file(KEY_FILE_NAMES.ackKey),
      },
      credentials_database: file(KEY_FILE_NAMES.credentialsDatabase),
      reply_surb_database: file(KEY_FILE_NAMES.replySurbDatabase),
      gateway_registrations: file(KEY_FILE_NAMES.gatewayRegistrations),
    },
    socket: {
      socket_type: "WebSocket",
      host: checkHost(options.host ?? "127.0.0.1", "socket.host"),
      listening_port: checkPort(options.port ?? DEFAULT_LISTENING_PORT, "socket.listening_port"),
    },
    logging: {},
    debug,
  };
}

const MAINNET_API_URLS = [
  "https://validator.nymtech.net/api/",
  "https://nym-frontdoor.global.ssl.fastly.net/api/",
  "https://cdn1.media-platform.net/api/",
];

/** `[debug.traffic]` durations are serde's `{ secs, nanos }`, not humantime strings. */
function rustDuration(ms: number): TomlTable {
  const nanos = Math.round(ms * 1e6);
  return { secs: Math.floor(nanos / 1e9), nanos: nanos % 1e9 };
}

/**
 * The config as TOML text (the same tables and keys as Nym's template writes).
 *
 * @example
 * ```ts
 * import { configToToml, newConfig } from "./config.ts";
 * console.log(configToToml(newConfig("alice", "/d")).includes("[socket]")); // true
 * ```
 */
export function configToToml(config: NativeClientConfig): string {
  const header = "# This is a TOML config file.\n" +
    "# For more information, see https://github.com/toml-lang/toml\n\n";
  return header + stringifyToml({
    client: { ...config.client },
    storage_paths: config.storage_paths,
    socket: config.socket,
    logging: config.logging,
    debug: config.debug,
  } as unknown as TomlTable);
}

/**
 * Parses and checks config.toml text; throws {@linkcode ConfigError}. Unknown keys are
 * ignored; `[debug]` is kept as written.
 *
 * @example
 * ```ts
 * import { configToToml, newConfig, parseConfig } from "./config.ts";
 * const text = configToToml(newConfig("alice", "/d", { port: 4000 }));
 * console.log(parseConfig(text).socket.listening_port); // 4000
 * ```
 */
export function parseConfig(text: string): NativeClientConfig {
  let doc: TomlTable;
  try {
    doc = parseToml(text);
  } catch (cause) {
    throw new ConfigError("syntax", "", `not valid TOML: ${(cause as Error).message}`, { cause });
  }
  const client = table(doc, "client", true)!;
  const paths = table(doc, "storage_paths", true)!;
  const keys = table(paths, "keys", true, "storage_paths")!;
  const socket = table(doc, "socket", false) ?? {};
  const str = (t: TomlTable, key: string, at: string) => field(t, key, at, "string") as string;
  const urls = (key: string, alias: string): string[] => {
    const at = `client.${key}`;
    const value = client[key] ?? client[alias];
    if (value === undefined) throw new ConfigError("missing", at, "is required");
    if (!Array.isArray(value)) throw new ConfigError("type", at, "must be an array of URLs");
    return value.map((url, i) => {
      if (typeof url !== "string") throw new ConfigError("type", `${at}[${i}]`, "must be a URL");
      return normalizeUrl(url, `${at}[${i}]`);
    });
  };
  const socketType = socket.socket_type ?? "WebSocket";
  if (socketType !== "WebSocket" && socketType !== "None") {
    throw new ConfigError("value", "socket.socket_type", "must be 'WebSocket' or 'None'");
  }
  const config: NativeClientConfig = {
    client: {
      version: str(client, "version", "client"),
      id: str(client, "id", "client"),
      disabled_credentials_mode:
        (client.disabled_credentials_mode === undefined
          ? false
          : field(client, "disabled_credentials_mode", "client", "boolean")) as boolean,
      nyxd_urls: urls("nyxd_urls", "validator_urls"),
      nym_api_urls: urls("nym_api_urls", "validator_api_urls"),
    },
    storage_paths: {
      keys: {
        private_identity_key_file: str(keys, "private_identity_key_file", "storage_paths.keys"),
        public_identity_key_file: str(keys, "public_identity_key_file", "storage_paths.keys"),
        private_encryption_key_file: str(keys, "private_encryption_key_file", "storage_paths.keys"),
        public_encryption_key_file: str(keys, "public_encryption_key_file", "storage_paths.keys"),
        ack_key_file: str(keys, "ack_key_file", "storage_paths.keys"),
      },
      credentials_database: str(paths, "credentials_database", "storage_paths"),
      reply_surb_database: str(paths, "reply_surb_database", "storage_paths"),
      gateway_registrations: str(paths, "gateway_registrations", "storage_paths"),
    },
    socket: {
      socket_type: socketType,
      host: checkHost(
        socket.host === undefined ? "127.0.0.1" : str(socket, "host", "socket"),
        "socket.host",
      ),
      listening_port: checkPort(
        socket.listening_port ?? DEFAULT_LISTENING_PORT,
        "socket.listening_port",
      ),
    },
    logging: table(doc, "logging", false) ?? {},
    debug: table(doc, "debug", false) ?? {},
  };
  checkClientId(config.client.id);
  trafficFromConfig(config); // reject bad debug values now, not at `run`
  return config;
}

function table(parent: TomlTable, key: string, required: boolean, at = ""): TomlTable | undefined {
  const path = at ? `${at}.${key}` : key;
  const value = parent[key];
  if (value === undefined) {
    if (required) throw new ConfigError("missing", path, "is required");
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("type", path, "must be a table");
  }
  return value as TomlTable;
}

function field(t: TomlTable, key: string, at: string, type: "string" | "boolean"): unknown {
  const value = t[key];
  const path = `${at}.${key}`;
  if (value === undefined) throw new ConfigError("missing", path, "is required");
  const actual = typeof value;
  if (actual !== type) throw new ConfigError("type", path, `must be a ${type}`);
  return value;
}

function normalizeUrl(url: string, path: string): string {
  try {
    return new URL(url).href;
  } catch {
    throw new ConfigError("value", path, `'${url}' is not a URL`);
  }
}

function checkPort(port: unknown, path: string): number {
  if (typeof port === "bigint") port = Number(port);
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("value", path, "must be a port number (0 to 65535)");
  }
  return port;
}

function checkHost(host: string, path: string): string {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4 && ipv4.slice(1).every((n) => Number(n) <= 255)) return host;
  if (host.includes(":") && /^[0-9a-fA-F:.]+$/.test(host)) return host;
  throw new ConfigError("value", path, `'${host}' is not an IP address`);
}

/** What `[debug]` changes in the client: traffic settings and the topology refresh rate. */
export interface DebugSettings {
  /** Overrides of the traffic defaults. */
  readonly traffic: Partial<TrafficConfig>;
  /** `debug.topology.topology_refresh_rate`, if set. */
  readonly topologyRefreshMs?: number;
}

/**
 * Reads the `[debug]` settings our client honours; throws {@linkcode ConfigError} for
 * malformed values. Humantime strings everywhere except `[debug.traffic]`, which uses serde's
 * `{ secs, nanos }` durations (as in Nym).
 *
 * @example
 * ```ts
 * import { newConfig, trafficFromConfig } from "./config.ts";
 * const { traffic } = trafficFromConfig(newConfig("a", "/d", { noCover: true }));
 * console.log(traffic.loopCover, traffic.poisson); // false false
 * ```
 */
export function trafficFromConfig(config: NativeClientConfig): DebugSettings {
  const debug = config.debug;
  const sub = (name: string) => table(debug, name, false, "debug") ?? {};
  const traffic = sub("traffic");
  const cover = sub("cover_traffic");
  const acks = sub("acknowledgements");
  const topology = sub("topology");
  const out: Record<string, unknown> = {};
  const human = (t: TomlTable, key: string, at: string, target: string) => {
    const value = t[key];
    if (value === undefined) return;
    const ms = typeof value === "string" ? parseHumantime(value) : undefined;
    if (ms === undefined) {
      throw new ConfigError("value", `debug.${at}.${key}`, "must be a duration such as '200ms'");
    }
    out[target] = ms;
  };
  const serde = (key: string, target: string) => {
    const value = traffic[key];
    if (value === undefined) return;
    const t = value as TomlTable;
    const secs = Number(t?.secs), nanos = Number(t?.nanos);
    if (
      typeof value !== "object" || !Number.isInteger(secs) || !Number.isInteger(nanos) ||
      secs < 0 || nanos < 0 || nanos >= 1e9
    ) {
      throw new ConfigError("value", `debug.traffic.${key}`, "must be { secs = n, nanos = n }");
    }
    out[target] = secs * 1000 + nanos / 1e6;
  };
  const flag = (t: TomlTable, key: string, at: string): boolean | undefined => {
    const value = t[key];
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") {
      throw new ConfigError("type", `debug.${at}.${key}`, "must be true or false");
    }
    return value;
  };
  serde("average_packet_delay", "averagePacketDelayMs");
  serde("message_sending_average_delay", "messageSendingAverageDelayMs");
  if (flag(traffic, "disable_main_poisson_packet_distribution", "traffic")) out.poisson = false;
  const retransmissions = traffic.maximum_number_of_retransmissions;
  if (retransmissions !== undefined) {
    const n = Number(retransmissions);
    if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError(
        "value",
        "debug.traffic.maximum_number_of_retransmissions",
        "must be a count",
      );
    }
    out.maximumRetransmissions = n;
  }
  human(cover, "loop_cover_traffic_average_delay", "cover_traffic", "loopCoverAverageDelayMs");
  if (flag(cover, "disable_loop_cover_traffic_stream", "cover_traffic")) out.loopCover = false;
  human(acks, "average_ack_delay", "acknowledgements", "averageAckDelayMs");
  human(acks, "ack_wait_addition", "acknowledgements", "ackWaitAdditionMs");
  if (acks.ack_wait_multiplier !== undefined) {
    const m = Number(acks.ack_wait_multiplier);
    if (!Number.isFinite(m) || m <= 0) {
      throw new ConfigError("value", "debug.acknowledgements.ack_wait_multiplier", "must be > 0");
    }
    out.ackWaitMultiplier = m;
  }
  const refresh: Record<string, unknown> = {};
  if (topology.topology_refresh_rate !== undefined) {
    const ms = typeof topology.topology_refresh_rate === "string"
      ? parseHumantime(topology.topology_refresh_rate)
      : undefined;
    if (ms === undefined || ms <= 0) {
      throw new ConfigError("value", "debug.topology.topology_refresh_rate", "must be a duration");
    }
    refresh.topologyRefreshMs = ms;
  }
  return { traffic: out as Partial<TrafficConfig>, ...refresh };
}

/**
 * A copy of `config` with command-line values in place of the file's: nym-api URLs, the API's
 * port and address, and `--no-cover`.
 *
 * @example
 * ```ts
 * import { newConfig, withOverrides } from "./config.ts";
 * console.log(withOverrides(newConfig("a", "/d"), { port: 0 }).socket.listening_port); // 0
 * ```
 */
export function withOverrides(
  config: NativeClientConfig,
  overrides: { nymApiUrls?: readonly string[]; port?: number; host?: string; noCover?: boolean },
): NativeClientConfig {
  const debug = overrides.noCover
    ? {
      ...config.debug,
      traffic: {
        ...(config.debug.traffic as TomlTable),
        disable_main_poisson_packet_distribution: true,
      },
      cover_traffic: {
        ...(config.debug.cover_traffic as TomlTable),
        disable_loop_cover_traffic_stream: true,
      },
    }
    : config.debug;
  return {
    ...config,
    client: {
      ...config.client,
      nym_api_urls: overrides.nymApiUrls
        ? overrides.nymApiUrls.map((url) => normalizeUrl(url, "client.nym_api_urls"))
        : config.client.nym_api_urls,
    },
    socket: {
      ...config.socket,
      host: overrides.host === undefined ? config.socket.host : checkHost(overrides.host, "host"),
      listening_port: overrides.port === undefined
        ? config.socket.listening_port
        : checkPort(overrides.port, "port"),
    },
    debug,
  };
}
