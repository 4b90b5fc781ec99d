/**
 * The seed's TCP socket API (`nymtech/nym-mixnet` `client/rpc/tcpsocket/tcpsocket_server.go`):
 * length-prefixed protobuf `Request`s handled in order; the length-prefixed `Response`s are held
 * in a write buffer that goes out when a `flush` is answered, or, as with Go's 4 KiB
 * `bufio.Writer`, when the held bytes exceed 4 096. Loopback peers only.
 *
 * A malformed protobuf body is answered with an `exception` and the connection stays usable; a
 * length prefix that cannot be accepted (negative, over 1 MiB, an over-long varint) leaves the
 * stream unsynchronised: the held responses and an `exception` are written and the connection
 * is closed. At most {@linkcode MAX_SEED_TCP_SESSIONS} connections are served at once.
 *
 * @module
 */
import { isLoopbackAddress } from "./_loopback.ts";
import type { SeedApi } from "./seed_api.ts";
import {
  encodeSeedFrame,
  SEED_MAX_FRAME,
  SeedFrameDecoder,
  type SeedFraming,
  SeedFramingError,
} from "./seed_framing.ts";
import {
  decodeSeedRequest,
  encodeSeedResponse,
  SeedProtobufError,
  type SeedResponse,
} from "./seed_protobuf.ts";

/** Most TCP connections served at once (others are closed on accept). */
export const MAX_SEED_TCP_SESSIONS = 16;

/** Bytes of responses held before they are written without a `flush` (Go's bufio default). */
export const SEED_TCP_WRITE_BUFFER = 4096;

/** Something the TCP server did, for logs. */
export type SeedTcpEvent =
  | { readonly type: "appConnected"; readonly remote: string }
  | { readonly type: "appDisconnected"; readonly remote: string }
  | { readonly type: "refused"; readonly remote: string; readonly reason: string }
  | { readonly type: "framingError"; readonly remote: string; readonly error: string };

/** Options of {@linkcode serveSeedTcp}. */
export interface SeedTcpServerOptions {
  /** The handler. */
  readonly api: SeedApi;
  /** Address to bind (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port to bind (default 0: any free port). */
  readonly port?: number;
  /** Length prefix (default `varint`, as up to v0.2.x; `u64` from v0.3.0). */
  readonly framing?: SeedFraming;
  /** Largest request body (default 1 MiB). */
  readonly maxFrame?: number;
  /** Reports what happens. */
  readonly onEvent?: (event: SeedTcpEvent) => void;
}

/** A running TCP API. */
export interface SeedTcpServer {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** Closes every connection and the listener. */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/**
 * Serves `options.api` over TCP.
 *
 * @example
 * ```ts
 * import { serveSeedTcp } from "./seed_tcp_server.ts";
 * import { SeedApi } from "./seed_api.ts";
 * import { Recipient } from "../message/mod.ts";
 * import { defaultCrypto } from "../crypto/mod.ts";
 * const key = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
 * const address = new Recipient(key, new Uint8Array(32), key).toString();
 * const server = serveSeedTcp({ api: new SeedApi({ client: { address, send: () => {} } }) });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * await conn.write(new Uint8Array([0x04, 0x32, 0x00])); // flush
 * const answer = new Uint8Array(3);
 * await conn.read(answer);
 * console.log(answer); // Uint8Array(3) [ 4, 50, 0 ]
 * conn.close();
 * await server.close();
 * ```
 */
export function serveSeedTcp(options: SeedTcpServerOptions): SeedTcpServer {
  const framing = options.framing ?? "varint";
  const emit = (event: SeedTcpEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a failing listener must not break the API
    }
  };
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const conns = new Set<Deno.Conn>();
  const sessions = new Set<Promise<void>>();
  let closed = false;

  const serve = async (conn: Deno.Conn, remote: string) => {
    const decoder = new SeedFrameDecoder(framing, options.maxFrame ?? SEED_MAX_FRAME);
    let held: Uint8Array[] = [];
    let heldBytes = 0;
    const hold = (response: SeedResponse) => {
      const frame = encodeSeedFrame(encodeSeedResponse(response), framing);
      held.push(frame);
      heldBytes += frame.length;
    };
    const writeHeld = async () => {
      const out = new Uint8Array(heldBytes);
      let offset = 0;
      for (const frame of held) {
        out.set(frame, offset);
        offset += frame.length;
      }
      held = [];
      heldBytes = 0;
      if (out.length > 0) await writeAll(conn, out);
    };
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) return;
        const badFrame = async (error: SeedFramingError) => {
          emit({ type: "framingError", remote, error: error.message });
          hold({ type: "exception", error: `bad frame: ${error.message}` });
          await writeHeld();
        };
        let frames: Uint8Array[];
        try {
          frames = decoder.push(buffer.subarray(0, n));
        } catch (error) {
          if (!(error instanceof SeedFramingError)) throw error;
          return await badFrame(error);
        }
        for (const frame of frames) {
          let response: SeedResponse;
          try {
            response = await options.api.handle(decodeSeedRequest(frame), "tcp");
          } catch (error) {
            if (!(error instanceof SeedProtobufError)) throw error;
            response = { type: "exception", error: `malformed request: ${error.message}` };
          }
          hold(response);
          if (response.type === "flush" || heldBytes > SEED_TCP_WRITE_BUFFER) await writeHeld();
        }
        if (decoder.error) return await badFrame(decoder.error);
      }
    } catch {
      // the peer went away (reset, or closed under a write)
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed by close()
      }
      emit({ type: "appDisconnected", remote });
    }
  };

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        return; // listener closed
      }
      const addr = conn.remoteAddr as Deno.NetAddr;
      const remote = `${addr.hostname}:${addr.port}`;
      if (closed || !isLoopbackAddress(addr.hostname)) {
        emit({ type: "refused", remote, reason: "only local applications may use this API" });
        conn.close();
        continue;
      }
      if (conns.size >= MAX_SEED_TCP_SESSIONS) {
        emit({ type: "refused", remote, reason: `at most ${MAX_SEED_TCP_SESSIONS} connections` });
        conn.close();
        continue;
      }
      conns.add(conn);
      emit({ type: "appConnected", remote });
      const session = serve(conn, remote);
      sessions.add(session);
      session.finally(() => sessions.delete(session));
    }
  })();

  const addr = listener.addr as Deno.NetAddr;
  let closing: Promise<void> | undefined;
  const server: SeedTcpServer = {
    hostname: addr.hostname,
    port: addr.port,
    close() {
      closing ??= (async () => {
        closed = true;
        listener.close();
        await accepting;
        for (const conn of conns) {
          try {
            conn.close();
          } catch {
            // closing on its own
          }
        }
        await Promise.all([...sessions]);
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return server;
}
