/**
 * A network requester: Nym's exit service (`service-providers/network-requester`), on one of
 * our `MixnetClient`s. Clients send `Connect`/`Send` messages; the requester opens the TCP
 * connection (if its exit policy allows the target), relays bytes both ways with per-direction
 * sequence numbers, and answers to the Connect's return address or, for anonymous clients,
 * through the sender tag's reply SURBs (`reply.rs` `MixnetAddress`).
 *
 * Behaviour taken from Nym (`core.rs`, `socks5/tcp.rs`, `common/socks5/proxy-helpers/src/**`):
 * - `Send`s that arrive before their `Connect` (the mixnet reorders) are held, and replayed once
 *   the connection is open; ids recently closed are ignored (`connection_controller.rs`).
 * - Refused targets get a `ConnectionError` `Domain "<host:port>" failed filter check`; a TCP
 *   connect failure gets an empty closed `NetworkData` with sequence 0 (`start_proxy`).
 * - Non-global addresses are refused unless `allowLocalIps`; then the exit policy decides, and
 *   every resolved address must pass (`request_filter/exit_policy`).
 * - TCP reads of up to 16 KiB become one `NetworkData` each (`available_reader.rs`); an empty
 *   message is a keepalive after 60 s without data; 5 min without anything from the client
 *   closes the connection (`MIX_TTL`); after the client closes, the connection lingers 3 s
 *   (`SHUTDOWN_TIMEOUT`).
 * - Control (health, binary info, versions) and query requests are answered only through SURBs.
 *
 * Ours in addition: every buffer has a limit (see {@linkcode NetworkRequesterOptions}); a
 * connection whose client overruns it is closed. Reading from TCP pauses while
 * `sendWindow` responses of the connection are unacknowledged, so a slow client cannot make
 * the requester queue a whole download. And a successful connect is announced with an empty
 * `NetworkData` (sequence 0, a keepalive to Nym's clients) so a SOCKS5 front end can tell
 * success from refusal.
 *
 * @module
 */
import { type Clock, systemClock, type TimerHandle } from "../internal/clock.ts";
import { ExitProtocolError } from "./exit_error.ts";
import { ExitPolicy } from "./exit_policy.ts";
import { isGlobalIp, parseIp } from "./ip_address.ts";
import { OrderedBuffer } from "./ordered_buffer.ts";
import {
  CURRENT_VERSION,
  decodeRequest,
  encodeResponse,
  type ExitRequest,
  type ExitResponse,
  type ProtocolVersion,
} from "./protocol.ts";
import type { ExitTransport, TcpConnection } from "./transport.ts";

/** A received message as the requester reads it (a `MixnetClient`'s `ReceivedMessage`). */
export interface RequesterMessage {
  /** The request bytes. */
  readonly data: Uint8Array;
  /** Present when the sender attached reply SURBs. */
  readonly senderTag?: string;
}

/** The part of a `MixnetClient` the requester uses (a `MixnetClient` is one). */
export interface RequesterClient {
  /** The requester's Nym address. */
  readonly address: string;
  /** Received messages. */
  readonly messages: ReadableStream<RequesterMessage>;
  /** Sends to a Nym address; settles when acknowledged. */
  send(
    recipient: string,
    data: Uint8Array,
    options?: { readonly lane?: string },
  ): PromiseLike<void>;
  /** Answers through a sender tag's SURBs; settles when acknowledged. */
  reply(senderTag: string, data: Uint8Array): PromiseLike<void>;
}

/** Options of {@linkcode serveNetworkRequester}. */
export interface NetworkRequesterOptions {
  /** DNS and TCP (e.g. `denoTransport()`). */
  readonly transport: ExitTransport;
  /** Which targets are allowed after the local-IP check (default: `accept *:*`). */
  readonly exitPolicy?: ExitPolicy;
  /** Allow loopback, private and other non-global targets (default false, as Nym). */
  readonly allowLocalIps?: boolean;
  /** Where the policy came from, for the ExitPolicy query (default `""`). */
  readonly exitPolicyUpstream?: string;
  /** Time and timers. */
  readonly clock?: Clock;
  /** Open connections at most (default 256). */
  readonly maxConnections?: number;
  /** Bytes from the client held per connection, out of order or waiting for TCP (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Connection ids with Sends waiting for their Connect (default 256). */
  readonly maxPendingConnections?: number;
  /** Bytes of Sends waiting for Connects, in total (default 4 MiB). */
  readonly maxPendingBytes?: number;
  /** How long Sends wait for their Connect (default 60 s). */
  readonly pendingTimeoutMs?: number;
  /** Largest TCP read sent as one NetworkData (default 16 KiB, as Nym). */
  readonly readChunkBytes?: number;
  /** Unacknowledged responses per connection before reading from TCP pauses (default 16). */
  readonly sendWindow?: number;
  /** Empty keepalive after this long without data (default 60 s, Nym's `KEEPALIVE_INTERVAL`). */
  readonly keepaliveMs?: number;
  /** Close after this long without a message from the client (default 5 min, `MIX_TTL`). */
  readonly idleTimeoutMs?: number;
  /** Linger after the client's close (default 3 s, Nym's `SHUTDOWN_TIMEOUT`). */
  readonly shutdownMs?: number;
  /** TCP connect timeout per address (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Announce a successful connect with an empty NetworkData (default true). */
  readonly announceConnect?: boolean;
  /** What happened, for logs (no payload bytes). */
  readonly onEvent?: (event: NetworkRequesterEvent) => void;
}

/** Log events of a requester. */
export type NetworkRequesterEvent =
  | { readonly type: "connected"; readonly connectionId: bigint; readonly remote: string }
  | {
    readonly type: "refused";
    readonly connectionId: bigint;
    readonly remote: string;
    readonly reason: string;
  }
  | { readonly type: "unreachable"; readonly connectionId: bigint; readonly remote: string }
  | {
    readonly type: "closed";
    readonly connectionId: bigint;
    readonly reason: string;
    readonly bytesIn: number;
    readonly bytesOut: number;
  }
  | { readonly type: "malformed"; readonly error: ExitProtocolError }
  | { readonly type: "dropped"; readonly reason: string };

/** A running requester. */
export interface NetworkRequester {
  /** Open connections. */
  readonly connections: number;
  /** Stops serving: every connection is closed (clients get a close). */
  close(): Promise<void>;
  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

type Route = { readonly recipient: string } | { readonly senderTag: string };

interface Pending {
  readonly sends: Extract<ExitRequest, { kind: "send" }>[];
  bytes: number;
  readonly timer: TimerHandle;
}

/** The filter's verdict: undefined when allowed, else the reason. */
type Verdict = { ok: true; ips: string[]; port: number } | { ok: false; reason: string };

/** Splits `host:port` (IPv6 in brackets, or bare as Nym's SOCKS5 client writes it). */
export function splitHostPort(remote: string): { host: string; port: number } | undefined {
  const colon = remote.lastIndexOf(":");
  if (colon <= 0) return undefined;
  let host = remote.slice(0, colon);
  const portText = remote.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "") return undefined;
  return { host, port: Number(portText) };
}

/** Rust's `{:?}` of a string, enough for our messages. */
function debugQuote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

class Connection {
  readonly id: bigint;
  readonly remote: string;
  readonly route: Route;
  readonly iface: ProtocolVersion;
  readonly socks5: ProtocolVersion;
  readonly inbound: OrderedBuffer;
  state: "connecting" | "open" | "closed" = "connecting";
  tcp: TcpConnection | undefined;
  writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  outSeq = 0n;
  toTcpBytes = 0;
  writing: Promise<void> = Promise.resolve();
  inFlight: Promise<void>[] = [];
  sentClose = false;
  peerClosed = false;
  bytesIn = 0;
  bytesOut = 0;
  idleTimer: TimerHandle;
  keepaliveTimer: TimerHandle;
  shutdownTimer: TimerHandle;

  constructor(
    request: Extract<ExitRequest, { kind: "connect" }>,
    route: Route,
    maxBytes: number,
  ) {
    this.id = request.connectionId;
    this.remote = request.remoteAddress;
    this.route = route;
    this.iface = request.interfaceVersion;
    this.socks5 = request.socks5Version;
    this.inbound = new OrderedBuffer({ maxBytes });
  }
}

/**
 * Serves Nym's exit protocol on `client` until `close()`. The client's `messages` are consumed
 * by the requester: give it a client of its own.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { denoTransport, serveNetworkRequester } from "@nym/mixnet/exit";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * await using requester = serveNetworkRequester(client, { transport: denoTransport() });
 * console.log(`network-requester ${client.address}`);
 * ```
 */
export function serveNetworkRequester(
  client: RequesterClient,
  options: NetworkRequesterOptions,
): NetworkRequester {
  const clock = options.clock ?? systemClock;
  const policy = options.exitPolicy ?? ExitPolicy.open();
  const maxConnections = options.maxConnections ?? 256;
  const maxBuffered = options.maxBufferedBytes ?? 1 << 20;
  const maxPendingConnections = options.maxPendingConnections ?? 256;
  const maxPendingBytes = options.maxPendingBytes ?? 4 << 20;
  const pendingTimeoutMs = options.pendingTimeoutMs ?? 60_000;
  const chunkBytes = options.readChunkBytes ?? 16 * 1024;
  const window = options.sendWindow ?? 16;
  const keepaliveMs = options.keepaliveMs ?? 60_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const shutdownMs = options.shutdownMs ?? 3_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const announce = options.announceConnect ?? true;
  const emit = options.onEvent ?? (() => {});

  const connections = new Map<bigint, Connection>();
  const pending = new Map<bigint, Pending>();
  let pendingBytes = 0;
  const recentlyClosed = new Set<bigint>();
  let stopped = false;

  function rememberClosed(id: bigint): void {
    recentlyClosed.add(id);
    if (recentlyClosed.size > 4096) {
      recentlyClosed.delete(recentlyClosed.values().next().value!);
    }
  }

  /** Sends a response on `route`; resolves when acknowledged, never rejects (false on failure). */
  function respond(route: Route, response: ExitResponse, lane?: string): Promise<boolean> {
    if (stopped && response.kind !== "networkData") return Promise.resolve(false);
    let handle: PromiseLike<void>;
    try {
      const bytes = encodeResponse(response);
      handle = "recipient" in route
        ? client.send(route.recipient, bytes, { lane })
        : client.reply(route.senderTag, bytes);
    } catch {
      return Promise.resolve(false);
    }
    return Promise.resolve(handle).then(() => true, () => false);
  }

  function socketResponse(conn: Connection, data: Uint8Array, closed: boolean): Promise<boolean> {
    const sequence = conn.outSeq++;
    return respond(conn.route, {
      kind: "networkData",
      interfaceVersion: conn.iface,
      socks5Version: conn.socks5,
      connectionId: conn.id,
      localClosed: closed,
      sequence,
      data,
    }, `conn-${conn.id}`);
  }

  function armKeepalive(conn: Connection): void {
    clock.clearTimeout(conn.keepaliveTimer);
    conn.keepaliveTimer = clock.setTimeout(() => {
      if (conn.state !== "open" || conn.sentClose) return;
      socketResponse(conn, new Uint8Array(), false);
      armKeepalive(conn);
    }, keepaliveMs);
  }

  function armIdle(conn: Connection): void {
    clock.clearTimeout(conn.idleTimer);
    conn.idleTimer = clock.setTimeout(() => teardown(conn, "idle timeout"), idleTimeoutMs);
  }

  function teardown(conn: Connection, reason: string): void {
    if (conn.state === "closed") return;
    conn.state = "closed";
    clock.clearTimeout(conn.idleTimer);
    clock.clearTimeout(conn.keepaliveTimer);
    clock.clearTimeout(conn.shutdownTimer);
    connections.delete(conn.id);
    rememberClosed(conn.id);
    if (!conn.sentClose && conn.tcp) {
      conn.sentClose = true;
      socketResponse(conn, new Uint8Array(), true);
    }
    conn.reader?.cancel().catch(() => {});
    conn.tcp?.close();
    emit({
      type: "closed",
      connectionId: conn.id,
      reason,
      bytesIn: conn.bytesIn,
      bytesOut: conn.bytesOut,
    });
  }

  async function check(remote: string): Promise<Verdict> {
    const target = splitHostPort(remote);
    if (!target) return { ok: false, reason: "malformed address" };
    let ips: string[];
    try {
      ips = await options.transport.resolve(target.host);
    } catch (error) {
      return { ok: false, reason: `resolution failed: ${error}` };
    }
    if (ips.length === 0) return { ok: false, reason: "no address" };
    for (const text of ips) {
      const ip = parseIp(text);
      if (!ip) return { ok: false, reason: `unparsable address ${text}` };
      if (!options.allowLocalIps && !isGlobalIp(ip)) return { ok: false, reason: "local address" };
      if (policy.allows(ip, target.port) !== true) return { ok: false, reason: "exit policy" };
    }
    return { ok: true, ips, port: target.port };
  }

  async function dial(ips: string[], port: number): Promise<TcpConnection | undefined> {
    for (const ip of ips) {
      let timer: TimerHandle;
      const timeout = new Promise<undefined>((resolve) => {
        timer = clock.setTimeout(() => resolve(undefined), connectTimeoutMs);
      });
      const attempt = options.transport.connect(ip, port);
      const result = await Promise.race([attempt.catch(() => undefined), timeout]);
      clock.clearTimeout(timer!);
      if (result) return result;
      attempt.then((late) => late.close(), () => {});
    }
    return undefined;
  }

  async function onConnect(
    request: Extract<ExitRequest, { kind: "connect" }>,
    senderTag: string | undefined,
  ): Promise<void> {
    const route: Route | undefined = request.returnAddress
      ? { recipient: request.returnAddress.toString() }
      : senderTag
      ? { senderTag }
      : undefined;
    if (!route) return emit({ type: "dropped", reason: "connect without a return route" });
    const id = request.connectionId;
    if (connections.has(id)) return emit({ type: "dropped", reason: "duplicate connect" });
    const refuse = (reason: string) => {
      emit({ type: "refused", connectionId: id, remote: request.remoteAddress, reason });
      dropPending(id);
      rememberClosed(id);
      respond(route, {
        kind: "connectionError",
        interfaceVersion: request.interfaceVersion,
        socks5Version: request.socks5Version,
        connectionId: id,
        message: `Domain ${debugQuote(request.remoteAddress)} failed filter check`,
      });
    };
    if (connections.size >= maxConnections) return refuse("too many connections");
    const conn = new Connection(request, route, maxBuffered);
    connections.set(id, conn);
    armIdle(conn);
    // Sends that came first go into the connection's reorder buffer now.
    const early = pending.get(id);
    if (early) {
      dropPending(id);
      for (const send of early.sends) onSend(conn, send);
      if (conn.state === "closed") return;
    }
    const verdict = await check(request.remoteAddress);
    if (conn.state === "closed") return;
    if (!verdict.ok) {
      conn.state = "closed";
      clock.clearTimeout(conn.idleTimer);
      connections.delete(id);
      return refuse(verdict.reason);
    }
    const tcp = await dial(verdict.ips, verdict.port);
    if ((conn.state as string) === "closed" || stopped) {
      tcp?.close();
      return;
    }
    if (!tcp) {
      emit({ type: "unreachable", connectionId: id, remote: request.remoteAddress });
      conn.sentClose = true;
      socketResponse(conn, new Uint8Array(), true);
      conn.state = "closed";
      clock.clearTimeout(conn.idleTimer);
      connections.delete(id);
      rememberClosed(id);
      return;
    }
    conn.tcp = tcp;
    conn.writer = tcp.writable.getWriter();
    conn.reader = tcp.readable.getReader();
    conn.state = "open";
    emit({ type: "connected", connectionId: id, remote: request.remoteAddress });
    if (announce) track(conn, socketResponse(conn, new Uint8Array(), false));
    armKeepalive(conn);
    flushInbound(conn);
    pump(conn);
  }

  function track(conn: Connection, delivered: Promise<boolean>): void {
    const p = delivered.then((ok) => {
      conn.inFlight.splice(conn.inFlight.indexOf(p), 1);
      if (!ok) teardown(conn, "responses could not be delivered");
    });
    conn.inFlight.push(p);
  }

  /** Reads TCP and sends it back, at most `window` unacknowledged responses at a time. */
  async function pump(conn: Connection): Promise<void> {
    const reader = conn.reader!;
    try {
      while (conn.state === "open") {
        while (conn.inFlight.length >= window) await Promise.race(conn.inFlight);
        if (conn.state !== "open") return;
        const { value, done } = await reader.read();
        if (done || conn.state !== "open") break;
        for (let at = 0; at < value.length; at += chunkBytes) {
          const chunk = value.subarray(at, at + chunkBytes);
          conn.bytesOut += chunk.length;
          track(conn, socketResponse(conn, chunk, false));
        }
        armKeepalive(conn);
      }
    } catch {
      // the socket failed: treated as its EOF
    }
    if (conn.state !== "open" || conn.sentClose) return;
    conn.sentClose = true;
    clock.clearTimeout(conn.keepaliveTimer);
    await socketResponse(conn, new Uint8Array(), true);
    // Nym lingers a little after its EOF (inbound.rs) so the client's own close can arrive.
    if (conn.state === "open") {
      clock.clearTimeout(conn.shutdownTimer);
      conn.shutdownTimer = clock.setTimeout(() => teardown(conn, "remote closed"), shutdownMs);
    }
  }

  function onSend(conn: Connection, send: Extract<ExitRequest, { kind: "send" }>): void {
    armIdle(conn);
    if (conn.peerClosed) return;
    if (conn.inbound.bufferedBytes + conn.toTcpBytes + send.data.length > maxBuffered) {
      return teardown(conn, "client overran the buffer");
    }
    const rejected = conn.inbound.write(send.sequence, send.data, send.localClosed);
    if (rejected === "full" || rejected === "tooFarAhead") {
      return teardown(conn, `client sequence rejected (${rejected})`);
    }
    if (conn.state === "open") flushInbound(conn);
  }

  function flushInbound(conn: Connection): void {
    const { data, closed } = conn.inbound.read();
    for (const chunk of data) {
      conn.toTcpBytes += chunk.length;
      conn.bytesIn += chunk.length;
      conn.writing = conn.writing.then(async () => {
        if (conn.state === "closed") return;
        await conn.writer!.write(chunk);
        conn.toTcpBytes -= chunk.length;
      }).catch(() => teardown(conn, "write to the remote failed"));
    }
    if (closed) {
      conn.peerClosed = true;
      conn.writing = conn.writing.then(async () => {
        if (conn.state !== "closed") await conn.writer!.close();
      }).catch(() => {});
      clock.clearTimeout(conn.shutdownTimer);
      conn.shutdownTimer = clock.setTimeout(() => teardown(conn, "client closed"), shutdownMs);
    }
  }

  function dropPending(id: bigint): void {
    const p = pending.get(id);
    if (!p) return;
    clock.clearTimeout(p.timer);
    pendingBytes -= p.bytes;
    pending.delete(id);
  }

  function onEarlySend(send: Extract<ExitRequest, { kind: "send" }>): void {
    const id = send.connectionId;
    if (recentlyClosed.has(id)) return;
    let p = pending.get(id);
    if (!p) {
      if (pending.size >= maxPendingConnections) {
        return emit({ type: "dropped", reason: "too many connections waiting for Connect" });
      }
      p = {
        sends: [],
        bytes: 0,
        timer: clock.setTimeout(() => dropPending(id), pendingTimeoutMs),
      };
      pending.set(id, p);
    }
    if (
      pendingBytes + send.data.length > maxPendingBytes ||
      p.bytes + send.data.length > maxBuffered ||
      p.sends.length >= 1000
    ) {
      return emit({ type: "dropped", reason: "send before connect: buffer full" });
    }
    p.sends.push(send);
    p.bytes += send.data.length;
    pendingBytes += send.data.length;
  }

  function onControlOrQuery(request: ExitRequest, senderTag: string | undefined): void {
    // core.rs: "currently we can only send generic replies via reply surbs"
    if (!senderTag) return emit({ type: "dropped", reason: "control/query without SURBs" });
    const route = { senderTag };
    if (request.kind === "control") {
      if (request.interfaceVersion === "legacy") return;
      const control = request.control === "health"
        ? { type: "health" as const }
        : request.control === "binaryInfo"
        ? {
          type: "binaryInfo" as const,
          info: {
            binary_name: "nym-network-requester",
            build_information: {
              binary_name: "nym-network-requester",
              build_version: "0.1.0",
              build_timestamp: "",
              commit_sha: "",
              commit_timestamp: "",
              commit_branch: "",
              rustc_version: "",
              rustc_channel: "",
              cargo_profile: "release",
              cargo_triple: "typescript",
            },
          },
        }
        : {
          type: "supportedRequestVersions" as const,
          interfaceVersion: JSON.stringify({ type: "Versioned", version: CURRENT_VERSION }),
          providerVersion: JSON.stringify({ type: "Versioned", version: CURRENT_VERSION }),
        };
      respond(route, { kind: "control", interfaceVersion: request.interfaceVersion, control });
      return;
    }
    if (request.kind !== "query") return;
    const query = request.query === "openProxy"
      ? { type: "openProxy" as const, open: policy.toString() === "accept *:*" }
      : request.query === "description"
      ? { type: "description" as const, description: "Description (placeholder)" }
      : {
        type: "exitPolicy" as const,
        enabled: true,
        upstream: options.exitPolicyUpstream ?? "",
        rules: policy.rules,
      };
    // handle_query answers with the default (current) socks5 version.
    respond(route, {
      kind: "query",
      interfaceVersion: request.interfaceVersion,
      socks5Version: CURRENT_VERSION,
      query,
    });
  }

  function onMessage(message: RequesterMessage): void {
    let request: ExitRequest;
    try {
      request = decodeRequest(message.data);
    } catch (error) {
      if (error instanceof ExitProtocolError) return emit({ type: "malformed", error });
      throw error;
    }
    switch (request.kind) {
      case "connect":
        onConnect(request, message.senderTag).catch((error) =>
          emit({ type: "dropped", reason: `connect failed: ${error}` })
        );
        return;
      case "send": {
        const conn = connections.get(request.connectionId);
        if (conn) return onSend(conn, request);
        return onEarlySend(request);
      }
      default:
        return onControlOrQuery(request, message.senderTag);
    }
  }

  const reader = client.messages.getReader();
  const loop = (async () => {
    while (true) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !value) break;
      onMessage(value);
    }
  })();

  let closing: Promise<void> | undefined;
  const requester: NetworkRequester = {
    get connections() {
      return connections.size;
    },
    close() {
      closing ??= (async () => {
        for (const conn of [...connections.values()]) teardown(conn, "requester stopped");
        stopped = true;
        for (const id of [...pending.keys()]) dropPending(id);
        await reader.cancel().catch(() => {});
        reader.releaseLock();
        await loop;
      })();
      return closing;
    },
    [Symbol.asyncDispose]() {
      return requester.close();
    },
  };
  return requester;
}
