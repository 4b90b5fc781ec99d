// Loading an initialised client's config and storage, and connecting it (shared by `run` and
// `send`).
import { connect, type ConnectOptions, STORAGE_KEYS } from "../client/connect.ts";
import { toBase58 } from "../internal/encoding.ts";
import type { MixnetClient } from "../client/mixnet_client.ts";
import { GatewayConnectError } from "../client/gateway_connect_error.ts";
import { GatewayProtocolError } from "../gateway/mod.ts";
import { systemClock } from "../internal/clock.ts";
import { CliError } from "./cli_error.ts";
import {
  type ClientDirectories,
  clientDirectories,
  type NativeClientConfig,
  parseConfig,
} from "./config.ts";
import { FileClientStorage } from "./file_storage.ts";
import { SqliteReplyStore } from "./sqlite_reply_store.ts";

export interface LoadedClient {
  readonly dirs: ClientDirectories;
  readonly config: NativeClientConfig;
  readonly storage: FileClientStorage;
  /** Nym's `persistent_reply_store.sqlite`: reply SURBs and keys across restarts. */
  readonly replyStore: SqliteReplyStore;
}

/** Reads client `id`'s config and checks that `init` registered it with a gateway. */
export async function loadClient(
  id: string,
  env: (name: string) => string | undefined,
): Promise<LoadedClient> {
  const dirs = clientDirectories(id, env);
  let text: string;
  try {
    text = await Deno.readTextFile(dirs.configFile);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CliError(
        "not-initialised",
        `client "${id}" is not initialised (no ${dirs.configFile}): run init first`,
      );
    }
    throw error;
  }
  const config = parseConfig(text);
  const storage = FileClientStorage.fromConfig(config);
  if (!(await storage.registration())) {
    throw new CliError(
      "not-registered",
      `client "${id}" has no gateway registration in ${storage.paths.registrationDatabase}: ` +
        "run init again (with --force)",
    );
  }
  const replyStore = new SqliteReplyStore(config.storage_paths.reply_surb_database);
  return { dirs, config, storage, replyStore };
}

/**
 * `connect()`, retried once when the gateway refuses the authentication timestamp: a gateway
 * wants each `authenticateV2` timestamp (whole seconds) strictly greater than the last one, so
 * a client restarted within the same second as its previous session is refused; one second
 * later (on `options.clock`) it is not.
 */
export async function connectStored(options: ConnectOptions): Promise<MixnetClient> {
  // A client with a registration stays at its gateway, as Nym's native client: its address
  // names that gateway, so moving to another candidate would change the address under the
  // application (and strand the reply SURBs it handed out). Only a fresh client picks one.
  const registered = options.gateway === undefined
    ? await options.storage?.get(STORAGE_KEYS.gateway)
    : undefined;
  if (registered) options = { ...options, gateway: toBase58(registered) };
  try {
    return await connect(options);
  } catch (error) {
    // connect() reports gateway refusals inside a GatewayConnectError, one per gateway tried
    const causes = error instanceof GatewayConnectError
      ? error.failures.map((f) => f.cause)
      : [error];
    const refusedTimestamp = causes.some((cause) =>
      cause instanceof GatewayProtocolError &&
      /timestamp is smaller (than )?or equal/.test(cause.message)
    );
    if (!refusedTimestamp) throw error;
    const clock = options.clock ?? systemClock;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 1050 - (clock.now() % 1000)));
    return await connect(options);
  }
}
