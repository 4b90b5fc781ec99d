/**
 * `init`: creates a client like `nym-client init` does: config.toml, keys in the data
 * directory, and a registration with a gateway (one connection, then disconnect).
 *
 * @module
 */
import { connect, MAINNET_NYM_API_URLS } from "../client/connect.ts";
import { mainnetNotice } from "./_hints.ts";
import { fetchTopology, findNodeByIdentity, NymApiClient, wsEntryUrls } from "../topology/mod.ts";
import { fromBase58 } from "../internal/encoding.ts";
import { ArgsError, parseArgs, portFlag } from "./_args.ts";
import { CliError } from "./cli_error.ts";
import type { CliIo } from "./cli_io.ts";
import { clientDirectories, configToToml, type NativeClientConfig, newConfig } from "./config.ts";
import { FileClientStorage } from "./file_storage.ts";
import { publishClient } from "./seed_directory.ts";
import { SqliteReplyStore } from "./sqlite_reply_store.ts";

/** Options of {@linkcode initClient}. */
export interface InitOptions {
  /** The client id (a directory name). */
  readonly id: string;
  /** Gateway identity (base58); otherwise one is picked at random (or by latency). */
  readonly gateway?: string;
  /** nym-api URLs (Nym mainnet's by default). */
  readonly nymApiUrls?: readonly string[];
  /** WebSocket API port written to the config (1977). */
  readonly port?: number;
  /** WebSocket API address written to the config (`127.0.0.1`). */
  readonly host?: string;
  /** Replace an existing client of this id (new keys, new registration). */
  readonly force?: boolean;
  /** Write `--no-cover` traffic settings. */
  readonly noCover?: boolean;
  /** Write `--fastmode` traffic settings. */
  readonly fastMode?: boolean;
  /** Pick the gateway by measured latency instead of uniformly. */
  readonly latencyBasedSelection?: boolean;
  /** Connect to the gateway with `wss://`. */
  readonly forceTls?: boolean;
  /** Add the address to the localnet directory's opt-in list (the seed API's `getClients`). */
  readonly public?: boolean;
  /** Environment (for `NYM_HOME`, `NYM_HOME_DIR`, `HOME`). */
  readonly env: (name: string) => string | undefined;
  /** Aborts the topology fetch. */
  readonly signal?: AbortSignal;
}

/** What `init` did (the fields of Nym's `InitResults`). */
export interface InitResult {
  /** The written config. */
  readonly config: NativeClientConfig;
  /** Where it was written. */
  readonly configFile: string;
  /** The client's Nym address. */
  readonly address: string;
  /** Gateway identity (base58). */
  readonly gatewayId: string;
  /** Gateway WebSocket URL, if the directory lists it. */
  readonly gatewayListener?: string;
  /** When the registration was made (ISO 8601). */
  readonly registeredAt: string;
}

/**
 * Creates client `options.id`: keys, gateway registration, config.toml. Refuses an existing
 * id unless `force`.
 *
 * @example
 * ```ts ignore
 * import { initClient } from "./init.ts";
 * const result = await initClient({ id: "alice", nymApiUrls: ["http://127.0.0.1:8080/"], env: Deno.env.get });
 * console.log(result.address);
 * ```
 */
export async function initClient(options: InitOptions): Promise<InitResult> {
  const dirs = clientDirectories(options.id, options.env);
  if (!options.force && await exists(dirs.configFile)) {
    throw new CliError(
      "already-initialised",
      `client "${options.id}" was already initialised before (${dirs.configFile}); ` +
        "use --force to replace it",
    );
  }
  if (options.gateway !== undefined) checkIdentity(options.gateway);
  const config = newConfig(options.id, dirs.dataDir, {
    nymApiUrls: options.nymApiUrls,
    port: options.port,
    host: options.host,
    noCover: options.noCover,
    fastMode: options.fastMode,
  });
  const storage = FileClientStorage.fromConfig(config);
  if (options.force) {
    const { keys } = config.storage_paths;
    const files = [
      dirs.configFile,
      ...Object.values(keys),
      storage.paths.registrationDatabase,
      storage.paths.legacyRegistrationFile,
      config.storage_paths.reply_surb_database,
    ];
    for (const file of files) {
      await Deno.remove(file).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
  }
  await Deno.mkdir(dirs.dataDir, { recursive: true });

  // One connection registers (or, after an interrupted init, authenticates) and is closed.
  const client = await connect({
    nymApiUrl: config.client.nym_api_urls,
    gateway: options.gateway,
    storage,
    traffic: "noCover",
    gatewaySelection: options.latencyBasedSelection ? "latency" : "uniform",
    forceTls: options.forceTls,
    signal: options.signal,
  });
  const address = client.address;
  await client.disconnect({ timeoutMs: 0 });

  const registration = await storage.registration();
  if (!registration) {
    throw new CliError("not-registered", "the gateway registration was not stored");
  }
  const listener = await gatewayListener(config, registration.gatewayId, options.forceTls);
  if (listener) await storage.setGatewayListener(registration.gatewayId, listener);
  await new SqliteReplyStore(config.storage_paths.reply_surb_database).create();
  if (options.public) {
    // before the config is written, so that a refused --public can simply be run again
    try {
      await publishClient(config.client.nym_api_urls[0], address);
    } catch (error) {
      throw new CliError("input", `--public: ${(error as Error).message}`, { cause: error });
    }
  }
  await Deno.mkdir(dirs.configDir, { recursive: true });
  await Deno.writeTextFile(dirs.configFile, configToToml(config));
  return {
    config,
    configFile: dirs.configFile,
    address,
    gatewayId: registration.gatewayId,
    gatewayListener: listener,
    registeredAt: registration.registeredAt,
  };
}

function checkIdentity(identity: string): void {
  let bytes: Uint8Array | undefined;
  try {
    bytes = fromBase58(identity);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 32) {
    throw new CliError("input", `--gateway ${identity} is not a base58 ed25519 identity key`);
  }
}

async function gatewayListener(
  config: NativeClientConfig,
  gatewayId: string,
  forceTls?: boolean,
): Promise<string | undefined> {
  try {
    const topology = await fetchTopology(new NymApiClient({ urls: config.client.nym_api_urls }));
    const node = findNodeByIdentity(topology, fromBase58(gatewayId));
    return node ? wsEntryUrls(node, { forceTls }).primary : undefined;
  } catch {
    return undefined; // only shown to the user
  }
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

/** Usage of `init`. */
export const INIT_USAGE = `Usage: nym-client init --id <id> [options]

Creates a client: keys, a gateway registration and config.toml.

Options:
  --id <id>                  client id (directory under $NYM_HOME/clients)
  --gateway <identity>       register with this gateway (base58 identity key)
  --latency-based-selection  pick the gateway by measured latency
  --nym-api <url>            nym-api endpoint; repeat or comma-separate (alias --nym-apis)
  --port <n>                 WebSocket API port for later runs (default 1977)
  --host <ip>                WebSocket API address (default 127.0.0.1)
  --force-tls-gateway        connect to the gateway with wss://
  --no-cover                 no cover traffic and no Poisson delay (debugging only)
  --fastmode                 higher traffic rate, 10 ms per hop (debugging only)
  --force                    replace an existing client of this id (new identity)
  --public                   list the address at the localnet directory (seed getClients)
  --output <text|json>       result format (default text)`;

/**
 * The `init` command.
 *
 * @example
 * ```ts ignore
 * import { initCommand } from "./init.ts";
 * import { denoIo } from "./cli_io.ts";
 * await initCommand(["--id", "alice"], denoIo(new AbortController().signal));
 * ```
 */
export async function initCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["id", "gateway", "port", "host", "output"],
    list: ["nym-api", "nym-apis"],
    boolean: [
      "force",
      "no-cover",
      "fastmode",
      "latency-based-selection",
      "force-tls-gateway",
      "public",
    ],
  });
  const id = parsed.strings.id;
  if (id === undefined) throw new ArgsError("--id is required");
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const output = parsed.strings.output ?? "text";
  if (output !== "text" && output !== "json") throw new ArgsError("--output is text or json");
  if (parsed.strings.gateway && parsed.booleans["latency-based-selection"]) {
    throw new ArgsError("--gateway and --latency-based-selection exclude each other");
  }
  const apis = [...(parsed.lists["nym-api"] ?? []), ...(parsed.lists["nym-apis"] ?? [])];
  io.writeError("Initialising client...\n");
  if (apis.length === 0) io.writeError(`${mainnetNotice(MAINNET_NYM_API_URLS)}\n`);
  const result = await initClient({
    id,
    gateway: parsed.strings.gateway,
    nymApiUrls: apis.length > 0 ? apis : undefined,
    port: portFlag(parsed, "port"),
    host: parsed.strings.host,
    force: parsed.booleans.force,
    noCover: parsed.booleans["no-cover"],
    fastMode: parsed.booleans.fastmode,
    latencyBasedSelection: parsed.booleans["latency-based-selection"],
    forceTls: parsed.booleans["force-tls-gateway"],
    public: parsed.booleans.public,
    env: io.env,
    signal: io.signal,
  });
  io.writeError(`Saved configuration file to ${result.configFile}\n`);
  const [identity, encryption] = result.address.split("@")[0].split(".");
  if (output === "json") {
    io.print(JSON.stringify({
      version: result.config.client.version,
      id: result.config.client.id,
      identity_key: identity,
      encryption_key: encryption,
      gateway_id: result.gatewayId,
      gateway_listener: result.gatewayListener ?? null,
      fallback_listener: null,
      gateway_registration: result.registeredAt,
      address: result.address,
      client_listening_port: result.config.socket.listening_port,
      client_address: result.address,
    }));
  } else {
    io.print(`Version: ${result.config.client.version}`);
    io.print(`ID: ${result.config.client.id}`);
    io.print(`Identity key: ${identity}`);
    io.print(`Encryption: ${encryption}`);
    io.print(`Gateway ID: ${result.gatewayId}`);
    io.print(`Gateway: ${result.gatewayListener ?? "(not listed)"}`);
    io.print(`Registered at: ${result.registeredAt}`);
    io.print(`Client listening port: ${result.config.socket.listening_port}`);
    io.print(`Address of this client: ${result.address}`);
  }
  return 0;
}
