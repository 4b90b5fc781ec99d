/**
 * Reused outbound TCP connections, one per destination, as nym-node's mixnet client keeps
 * them (`common/client-libs/mixnet-client/src/client.rs`).
 *
 * @module
 */
import { type Logger, silentLogger } from "./log.ts";

/** Opens a TCP connection to `hostPort`; must honour `signal` (abort = give up). */
export type Connector = (hostPort: string, signal: AbortSignal) => Promise<Deno.Conn>;

/** Options of {@linkcode ConnectionPool}. */
export interface ConnectionPoolOptions {
  /**
   * Frames queued per destination before new ones are dropped (default 2000, nym-node's
   * `maximum_connection_buffer_size`).
   */
  readonly maxQueue?: number;
  /** Give up a connection attempt after this long (default 1500 ms, as nym-node). */
  readonly connectTimeoutMs?: number;
  /**
   * Wait before the n-th consecutive reconnection attempt: `initialBackoffMs · 2^(n−1)`,
   * capped at `maxBackoffMs`. Defaults 100 ms and 5 s (nym-node uses 10 s and 300 s, too slow
   * for a local network).
   */
  readonly initialBackoffMs?: number;
  /** Cap of the reconnection backoff (default 5000 ms). */
  readonly maxBackoffMs?: number;
  /** Most bytes coalesced into one socket write (default 64 KiB). */
  readonly maxWriteBytes?: number;
  /**
   * A socket write that makes no progress for this long (the peer stopped reading) closes the
   * connection and drops its batch (default 10 000 ms).
   */
  readonly writeTimeoutMs?: number;
  /** Maps the address a packet names to the address to dial (default: unchanged). */
  readonly resolveAddress?: (hostPort: string) => string;
  /** Opens connections (default: `Deno.connect`). */
  readonly connect?: Connector;
  /** Receives log lines (default: none). */
  readonly logger?: Logger;
}

/** Counters of a {@linkcode ConnectionPool}. */
export interface ConnectionPoolStats {
  /** Frames written to a socket. */
  readonly sent: number;
  /** Frames dropped because their destination's queue was full. */
  readonly droppedQueueFull: number;
  /** Frames dropped because connecting or writing failed. */
  readonly droppedSendFailure: number;
  /** Connections established. */
  readonly connects: number;
  /** Connection attempts that failed. */
  readonly connectFailures: number;
  /** Connections open now. */
  readonly openConnections: number;
  /** Frames waiting in queues now. */
  readonly queued: number;
}

interface Peer {
  readonly hostPort: string;
  queue: Uint8Array[];
  conn?: Deno.Conn;
  connecting?: AbortController;
  backoff?: ReturnType<typeof setTimeout>;
  writing: boolean;
  failures: number;
  full: boolean;
}

function parseHostPort(hostPort: string): { hostname: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):([0-9]{1,5})$/.exec(hostPort);
  if (!match) throw new TypeError(`not a host:port address: ${hostPort}`);
  return { hostname: match[1] ?? match[2], port: Number(match[3]) };
}

const denoConnector: Connector = (hostPort, signal) => {
  const { hostname, port } = parseHostPort(hostPort);
  return Deno.connect({ hostname, port, signal });
};

/**
 * Sends already-framed bytes to `host:port` destinations over one reused TCP connection per
 * destination. Connections are opened on first use and re-opened after a failure (after an
 * exponential backoff when attempts keep failing). Each destination has a bounded queue; a
 * frame that does not fit is dropped and counted, as nym-node does. When a connection attempt
 * fails, that destination's queue is dropped (nym-node loses the channel the same way).
 * The pool never reads from its connections except to notice that the peer closed them.
 *
 * @example
 * ```ts
 * import { ConnectionPool } from "./mod.ts";
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const pool = new ConnectionPool();
 * pool.send(`127.0.0.1:${listener.addr.port}`, new TextEncoder().encode("hello"));
 * const conn = await listener.accept();
 * const buffer = new Uint8Array(5);
 * await conn.read(buffer);
 * console.log(new TextDecoder().decode(buffer)); // "hello"
 * conn.close();
 * await pool.close();
 * listener.close();
 * ```
 */
export class ConnectionPool {
  readonly #maxQueue: number;
  readonly #connectTimeoutMs: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxWriteBytes: number;
  readonly #writeTimeoutMs: number;
  readonly #resolve: (hostPort: string) => string;
  readonly #connect: Connector;
  readonly #log: Logger;
  readonly #peers = new Map<string, Peer>();
  readonly #tasks = new Set<Promise<void>>();
  #closed = false;
  #sent = 0;
  #droppedQueueFull = 0;
  #droppedSendFailure = 0;
  #connects = 0;
  #connectFailures = 0;
  #idleWaiters: (() => void)[] = [];

  /** Creates an empty pool; nothing is opened until {@linkcode ConnectionPool.send}. */
  constructor(options: ConnectionPoolOptions = {}) {
    this.#maxQueue = options.maxQueue ?? 2000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 1500;
    this.#initialBackoffMs = options.initialBackoffMs ?? 100;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.#maxWriteBytes = options.maxWriteBytes ?? 65536;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
    this.#resolve = options.resolveAddress ?? ((a) => a);
    this.#connect = options.connect ?? denoConnector;
    this.#log = options.logger ?? silentLogger;
  }

  /** A snapshot of the counters. */
  get stats(): ConnectionPoolStats {
    let open = 0, queued = 0;
    for (const peer of this.#peers.values()) {
      if (peer.conn) open++;
      queued += peer.queue.length;
    }
    return {
      sent: this.#sent,
      droppedQueueFull: this.#droppedQueueFull,
      droppedSendFailure: this.#droppedSendFailure,
      connects: this.#connects,
      connectFailures: this.#connectFailures,
      openConnections: open,
      queued,
    };
  }

  /**
   * Queues `bytes` for `hostPort`. Returns false if the frame was dropped (queue full or
   * pool closed).
   *
   * @example
   * ```ts
   * import { ConnectionPool } from "./mod.ts";
   * const pool = new ConnectionPool();
   * await pool.close();
   * console.log(pool.send("127.0.0.1:9", new Uint8Array(3))); // false
   * ```
   */
  send(hostPort: string, bytes: Uint8Array): boolean {
    if (this.#closed) return false;
    let peer = this.#peers.get(hostPort);
    if (!peer) {
      peer = { hostPort, queue: [], writing: false, failures: 0, full: false };
      this.#peers.set(hostPort, peer);
    }
    if (peer.queue.length >= this.#maxQueue) {
      this.#droppedQueueFull++;
      if (!peer.full) {
        peer.full = true;
        this.#log({
          level: "warn",
          event: "packet.dropped.queue_full",
          message: `queue to ${hostPort} is full (${this.#maxQueue} frames); dropping`,
          peer: hostPort,
        });
      }
      return false;
    }
    peer.full = false;
    peer.queue.push(bytes);
    this.#pump(peer);
    return true;
  }

  /**
   * Resolves once every queue is empty (all queued frames were written or dropped).
   *
   * @example
   * ```ts
   * import { ConnectionPool } from "./mod.ts";
   * const pool = new ConnectionPool();
   * await pool.idle(); // nothing queued: resolves at once
   * await pool.close();
   * ```
   */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Closes every connection, cancels every timer and pending connection attempt, drops
   * queued frames, and resolves when all background work has ended.
   *
   * @example
   * ```ts
   * import { ConnectionPool } from "./mod.ts";
   * await new ConnectionPool().close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const peer of this.#peers.values()) {
      if (peer.backoff !== undefined) clearTimeout(peer.backoff);
      peer.backoff = undefined;
      peer.connecting?.abort();
      peer.queue = [];
      this.#closeConn(peer);
    }
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    this.#peers.clear();
    this.#notifyIdle();
  }

  #isIdle(): boolean {
    for (const peer of this.#peers.values()) if (peer.queue.length > 0) return false;
    return true;
  }

  #notifyIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  #pump(peer: Peer): void {
    if (this.#closed || peer.queue.length === 0) return;
    if (peer.conn) {
      if (!peer.writing) this.#track(this.#writeLoop(peer, peer.conn));
    } else if (!peer.connecting && peer.backoff === undefined) {
      const wait = peer.failures === 0
        ? 0
        : Math.min(this.#initialBackoffMs * 2 ** (peer.failures - 1), this.#maxBackoffMs);
      if (wait === 0) this.#track(this.#open(peer));
      else {
        peer.backoff = setTimeout(() => {
          peer.backoff = undefined;
          this.#track(this.#open(peer));
        }, wait);
      }
    }
  }

  async #open(peer: Peer): Promise<void> {
    if (this.#closed) return;
    const controller = new AbortController();
    peer.connecting = controller;
    const timer = setTimeout(() => controller.abort(), this.#connectTimeoutMs);
    let conn: Deno.Conn;
    try {
      conn = await this.#connect(this.#resolve(peer.hostPort), controller.signal);
    } catch (error) {
      peer.connecting = undefined;
      if (this.#closed) return;
      this.#connectFailures++;
      peer.failures++;
      const lost = peer.queue.length;
      this.#droppedSendFailure += lost;
      peer.queue = [];
      this.#log({
        level: "warn",
        event: "connection.failed",
        message: `cannot connect to ${peer.hostPort} (attempt ${peer.failures}): ${
          (error as Error)?.message ?? error
        }; dropped ${lost} queued frames`,
        peer: peer.hostPort,
      });
      this.#notifyIdle();
      return;
    } finally {
      clearTimeout(timer);
    }
    peer.connecting = undefined;
    if (this.#closed) {
      conn.close();
      return;
    }
    this.#connects++;
    peer.failures = 0;
    peer.conn = conn;
    this.#log({
      level: "debug",
      event: "connection.established",
      message: `connected to ${peer.hostPort}`,
      peer: peer.hostPort,
    });
    this.#track(this.#watch(peer, conn));
    this.#pump(peer);
  }

  /** Reads (and discards) until the peer closes the connection, then forgets it. */
  async #watch(peer: Peer, conn: Deno.Conn): Promise<void> {
    const sink = new Uint8Array(1024);
    try {
      while ((await conn.read(sink)) !== null) { /* nodes never answer; discard */ }
    } catch {
      // closed locally or reset by the peer
    }
    if (peer.conn === conn) {
      this.#log({
        level: "debug",
        event: "connection.closed_by_remote",
        message: `connection to ${peer.hostPort} closed`,
        peer: peer.hostPort,
      });
      this.#closeConn(peer);
      this.#pump(peer);
    }
  }

  async #writeLoop(peer: Peer, conn: Deno.Conn): Promise<void> {
    peer.writing = true;
    try {
      while (peer.queue.length > 0 && peer.conn === conn && !this.#closed) {
        let take = 0, bytes = 0;
        while (
          take < peer.queue.length &&
          (take === 0 || bytes + peer.queue[take].length <= this.#maxWriteBytes)
        ) {
          bytes += peer.queue[take].length;
          take++;
        }
        const batch = peer.queue.splice(0, take);
        const data = new Uint8Array(bytes);
        let offset = 0;
        for (const frame of batch) {
          data.set(frame, offset);
          offset += frame.length;
        }
        try {
          for (let written = 0; written < data.length;) {
            written += await this.#timedWrite(conn, data.subarray(written), peer.hostPort);
          }
          this.#sent += batch.length;
        } catch (error) {
          if (this.#closed) return;
          this.#droppedSendFailure += batch.length;
          this.#log({
            level: "warn",
            event: "connection.forward_error",
            message: `write to ${peer.hostPort} failed, dropped ${batch.length} frames: ${
              (error as Error)?.message ?? error
            }`,
            peer: peer.hostPort,
          });
          this.#closeConn(peer);
        }
      }
    } finally {
      peer.writing = false;
      this.#notifyIdle();
    }
    this.#pump(peer);
  }

  /** One `conn.write`; if it makes no progress in time the connection is closed (it throws). */
  async #timedWrite(conn: Deno.Conn, data: Uint8Array, hostPort: string): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        try {
          conn.close();
        } catch {
          // already closed
        }
        reject(new Error(`no progress writing to ${hostPort} for ${this.#writeTimeoutMs} ms`));
      }, this.#writeTimeoutMs);
    });
    try {
      return await Promise.race([conn.write(data), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  #closeConn(peer: Peer): void {
    const conn = peer.conn;
    peer.conn = undefined;
    if (!conn) return;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}
