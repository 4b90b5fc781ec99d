/**
 * `socks5`: a SOCKS5 proxy (RFC 1928: CONNECT, no authentication, IPv4/IPv6/domain targets) on
 * loopback that carries every connection through the mixnet to a network requester, like
 * Nym's `nym-socks5-client`. Domain names are resolved by the requester
 * (`curl --socks5-hostname`).
 *
 * Unlike Nym's client, which answers "succeeded" before the remote connect, we wait for the
 * requester's first answer so a refused or unreachable target gets a proper SOCKS error code
 * (`02` not allowed, `05` refused). Requesters that announce nothing (Nym's) are assumed
 * connected after `connectWaitMs`.
 *
 * @module
 */
import type { MixnetClient } from "../client/mixnet_client.ts";
import {
  ExitConnectionError,
  openConnection,
  parseSocks5Greeting,
  parseSocks5Request,
  SOCKS5_REPLY,
  Socks5Error,
  socks5Reply,
} from "../exit/mod.ts";
import { ArgsError, parseArgs, portFlag } from "./_args.ts";
import { connectStoredClient } from "./_exit_client.ts";
import { aborted, type CliIo } from "./cli_io.ts";
import { StatusLine } from "./status_line.ts";

/** Options of {@linkcode serveSocks5}. */
export interface Socks5ServerOptions {
  /** The mixnet client connections go through. */
  readonly client: MixnetClient;
  /** The network requester's Nym address. */
  readonly provider: string;
  /** Listening port (default 1080; 0 picks a free one). */
  readonly port?: number;
  /** Listening address (default 127.0.0.1). */
  readonly hostname?: string;
  /** Hide our address from the requester (default true). */
  readonly anonymous?: boolean;
  /** How long to wait for the requester's first answer before assuming success (5000 ms). */
  readonly connectWaitMs?: number;
  /** Largest handshake accepted, in bytes, and its deadline (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Reports each connection. */
  readonly onEvent?: (event: Socks5Event) => void;
}

/** What the proxy reports. */
export type Socks5Event =
  | { readonly type: "open"; readonly target: string }
  | { readonly type: "refused"; readonly target: string; readonly reason: string }
  | { readonly type: "closed"; readonly target: string; readonly error?: string }
  | { readonly type: "handshakeFailed"; readonly reason: string };

/** A running proxy. */
export interface Socks5Server {
  /** The bound port. */
  readonly port: number;
  /** Connections being proxied. */
  readonly active: number;
  /** Stops listening and ends every connection. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Serves SOCKS5 on loopback through `options.client`.
 *
 * @example
 * ```ts ignore
 * import { serveSocks5 } from "./socks5.ts";
 * await using proxy = serveSocks5({ client, provider: requesterAddress, port: 0 });
 * console.log(proxy.port);
 * ```
 */
export function serveSocks5(options: Socks5ServerOptions): Socks5Server {
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 1080,
  });
  const emit = options.onEvent ?? (() => {});
  const connections = new Set<Deno.TcpConn>();
  const exits = new Set<{ abort(reason?: unknown): void }>();
  const tasks = new Set<Promise<void>>();
  const waitMs = options.connectWaitMs ?? 5000;
  const handshakeMs = options.handshakeTimeoutMs ?? 10_000;

  async function handle(conn: Deno.TcpConn): Promise<void> {
    const reader = conn.readable.getReader();
    const writer = conn.writable.getWriter();
    let buffer = new Uint8Array(0);
    const more = async () => {
      const { value, done } = await reader.read();
      if (done) throw new Socks5Error("client closed during the handshake");
      const next = new Uint8Array(buffer.length + value.length);
      next.set(buffer);
      next.set(value, buffer.length);
      buffer = next;
      if (buffer.length > 1024) throw new Socks5Error("handshake too long");
    };
    let deadline: ReturnType<typeof setTimeout> | undefined;
    let target = "";
    try {
      deadline = setTimeout(() => conn.close(), handshakeMs);
      let greeting;
      while (!(greeting = parseSocks5Greeting(buffer))) await more();
      buffer = buffer.subarray(greeting.length);
      if (!greeting.methods.includes(0)) {
        await writer.write(Uint8Array.of(5, 0xff));
        throw new Socks5Error("the client offers no method we support (only no-auth)");
      }
      await writer.write(Uint8Array.of(5, 0));
      let request;
      for (;;) {
        try {
          request = parseSocks5Request(buffer);
        } catch (error) {
          if (error instanceof Socks5Error && error.reply !== undefined) {
            await writer.write(socks5Reply(error.reply));
          }
          throw error;
        }
        if (request) break;
        await more();
      }
      clearTimeout(deadline);
      deadline = undefined;
      target = request.target;
      const early = buffer.subarray(request.length);
      const exit = openConnection(options.client, options.provider, target, {
        anonymous: options.anonymous,
      });
      exits.add(exit);
      exit.closed.then(() => exits.delete(exit), () => exits.delete(exit));
      let waitTimer: ReturnType<typeof setTimeout> | undefined;
      const outcome = await Promise.race([
        exit.opened.then(() => undefined, (error: Error) => error),
        new Promise<undefined>((resolve) =>
          waitTimer = setTimeout(() => resolve(undefined), waitMs)
        ),
      ]);
      clearTimeout(waitTimer);
      if (outcome) {
        const code = outcome instanceof ExitConnectionError && outcome.kind === "refused"
          ? SOCKS5_REPLY.notAllowed
          : outcome instanceof ExitConnectionError && outcome.kind === "unreachable"
          ? SOCKS5_REPLY.connectionRefused
          : SOCKS5_REPLY.generalFailure;
        await writer.write(socks5Reply(code));
        emit({ type: "refused", target, reason: outcome.message });
        exit.abort(outcome);
        return;
      }
      await writer.write(socks5Reply(SOCKS5_REPLY.succeeded));
      emit({ type: "open", target });
      // Both directions, each ending the other side's half.
      const up = (async () => {
        const out = exit.writable.getWriter();
        try {
          if (early.length > 0) await out.write(early.slice());
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            await out.write(value);
          }
          await out.close();
        } catch (error) {
          await out.abort(error).catch(() => {});
          throw error;
        }
      })();
      const down = (async () => {
        const input = exit.readable.getReader();
        for (;;) {
          const { value, done } = await input.read();
          if (done) break;
          await writer.write(value);
        }
        await conn.closeWrite().catch(() => {});
      })();
      const results = await Promise.allSettled([up, down]);
      const failure = results.find((r) => r.status === "rejected");
      emit({
        type: "closed",
        target,
        error: failure ? String((failure as PromiseRejectedResult).reason) : undefined,
      });
    } catch (error) {
      if (!target) emit({ type: "handshakeFailed", reason: String(error) });
      else emit({ type: "closed", target, error: String(error) });
    } finally {
      if (deadline !== undefined) clearTimeout(deadline);
      connections.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      conn.setNoDelay(true);
      connections.add(conn);
      const task = handle(conn);
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })();

  let closing: Promise<void> | undefined;
  const server: Socks5Server = {
    port: (listener.addr as Deno.NetAddr).port,
    get active() {
      return connections.size;
    },
    close() {
      closing ??= (async () => {
        listener.close();
        await accepting;
        for (const exit of exits) exit.abort("the proxy is closing");
        for (const conn of connections) {
          try {
            conn.close();
          } catch {
            // already closed
          }
        }
        await Promise.allSettled([...tasks]);
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return server;
}

/** Usage of `socks5`. */
export const SOCKS5_USAGE = `Usage: nym-client socks5 --id <id> --provider <address> [options]

Runs a SOCKS5 proxy on loopback that sends every connection through the mixnet to a network
requester (e.g. curl --socks5-hostname 127.0.0.1:1080 https://example.com/).

Options:
  --id <id>                 client id given to init
  --provider <address>      the network requester's Nym address
  --port <n>                listening port (default 1080; 0 = any free port)
  --host <ip>               listening address (default 127.0.0.1)
  --nym-api <url>           nym-api endpoint (overrides the config)
  --no-cover                no cover traffic and no Poisson delay (debugging only)
  --use-return-address      put our address in each Connect instead of using reply SURBs`;

/**
 * The `socks5` command.
 *
 * @example
 * ```ts ignore
 * import { socks5Command } from "./socks5.ts";
 * import { denoIo } from "./cli_io.ts";
 * await socks5Command(["--id", "alice", "--provider", "<address>"], denoIo(new AbortController().signal));
 * ```
 */
export async function socks5Command(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["id", "provider", "port", "host"],
    list: ["nym-api"],
    boolean: ["no-cover", "use-return-address"],
  });
  const id = parsed.strings.id;
  const provider = parsed.strings.provider;
  if (id === undefined) throw new ArgsError("--id is required");
  if (provider === undefined) throw new ArgsError("--provider is required");
  if (parsed.positional.length > 0) throw new ArgsError(`unexpected ${parsed.positional[0]}`);
  const host = parsed.strings.host ?? "127.0.0.1";
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    throw new ArgsError("--host must be a loopback address (the proxy has no authentication)");
  }
  io.writeError(`Starting socks5 client ${id}...\n`);
  const client = await connectStoredClient({
    id,
    env: io.env,
    nymApiUrls: parsed.lists["nym-api"],
    noCover: parsed.booleans["no-cover"],
    signal: io.signal,
  });
  const ref: { status?: StatusLine } = {};
  const log = (line: string) => ref.status ? ref.status.log(line) : io.writeError(`${line}\n`);
  let proxy: Socks5Server;
  try {
    proxy = serveSocks5({
      client,
      provider,
      port: portFlag(parsed, "port") ?? 1080,
      hostname: host,
      anonymous: !parsed.booleans["use-return-address"],
      onEvent: (event) => {
        if (event.type === "open") log(`connection to ${event.target}`);
        if (event.type === "refused") log(`${event.target} refused: ${event.reason}`);
        if (event.type === "closed" && event.error) log(`${event.target} failed: ${event.error}`);
        if (event.type === "handshakeFailed") log(`SOCKS handshake failed: ${event.reason}`);
      },
    });
  } catch (error) {
    await client.disconnect({ timeoutMs: 0 });
    throw error;
  }
  io.print(`Address of this client: ${client.address}`);
  io.print(`SOCKS5 proxy listening on ${host}:${proxy.port}`);
  const status = ref.status = new StatusLine({
    client,
    write: io.writeError,
    tty: io.isTerminal,
    extra: () => `${proxy.active} proxied`,
  });
  status.start();
  await aborted(io.signal);
  status.stop();
  status.log("shutting down");
  await proxy.close();
  await client.disconnect();
  io.writeError("socks5 client stopped\n");
  return 0;
}
