/**
 * TLS over an exit connection for `https:` in `mixFetch`: `node:tls` (Deno, Node, Bun) over a
 * `Duplex` that carries our Web streams, certificates verified against the runtime's roots plus
 * any `ca` given. `node:tls` is imported lazily, so browser bundles never need it; where it is
 * missing, {@linkcode nodeTls} rejects with a `tlsUnavailable` {@linkcode MixFetchError}, and
 * another implementation can be injected as a {@linkcode TlsUpgrade}.
 *
 * @module
 */
import { MixFetchError } from "./exit_error.ts";

/** A byte stream pair (an exit connection, or the plaintext side of TLS). */
export interface ByteStreams {
  /** Bytes in. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes out. */
  readonly writable: WritableStream<Uint8Array>;
}

/** Options of a TLS client handshake. */
export interface TlsOptions {
  /** The server name (SNI and certificate check); an IP address is checked against IP SANs. */
  readonly servername: string;
  /** Extra trusted CA certificates (PEM), added to the default roots. */
  readonly ca?: string | readonly string[];
}

/** Runs a TLS client over `stream` and returns the plaintext streams. */
export type TlsUpgrade = (stream: ByteStreams, options: TlsOptions) => Promise<ByteStreams>;

// deno-lint-ignore no-explicit-any
type Any = any;

async function load(name: string): Promise<Any> {
  // A computed specifier keeps bundlers from resolving node built-ins for the browser build.
  const specifier = `node:${name}`;
  return await import(specifier);
}

/**
 * TLS through `node:tls`.
 *
 * @example
 * ```ts ignore
 * import { nodeTls, openConnection } from "@nym/mixnet/exit";
 * const tcp = openConnection(client, requester, "example.com:443");
 * const tls = await nodeTls(tcp, { servername: "example.com" });
 * ```
 */
export async function nodeTls(stream: ByteStreams, options: TlsOptions): Promise<ByteStreams> {
  let tls: Any, streamModule: Any;
  try {
    tls = await load("tls");
    streamModule = await load("stream");
  } catch (error) {
    throw new MixFetchError(
      "tlsUnavailable",
      "https needs node:tls, which this runtime lacks; pass a TLS implementation as `tls`",
      { cause: error },
    );
  }
  if (typeof tls?.connect !== "function") {
    throw new MixFetchError("tlsUnavailable", "node:tls has no connect() in this runtime");
  }
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  let reading = false;
  const duplex = new streamModule.Duplex({
    read(this: Any) {
      if (reading) return;
      reading = true;
      reader.read().then(({ value, done }: ReadableStreamReadResult<Uint8Array>) => {
        reading = false;
        this.push(done ? null : value);
      }, (error: Error) => this.destroy(error));
    },
    write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void) {
      writer.write(new Uint8Array(chunk)).then(() => callback(), callback);
    },
    final(callback: (error?: Error | null) => void) {
      writer.close().then(() => callback(), () => callback());
    },
    destroy(error: Error | null, callback: (error?: Error | null) => void) {
      reader.cancel().catch(() => {});
      callback(error);
    },
  });
  const extra = options.ca === undefined ? [] : [options.ca].flat();
  const isIp = /^[\d.]+$/.test(options.servername) || options.servername.includes(":");
  const socket = tls.connect({
    socket: duplex,
    servername: isIp ? undefined : options.servername,
    host: options.servername,
    ca: extra.length > 0 ? [...tls.rootCertificates, ...extra] : undefined,
    ALPNProtocols: ["http/1.1"],
    rejectUnauthorized: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  }).catch((error) => {
    socket.destroy();
    throw error;
  });
  let ended = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (data: Uint8Array) => {
        controller.enqueue(new Uint8Array(data));
        if ((controller.desiredSize ?? 0) <= 0) socket.pause();
      });
      socket.on("end", () => {
        if (ended) return;
        ended = true;
        controller.close();
      });
      // Bun reports an error after the peer's end; ignore errors once ended.
      socket.on("error", (error: Error) => {
        if (ended) return;
        ended = true;
        controller.error(error);
      });
      socket.on("close", () => {
        if (ended) return;
        ended = true;
        controller.close();
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      ended = true;
      socket.destroy();
    },
  }, { highWaterMark: 64 * 1024, size: (chunk: Uint8Array) => chunk.byteLength });
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise((resolve, reject) =>
        socket.write(chunk, (error?: Error | null) => error ? reject(error) : resolve())
      );
    },
    close() {
      return new Promise((resolve) => socket.end(resolve));
    },
    abort() {
      socket.destroy();
    },
  });
  return { readable, writable };
}
