/**
 * The Deno adapter of {@linkcode ExitTransport}: `node:dns` `lookup` (the system resolver, so
 * `/etc/hosts` applies, as Rust's `lookup_host`; `localhost` names are loopback without a
 * lookup, RFC 6761) and `Deno.connect` with TCP_NODELAY.
 *
 * @module
 */
import type { ExitTransport, TcpConnection } from "./transport.ts";
import { parseIp } from "./ip_address.ts";

/** The part of a Deno TCP connection the transport uses. */
interface DenoTcpConn {
  readonly readable: ReadableStream<Uint8Array>;
  setNoDelay(noDelay: boolean): void;
  write(chunk: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
}

/** `Deno.connect`, looked up at run time so that other runtimes' type checks and bundles work. */
function denoConnect(): (options: {
  hostname: string;
  port: number;
  transport: "tcp";
}) => Promise<DenoTcpConn> {
  const deno = (globalThis as { Deno?: { connect?: unknown } }).Deno;
  if (typeof deno?.connect !== "function") throw new TypeError("denoTransport() needs Deno");
  return deno.connect.bind(deno) as ReturnType<typeof denoConnect>;
}

/** `node:dns`, imported lazily (Deno has it; a browser bundle never needs it). */
interface NodeDns {
  promises: {
    lookup(
      host: string,
      options: { all: true; verbatim: boolean },
    ): Promise<{ address: string }[]>;
  };
}

/**
 * TCP and DNS through Deno's APIs.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { denoTransport, serveNetworkRequester } from "@nym/mixnet/exit";
 * const client = await connect();
 * const requester = serveNetworkRequester(client, { transport: denoTransport() });
 * ```
 */
export function denoTransport(): ExitTransport {
  return {
    async resolve(host: string): Promise<string[]> {
      if (parseIp(host)) return [host.replace(/^\[|\]$/g, "")];
      // RFC 6761: localhost names are loopback; answered without a lookup (which also needs no
      // network permission for the name).
      if (/^(.+\.)?localhost\.?$/i.test(host)) return ["127.0.0.1", "::1"];
      const specifier = "node:dns";
      const dns = await import(specifier) as NodeDns;
      const found = await dns.promises.lookup(host, { all: true, verbatim: true });
      return found.map((a) => a.address);
    },
    async connect(ip: string, port: number): Promise<TcpConnection> {
      const conn = await denoConnect()({ hostname: ip, port, transport: "tcp" });
      conn.setNoDelay(true);
      let closed = false;
      return {
        readable: conn.readable,
        writable: new WritableStream<Uint8Array>({
          async write(chunk) {
            let at = 0;
            while (at < chunk.length) at += await conn.write(chunk.subarray(at));
          },
          async close() {
            if (!closed) await conn.closeWrite().catch(() => {});
          },
        }),
        close() {
          if (closed) return;
          closed = true;
          try {
            conn.close();
          } catch {
            // already closed
          }
        },
      };
    },
  };
}
