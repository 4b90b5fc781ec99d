/**
 * A Nym mixnode for the local network: TCP in, Sphinx processing, per-hop delay, TCP out.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../../crypto/mod.ts";
import {
  decodeNodeAddress,
  type FinalHop,
  packetSizeFromLength,
  processPacket,
  SphinxError,
} from "../../sphinx/mod.ts";
import {
  CURRENT_FRAME_VERSION,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FramingError,
  isOutfoxSize,
  LEGACY_FRAME_VERSION,
  PACKET_TYPE_MIX,
} from "../framing/mod.ts";
import { ConnectionPool, type ConnectionPoolOptions } from "./connection_pool.ts";
import { consoleLogger, type Logger } from "./log.ts";
import { runAcceptLoop } from "../_accept_loop.ts";
import { ReplayFilter, type ReplayFilterOptions } from "./replay_filter.ts";

/** Faults a test can inject into a {@linkcode Mixnode}; changeable while it runs. */
export interface MixnodeFaults {
  /** Probability in [0, 1] of silently dropping each received frame (default 0). */
  readonly dropRate?: number;
  /** Extra hold time added to every forwarded packet, in ms (default 0). */
  readonly addedLatencyMs?: number;
  /**
   * A further hold time drawn uniformly from [0, this) ms for each packet (default 0), so that
   * packets sent in order leave out of order.
   */
  readonly reorderJitterMs?: number;
  /** Uniform [0, 1) source for `dropRate` and `reorderJitterMs` (default `Math.random`). */
  readonly random?: () => number;
}

/** A Sphinx key of one key rotation. */
export interface MixnodeSphinxKey {
  /** The rotation id (its parity is what packets name: odd 1, even 2). */
  readonly rotationId: number;
  /** X25519 secret key, 32 bytes. */
  readonly secretKey: Uint8Array;
}

/** Options of {@linkcode startMixnode}. */
export interface MixnodeOptions {
  /** Ed25519 identity secret key, 32 bytes (random by default). */
  readonly identity?: Uint8Array;
  /** X25519 Sphinx secret key, 32 bytes (random by default). */
  readonly sphinxSecretKey?: Uint8Array;
  /** Address to listen on (default `"127.0.0.1"`). */
  readonly hostname?: string;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** Longest hold of a forward packet, in ms (default 10 000, nym-node's default). */
  readonly maxDelayMs?: number;
  /**
   * Replay protection (default on): `true`, `false`, or {@linkcode ReplayFilterOptions} for
   * the filter's size.
   */
  readonly replayProtection?: boolean | ReplayFilterOptions;
  /**
   * Frame forwarded packets with the 3-byte version 7 header (default true, nym-node's
   * `use_legacy_packet_encoding`); false uses version 8 and carries the key rotation byte.
   */
  readonly legacyPacketEncoding?: boolean;
  /** Receives log lines (default: warnings and errors to `console.error`). */
  readonly logger?: Logger;
  /** Injected faults. */
  readonly faults?: MixnodeFaults;
  /** Maps the next hop's `ip:port` from the Sphinx header to the address to dial. */
  readonly resolveAddress?: (hostPort: string) => string;
  /** Outbound connection tuning (queue size, timeouts, backoff). */
  readonly connections?: Omit<ConnectionPoolOptions, "logger" | "resolveAddress">;
  /** Primitive provider (default {@linkcode defaultCrypto}). */
  readonly crypto?: CryptoProvider;
  /**
   * Makes this node a final hop (a gateway's mix side): final-hop packets are handed here,
   * with the frame they came in, instead of being dropped.
   */
  readonly onFinalHop?: (hop: FinalHop, frame: Frame) => void;
  /**
   * Which next hops packets may be forwarded to (default: any). The localnet passes the nodes
   * of its current topology, so a packet naming any other `host:port` is dropped instead of
   * making this node dial it.
   */
  readonly isKnownNode?: (hostPort: string) => boolean;
  /** Most inbound connections open at once; further ones are closed at once (default 1024). */
  readonly maxConnections?: number;
  /**
   * Time a started frame may take to arrive completely (default 10 000 ms); beyond it the
   * connection is closed, so a slow sender cannot hold a buffer forever.
   */
  readonly frameTimeoutMs?: number;
}

/** Counters of a {@linkcode Mixnode}. */
export interface MixnodeStats {
  /** Inbound connections accepted. */
  readonly connectionsAccepted: number;
  /** Inbound connections open now. */
  readonly connectionsOpen: number;
  /** Inbound connections closed because of a malformed frame. */
  readonly connectionsCorrupted: number;
  /** Frames decoded. */
  readonly framesReceived: number;
  /** Packets handed to the outbound queues after their delay. */
  readonly forwarded: number;
  /** Frames written to outbound sockets. */
  readonly sent: number;
  /** Packets being held for their delay now. */
  readonly pendingDelays: number;
  /** Frames dropped by the `dropRate` fault. */
  readonly droppedFault: number;
  /** Packets dropped as replays. */
  readonly droppedReplay: number;
  /** Packets that failed Sphinx processing (bad MAC, key, address…). */
  readonly droppedMalformed: number;
  /** Final-hop packets (a mixnode is never a final hop). */
  readonly droppedFinalHop: number;
  /** Outfox packets (not processed by this node). */
  readonly droppedUnsupported: number;
  /** Packets dropped because an outbound queue was full. */
  readonly droppedQueueFull: number;
  /** Packets dropped because connecting or writing to the next hop failed. */
  readonly droppedSendFailure: number;
  /** Packets dropped because their next hop is not a node of the topology. */
  readonly droppedUnknownHop: number;
  /** Inbound connections refused at the connection cap. */
  readonly connectionsRefused: number;
  /** Inbound connections closed because a frame did not complete in time. */
  readonly connectionsTimedOut: number;
}

/** A running mixnode. */
export interface Mixnode {
  /** The listening address, `ip:port` (`[ip]:port` for IPv6). */
  readonly hostPort: string;
  /** The listening IP. */
  readonly hostname: string;
  /** The listening port. */
  readonly port: number;
  /** Ed25519 identity public key, 32 bytes. */
  readonly identityKey: Uint8Array;
  /** Ed25519 identity secret key, 32 bytes (kept so the node can be restarted). */
  readonly identitySecretKey: Uint8Array;
  /** X25519 Sphinx public key, 32 bytes. */
  readonly sphinxPublicKey: Uint8Array;
  /** X25519 Sphinx secret key, 32 bytes. */
  readonly sphinxSecretKey: Uint8Array;
  /** A snapshot of the counters. */
  readonly stats: MixnodeStats;
  /** Replaces the injected faults. */
  setFaults(faults: MixnodeFaults): void;
  /**
   * Sphinx keys by key rotation, primary first and at most one secondary (the pre-announced
   * next key, or the previous one during the first epoch of a rotation), as nym-node keeps them
   * (`nym-node/src/node/key_rotation/`). A packet whose rotation byte says odd or even uses the
   * key of that parity and is dropped when there is none (the key was purged); an unknown (0)
   * rotation tries the primary key, then the secondary (`nym-node/src/node/mixnet/handler.rs`).
   * Until called, `sphinxSecretKey` is the only key.
   */
  setSphinxKeys(keys: readonly MixnodeSphinxKey[]): void;
  /**
   * Frames a Sphinx packet this node originates (a gateway forwarding a client's packet or a
   * SURB-ACK) and queues it on the connection to `hostPort` at once. Returns false when the
   * packet is not of a Nym size or the queue is full.
   */
  send(hostPort: string, packet: Uint8Array, keyRotation?: number): boolean;
  /** Resolves when no packet is held for its delay and every outbound queue is empty. */
  idle(): Promise<void>;
  /**
   * Stops listening, cancels every held packet, closes every connection; resolves when all
   * background work has ended. Idempotent.
   */
  close(): Promise<void>;
  /** Closes this node (if needed) and starts it again with the same keys, address and options. */
  restart(overrides?: Omit<MixnodeOptions, "identity" | "sphinxSecretKey">): Promise<Mixnode>;
}

function randomKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

function formatHostPort(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

function peerOf(conn: Deno.Conn): string {
  const addr = conn.remoteAddr as Deno.NetAddr;
  return formatHostPort(addr.hostname, addr.port);
}

/**
 * Starts a mixnode listening on TCP (`127.0.0.1`, any free port by default).
 *
 * For every frame ({@link https://github.com/nymtech/nym nym-node}
 * `nym-node/src/node/mixnet/handler.rs`): optional fault drop; Outfox frames are refused;
 * {@linkcode processPacket} with the Sphinx key, checking the replay tag before the payload
 * is decrypted (a tag enters the filter only once the packet processed cleanly); a forward
 * packet is held for its header delay (ns, capped at `maxDelayMs`) and then framed again
 * with the same packet size, type and key rotation and queued on the reused connection to
 * the next hop; a final-hop packet is logged and dropped. A malformed frame closes only its
 * connection.
 *
 * @example
 * ```ts
 * import { startMixnode } from "./mod.ts";
 * const node = await startMixnode({ maxDelayMs: 1000 });
 * console.log(node.hostPort.startsWith("127.0.0.1:"), node.sphinxPublicKey.length); // true 32
 * await node.close();
 * ```
 */
export function startMixnode(options: MixnodeOptions = {}): Promise<Mixnode> {
  // Errors thrown while starting (bad keys, port in use) become rejections.
  return new Promise((resolve) => resolve(createMixnode(options)));
}

function createMixnode(options: MixnodeOptions): Mixnode {
  const c = options.crypto ?? defaultCrypto();
  const identitySecretKey = options.identity ?? randomKey();
  const sphinxSecretKey = options.sphinxSecretKey ?? randomKey();
  if (identitySecretKey.length !== 32 || sphinxSecretKey.length !== 32) {
    throw new TypeError("mixnode keys must be 32 bytes");
  }
  const identityKey = c.ed25519PublicKey(identitySecretKey);
  let sphinxKeys: readonly MixnodeSphinxKey[] | undefined;
  const processWithRotation = (packet: Uint8Array, rotation: number) => {
    const isReplay = filter ? (tag: Uint8Array) => filter.has(tag) : undefined;
    if (!sphinxKeys) return processPacket(packet, sphinxSecretKey, { crypto: c, isReplay });
    const keys = rotation === 0
      ? sphinxKeys
      : sphinxKeys.filter((k) => (k.rotationId % 2 === 1 ? 1 : 2) === rotation);
    if (keys.length === 0) {
      throw new SphinxError("mac", `the ${rotation === 1 ? "odd" : "even"} key expired`);
    }
    for (let i = 0;; i++) {
      try {
        return processPacket(packet, keys[i].secretKey, { crypto: c, isReplay });
      } catch (error) {
        const replay = error instanceof SphinxError && error.kind === "replay";
        if (replay || i === keys.length - 1) throw error;
      }
    }
  };
  const sphinxPublicKey = c.x25519PublicKey(sphinxSecretKey);
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const outVersion = (options.legacyPacketEncoding ?? true)
    ? LEGACY_FRAME_VERSION
    : CURRENT_FRAME_VERSION;
  const replay = options.replayProtection ?? true;
  const filter = replay === false ? undefined : new ReplayFilter(replay === true ? {} : replay);
  let faults: MixnodeFaults = options.faults ?? {};

  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    transport: "tcp",
  });
  const hostname = listener.addr.hostname;
  const port = listener.addr.port;
  const hostPort = formatHostPort(hostname, port);
  const log = options.logger ?? consoleLogger(`[mixnode ${hostPort}]`);
  const pool = new ConnectionPool({
    ...options.connections,
    logger: log,
    resolveAddress: options.resolveAddress,
  });

  const inbound = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const idleWaiters: (() => void)[] = [];
  let closing: Promise<void> | undefined;
  const counts = {
    connectionsAccepted: 0,
    connectionsCorrupted: 0,
    framesReceived: 0,
    forwarded: 0,
    droppedFault: 0,
    droppedReplay: 0,
    droppedMalformed: 0,
    droppedFinalHop: 0,
    droppedUnsupported: 0,
    droppedUnknownHop: 0,
    connectionsRefused: 0,
    connectionsTimedOut: 0,
  };
  const maxConnections = options.maxConnections ?? 1024;
  const frameTimeoutMs = options.frameTimeoutMs ?? 10_000;
  const stop = new AbortController();

  const notifyIdle = () => {
    if (timers.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const forward = (destination: string, frame: Uint8Array) => {
    counts.forwarded++;
    pool.send(destination, frame);
    log({
      level: "debug",
      event: "packet.forwarded",
      message: `forwarded to ${destination}`,
      peer: destination,
    });
  };

  const onFrame = (frame: Frame, peer: string) => {
    counts.framesReceived++;
    const f = faults;
    if ((f.dropRate ?? 0) > 0 && (f.random ?? Math.random)() < (f.dropRate ?? 0)) {
      counts.droppedFault++;
      log({ level: "debug", event: "packet.dropped.fault", message: "dropped by fault", peer });
      return;
    }
    if (frame.packetType !== PACKET_TYPE_MIX || isOutfoxSize(frame.packetSize)) {
      counts.droppedUnsupported++;
      log({
        level: "warn",
        event: "packet.dropped.unsupported",
        message: `refusing ${frame.packetSize.name} packet of type ${frame.packetType}`,
        peer,
      });
      return;
    }
    let processed;
    try {
      processed = processWithRotation(frame.packet, frame.keyRotation);
    } catch (error) {
      if (error instanceof SphinxError && error.kind === "replay") {
        counts.droppedReplay++;
        log({ level: "warn", event: "packet.dropped.replay", message: "replayed packet", peer });
      } else {
        counts.droppedMalformed++;
        log({
          level: "warn",
          event: "packet.dropped.malformed",
          message: `dropping malformed packet: ${(error as Error)?.message ?? error}`,
          peer,
        });
      }
      return;
    }
    filter?.add(processed.replayTag);
    if (processed.kind === "final" && options.onFinalHop) {
      options.onFinalHop(processed, frame);
      return;
    }
    if (processed.kind === "final") {
      counts.droppedFinalHop++;
      log({
        level: "warn",
        event: "packet.dropped.final_hop",
        message: "a mixnode is not a final hop; dropping",
        peer,
      });
      return;
    }
    let destination: string;
    try {
      destination = decodeNodeAddress(processed.nextHop).hostPort;
    } catch (error) {
      counts.droppedMalformed++;
      log({
        level: "warn",
        event: "packet.dropped.malformed",
        message: `bad next hop address: ${(error as Error).message}`,
        peer,
      });
      return;
    }
    if (options.isKnownNode && !options.isKnownNode(destination)) {
      counts.droppedUnknownHop++;
      log({
        level: "warn",
        event: "packet.dropped.unknown_hop",
        message: `next hop ${destination} is not a node of the topology`,
        peer,
      });
      return;
    }
    const bytes = encodeFrame({
      version: outVersion,
      packetSize: frame.packetSize,
      packetType: frame.packetType,
      keyRotation: frame.keyRotation,
      packet: processed.packet,
    });
    const jitterMs = (f.reorderJitterMs ?? 0) > 0
      ? Math.floor((f.random ?? Math.random)() * f.reorderJitterMs!)
      : 0;
    const delayMs = Math.min(Math.ceil(Number(processed.delay) / 1e6), maxDelayMs) +
      Math.max(0, f.addedLatencyMs ?? 0) + jitterMs;
    if (delayMs <= 0) {
      forward(destination, bytes);
      return;
    }
    log({
      level: "debug",
      event: "packet.held",
      message: `holding packet for ${delayMs} ms`,
      peer,
    });
    const timer = setTimeout(() => {
      timers.delete(timer);
      forward(destination, bytes);
      notifyIdle();
    }, delayMs);
    timers.add(timer);
  };

  const handle = async (conn: Deno.Conn) => {
    const peer = peerOf(conn);
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(65536);
    let frameTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        if (closing) break;
        decoder.push(buffer.subarray(0, n));
        for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
          onFrame(frame, peer);
        }
        // a frame deadline runs only while a frame is incomplete
        if (decoder.buffered === 0) {
          clearTimeout(frameTimer);
          frameTimer = undefined;
        } else {
          frameTimer ??= setTimeout(() => {
            counts.connectionsTimedOut++;
            log({
              level: "warn",
              event: "connection.frame_timeout",
              message: `a frame stayed incomplete for ${frameTimeoutMs} ms; closing`,
              peer,
            });
            try {
              conn.close();
            } catch {
              // already closed
            }
          }, frameTimeoutMs);
        }
      }
      if (!closing && decoder.buffered > 0) {
        log({
          level: "debug",
          event: "connection.truncated",
          message: `peer closed inside a frame (${decoder.buffered} bytes)`,
          peer,
        });
      }
    } catch (error) {
      if (error instanceof FramingError) {
        counts.connectionsCorrupted++;
        log({
          level: "warn",
          event: "connection.corrupted",
          message: `closing connection on malformed frame (${error.kind}): ${error.message}`,
          peer,
        });
      } else if (!closing) {
        log({
          level: "debug",
          event: "connection.error",
          message: `read failed: ${(error as Error)?.message ?? error}`,
          peer,
        });
      }
    } finally {
      clearTimeout(frameTimer);
      inbound.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed by close()
      }
    }
  };

  const acceptLoop = runAcceptLoop(listener, (conn) => {
    if (closing) {
      conn.close();
      return;
    }
    if (inbound.size >= maxConnections) {
      counts.connectionsRefused++;
      log({
        level: "warn",
        event: "connection.refused",
        message: `refusing a connection: ${maxConnections} are open`,
        peer: peerOf(conn),
      });
      conn.close();
      return;
    }
    counts.connectionsAccepted++;
    inbound.add(conn);
    const task = handle(conn);
    handlers.add(task);
    task.finally(() => handlers.delete(task));
  }, {
    signal: stop.signal,
    onError: (error, n) =>
      log({
        level: "error",
        event: "listener.failed",
        message: `accept failed (${n} in a row), retrying: ${(error as Error)?.message ?? error}`,
      }),
  });

  log({ level: "info", event: "node.started", message: `mixnode listening on ${hostPort}` });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      stop.abort();
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const conn of inbound) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await pool.close();
      await acceptLoop;
      while (handlers.size > 0) await Promise.allSettled([...handlers]);
      for (const resolve of idleWaiters.splice(0)) resolve();
      log({ level: "info", event: "node.closed", message: `mixnode ${hostPort} closed` });
    })();
    return closing;
  };

  return {
    hostPort,
    hostname,
    port,
    identityKey,
    identitySecretKey,
    sphinxPublicKey,
    sphinxSecretKey,
    get stats(): MixnodeStats {
      const p = pool.stats;
      return {
        ...counts,
        connectionsOpen: inbound.size,
        sent: p.sent,
        pendingDelays: timers.size,
        droppedQueueFull: p.droppedQueueFull,
        droppedSendFailure: p.droppedSendFailure,
      };
    },
    setFaults(next: MixnodeFaults): void {
      faults = next;
    },
    setSphinxKeys(keys: readonly MixnodeSphinxKey[]): void {
      if (keys.length === 0 || keys.length > 2) throw new RangeError("one or two Sphinx keys");
      sphinxKeys = keys.map((k) => ({ rotationId: k.rotationId, secretKey: k.secretKey }));
    },
    send(destination: string, packet: Uint8Array, keyRotation = 0): boolean {
      const packetSize = packetSizeFromLength(packet.length);
      if (!packetSize || closing) return false;
      if (options.isKnownNode && !options.isKnownNode(destination)) {
        counts.droppedUnknownHop++;
        return false;
      }
      counts.forwarded++;
      return pool.send(
        destination,
        encodeFrame({
          version: outVersion,
          packetSize,
          packetType: PACKET_TYPE_MIX,
          keyRotation: keyRotation as 0 | 1 | 2,
          packet,
        }),
      );
    },
    async idle(): Promise<void> {
      while (!closing && timers.size > 0) {
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
      }
      await pool.idle();
    },
    close,
    async restart(overrides = {}): Promise<Mixnode> {
      await close();
      return startMixnode({
        ...options,
        hostname,
        port,
        ...overrides,
        identity: identitySecretKey,
        sphinxSecretKey,
      });
    },
  };
}
