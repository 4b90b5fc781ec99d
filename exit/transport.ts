/**
 * What the network requester needs from the runtime to reach the internet, injected so the
 * requester itself stays on Web standards: name resolution and TCP connections as Web streams.
 * `denoTransport()` (in `deno_transport.ts`) is the Deno adapter.
 *
 * @module
 */

/** One TCP connection as Web streams. */
export interface TcpConnection {
  /** Bytes from the remote host; ends at its EOF. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the remote host; `close()` half-closes (FIN). */
  readonly writable: WritableStream<Uint8Array>;
  /** Closes both directions at once. */
  close(): void;
}

/** Resolution and connection to the outside network. */
export interface ExitTransport {
  /** Resolves a host name to its IP addresses (text form); an IP literal resolves to itself. */
  resolve(host: string): Promise<string[]>;
  /** Opens a TCP connection to an IP address. */
  connect(ip: string, port: number): Promise<TcpConnection>;
}
