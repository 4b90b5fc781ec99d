/**
 * `run`: starts an initialised client like `nym-client run`: the stored identity (same address
 * every run) authenticates with its registered gateway, and the native WebSocket API serves
 * local applications until SIGINT/SIGTERM, when the queue is flushed and the client
 * disconnects.
 *
 * @module
 */
import type { MixnetClient } from "../client/mixnet_client.ts";
import type { Clock } from "../internal/clock.ts";
import { ArgsError, parseArgs, portFlag } from "./_args.ts";
import { connectStored, loadClient } from "./_client_files.ts";
import { aborted, type CliIo } from "./cli_io.ts";
import { type NativeClientConfig, trafficFromConfig, withOverrides } from "./config.ts";
import { type NativeApiEvent, type NativeApiServer, serveNativeApi } from "./native_api_server.ts";
import { SeedApi, type SeedApiEvent } from "./seed_api.ts";
import { listPublicClients } from "./seed_directory.ts";
import type { SeedFraming } from "./seed_framing.ts";
import { type SeedTcpEvent, type SeedTcpServer, serveSeedTcp } from "./seed_tcp_server.ts";
import { StatusLine } from "./status_line.ts";
import { addressInUse, mainnetNotice } from "./_hints.ts";

/** Options of {@linkcode runClient}; flags override the config file. */
export interface RunOptions {
  /** The client id given to `init`. */
  readonly id: string;
  /** WebSocket API port (overrides `socket.listening_port`; 0 picks a free one). */
  readonly port?: number;
  /** WebSocket API address (overrides `socket.host`). */
  readonly host?: string;
  /** nym-api URLs (override `client.nym_api_urls`). */
  readonly nymApiUrls?: readonly string[];
  /** No cover traffic and no Poisson delay (overrides `[debug]`). */
  readonly noCover?: boolean;
  /** Do not serve the WebSocket API (as `socket_type = 'None'`). */
  readonly disableSocket?: boolean;
  /** Browser origins allowed besides loopback pages. */
  readonly allowedOrigins?: readonly string[];
  /** Environment (for `NYM_HOME`, `NYM_HOME_DIR`, `HOME`). */
  readonly env: (name: string) => string | undefined;
  /** Told, before connecting, when the client goes to Nym mainnet (no `--nym-api`). */
  readonly onNotice?: (line: string) => void;
  /** Reports what the API server does. */
  readonly onApiEvent?: (event: NativeApiEvent) => void;
  /**
   * Serve the seed's TCP API (`tcpsocket`) instead of the WebSocket API; `port` is then the
   * TCP port.
   */
  readonly seedTcp?: { readonly framing?: SeedFraming };
  /** Keep every received message for the seed API's `fetch` (`websocket`). */
  readonly seedPullOnly?: boolean;
  /** Reports what the seed API and its TCP server do. */
  readonly onSeedEvent?: (event: SeedApiEvent | SeedTcpEvent) => void;
  /** Aborts the start (the topology fetch). */
  readonly signal?: AbortSignal;
  /** Time and timers of the client (authentication timestamps included); the system clock by default. */
  readonly clock?: Clock;
}

/** A running client and its API. */
export interface RunningClient {
  /** The effective config (file plus flags). */
  readonly config: NativeClientConfig;
  /** The connected client. */
  readonly client: MixnetClient;
  /** The WebSocket API (with the seed API on `/mix`), unless disabled or TCP is served. */
  readonly api?: NativeApiServer;
  /** The seed API's state (its fetch buffer). */
  readonly seed: SeedApi;
  /** The seed's TCP API (`tcpsocket`). */
  readonly tcp?: SeedTcpServer;
  /** Stops the API, flushes the queue and disconnects. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Connects client `options.id` with its stored keys and registration and serves its API.
 *
 * @example
 * ```ts ignore
 * import { runClient } from "./run.ts";
 * await using running = await runClient({ id: "alice", port: 0, env: Deno.env.get });
 * console.log(running.client.address, running.api?.url);
 * ```
 */
export async function runClient(options: RunOptions): Promise<RunningClient> {
  const loaded = await loadClient(options.id, options.env);
  const config = withOverrides(loaded.config, {
    nymApiUrls: options.nymApiUrls,
    port: options.port,
    host: options.host,
    noCover: options.noCover,
  });
  const debug = trafficFromConfig(config);
  const notice = mainnetNotice(config.client.nym_api_urls);
  if (notice) options.onNotice?.(notice);
  const client = await connectStored({
    nymApiUrl: config.client.nym_api_urls,
    storage: loaded.storage,
    replyPersistence: loaded.replyStore,
    traffic: { preset: "default", ...debug.traffic },
    topologyRefreshMs: debug.topologyRefreshMs,
    signal: options.signal,
    clock: options.clock,
  });
  const seed = new SeedApi({
    client,
    gatewayListener: (await loaded.storage.registration())?.listener,
    listClients: () => listPublicClients(config.client.nym_api_urls),
    onEvent: options.onSeedEvent,
  });
  let api: NativeApiServer | undefined;
  let tcp: SeedTcpServer | undefined;
  let stopPump: (() => Promise<void>) | undefined;
  try {
    if (options.seedTcp) {
      tcp = serveSeedTcp({
        api: seed,
        hostname: config.socket.host,
        port: config.socket.listening_port,
        framing: options.seedTcp.framing,
        onEvent: options.onSeedEvent,
      });
      stopPump = seed.pump(client.messages);
    } else if (!options.disableSocket && config.socket.socket_type === "WebSocket") {
      api = serveNativeApi({
        client,
        hostname: config.socket.host,
        port: config.socket.listening_port,
        allowedOrigins: options.allowedOrigins,
        onEvent: options.onApiEvent,
        seed,
        seedPullOnly: options.seedPullOnly,
      });
    }
  } catch (error) {
    await client.disconnect({ timeoutMs: 0 });
    throw addressInUse(error, [["--port", config.socket.listening_port]]);
  }
  let closing: Promise<void> | undefined;
  const running: RunningClient = {
    config,
    client,
    api,
    seed,
    tcp,
    close() {
      closing ??= (async () => {
        await api?.close();
        await tcp?.close();
        await stopPump?.();
        await client.disconnect();
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return running.close();
    },
  };
  return running;
}

/** Usage of `run`. */
export const RUN_USAGE = `Usage: nym-client run --id <id> [options]

Runs an initialised client and serves the native WebSocket API until SIGINT/SIGTERM, and the
seed's socket API on /mix of the same port (see "websocket").

Options:
  --id <id>                 client id given to init
  --port <n>                WebSocket API port (overrides the config; 0 = any free port)
  --host <ip>               WebSocket API address (overrides the config)
  --nym-api <url>           nym-api endpoint; repeat or comma-separate (alias --nym-apis)
  --no-cover                no cover traffic and no Poisson delay (debugging only)
  --disable-socket <bool>   do not serve the WebSocket API
  --allow-origin <origin>   also accept browser pages from this origin ('*' for any)`;

/**
 * The `run` command: prints the address and API URL, shows a status line, and stops on
 * `io.signal`.
 *
 * @example
 * ```ts ignore
 * import { runCommand } from "./run.ts";
 * import { denoIo } from "./cli_io.ts";
 * await runCommand(["--id", "alice"], denoIo(new AbortController().signal));
 * ```
 */
export function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  return runAs("run", args, io);
}

/** Usage of `websocket`. */
export const WEBSOCKET_USAGE = `Usage: nym-client websocket --id <id> [--port <n>] [run options]

Runs an initialised client with the seed's socket API on ws://127.0.0.1:<port>/mix: protobuf
Request/Response in binary frames, jsonpb or the 0.x JSON API ("type") in text frames. Every
received message is kept for "fetch" (pull mode). The native API stays on "/".

Options: as "run".`;

/**
 * The `websocket` command: `run`, with every received message kept for the seed API's `fetch`.
 *
 * @example
 * ```ts ignore
 * import { websocketCommand } from "./run.ts";
 * import { denoIo } from "./cli_io.ts";
 * await websocketCommand(["--id", "alice", "--port", "9001"], denoIo(new AbortController().signal));
 * ```
 */
export function websocketCommand(args: readonly string[], io: CliIo): Promise<number> {
  return runAs("websocket", args, io);
}

/** Usage of `tcpsocket`. */
export const TCPSOCKET_USAGE =
  `Usage: nym-client tcpsocket --id <id> [--port <n>] [--framing varint|u64]

Runs an initialised client with the seed's TCP socket API on 127.0.0.1:<port>: length-prefixed
protobuf Requests; Responses are held until a "flush" request (or 4 KiB of them).

Options:
  --framing <varint|u64>    length prefix: Go zig-zag varint (seed up to v0.2.x, default) or
                            8-byte big-endian (v0.3.0 and later)
  and the options of "run" (--port is the TCP port).`;

/**
 * The `tcpsocket` command: `run` serving the seed's TCP API instead of the WebSocket API.
 *
 * @example
 * ```ts ignore
 * import { tcpsocketCommand } from "./run.ts";
 * import { denoIo } from "./cli_io.ts";
 * await tcpsocketCommand(["--id", "alice", "--port", "9001"], denoIo(new AbortController().signal));
 * ```
 */
export function tcpsocketCommand(args: readonly string[], io: CliIo): Promise<number> {
  return runAs("tcpsocket", args, io);
}

async function runAs(
  mode: "run" | "websocket" | "tcpsocket",
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["id", "port", "host", "disable-socket", ...(mode === "tcpsocket" ? ["framing"] : [])],
    list: ["nym-api", "nym-apis", "allow-origin"],
    boolean: ["no-cover"],
  });
  const id = parsed.strings.id;
  if (id === undefined) throw new ArgsError("--id is required");
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const disable = parsed.strings["disable-socket"];
  if (disable !== undefined && disable !== "true" && disable !== "false") {
    throw new ArgsError("--disable-socket is true or false");
  }
  const framing = parsed.strings.framing;
  if (framing !== undefined && framing !== "varint" && framing !== "u64") {
    throw new ArgsError("--framing is varint or u64");
  }
  const apis = [...(parsed.lists["nym-api"] ?? []), ...(parsed.lists["nym-apis"] ?? [])];
  io.writeError(`Starting client ${id}...\n`);

  const ref: { status?: StatusLine } = {};
  const log = (line: string) => ref.status ? ref.status.log(line) : io.writeError(`${line}\n`);
  const running = await runClient({
    id,
    port: portFlag(parsed, "port"),
    host: parsed.strings.host,
    nymApiUrls: apis.length > 0 ? apis : undefined,
    noCover: parsed.booleans["no-cover"],
    disableSocket: disable === "true",
    allowedOrigins: parsed.lists["allow-origin"],
    env: io.env,
    signal: io.signal,
    onNotice: (line) => io.writeError(`${line}\n`),
    seedTcp: mode === "tcpsocket" ? { framing } : undefined,
    seedPullOnly: mode === "websocket",
    onSeedEvent: (event) => {
      if (event.type === "dropped") {
        log(`fetch buffer full: dropped ${event.messages} oldest received message(s)`);
      }
      if (event.type === "framingError") log(`closed ${event.remote}: ${event.error}`);
      if (event.type === "clientsUnavailable") log(`getClients: ${event.error}`);
    },
    clock: io.clock,
    onApiEvent: (event) => {
      if (event.type === "appConnected") log(`application connected from ${event.remote}`);
      if (event.type === "appDisconnected") log(`application at ${event.remote} disconnected`);
      if (event.type === "refused") log(`refused ${event.remote}: ${event.reason}`);
      if (event.type === "dropped") {
        log(`no application connected: dropped ${event.messages} oldest received message(s)`);
      }
    },
  });
  const { client, api } = running;
  io.print(`Address of this client: ${client.address}`);
  if (api) io.print(`Running websocket on ${api.url}`);
  if (api) io.print(`Running seed API on ${api.url}/mix`);
  if (running.tcp) {
    io.print(`Running TCP socket on ${running.tcp.hostname}:${running.tcp.port}`);
  }
  if (api && !/^(127\.|::1$|\[::1\]$)/.test(running.config.socket.host)) {
    log(`listening on ${running.config.socket.host}, but only loopback peers are accepted`);
  }
  const status = ref.status = new StatusLine({
    client,
    write: io.writeError,
    tty: io.isTerminal,
    extra: () =>
      api
        ? (api.appConnected ? "app connected" : `app: none (${api.buffered} kept)`)
        : `fetch: ${running.seed.buffered} kept`,
  });
  status.start();
  const offError = client.on("error", (event) => log(`error: ${event.error.message}`));
  await aborted(io.signal);
  status.stop();
  status.log("shutting down: sending what is queued, then disconnecting");
  offError();
  await running.close();
  io.writeError("client stopped\n");
  return 0;
}
