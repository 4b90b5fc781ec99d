/**
 * TCP connections through a network requester, as Web streams: the client side of Nym's exit
 * protocol (what `nym-socks5-client` and mix-fetch do, `common/socks5-client-core/src/socks/`).
 *
 * - A `Connect` opens the connection; each `writable` write becomes `Send`s of at most 16 KiB
 *   numbered from 0; `writable.close()` sends an empty `Send` with the closed flag.
 * - Responses are reordered by sequence and delivered on `readable`; the requester's closed
 *   flag ends it (EOF). A `ConnectionError` errors both streams with an
 *   {@linkcode ExitConnectionError} of kind `refused`.
 * - Anonymous by default: the Connect carries 20 reply SURBs and each Send 3
 *   (`DEFAULT_CONNECTION_START_SURBS`, `DEFAULT_PER_REQUEST_SURBS`), and no return address; the
 *   requester answers through SURBs and never learns our address. `anonymous: false` puts our
 *   address in the Connect instead, as mix-fetch 1.x does.
 * - Backpressure: a write resolves once fewer than `sendWindow` of our Sends are
 *   unacknowledged. The reading side is bounded by `maxBufferedBytes`: a reader that falls that
 *   far behind gets a `tooMuchData` error.
 *
 * @module
 */
import { wiringOf } from "../client/_wiring.ts";
import { type Clock, systemClock, type TimerHandle } from "../internal/clock.ts";
import { Recipient } from "../message/recipient.ts";
import { ExitConnectionError, ExitProtocolError } from "./exit_error.ts";
import { OrderedBuffer } from "./ordered_buffer.ts";
import { CURRENT_VERSION, decodeResponse, encodeRequest, type ExitResponse } from "./protocol.ts";

/** A message as a client's interceptors see it (a `MixnetClient`'s `ReceivedMessage`). */
export interface ExitReceivedMessage {
  /** The application bytes. */
  readonly data: Uint8Array;
  /** The sender tag of an anonymous message. */
  readonly senderTag?: string;
}

/** The part of a `MixnetClient` connections use (a `MixnetClient` is one). */
export interface ExitClient {
  /** Our Nym address (put in the Connect when not anonymous). */
  readonly address: string;
  /** Sends a message; the result settles when it is acknowledged. */
  send(
    recipient: string,
    data: Uint8Array,
    options?: { readonly replySurbs?: number; readonly lane?: string },
  ): PromiseLike<void>;
}

/** Options of {@linkcode openConnection}. */
export interface OpenConnectionOptions {
  /** Hide our address from the requester (SURBs instead of a return address). Default true. */
  readonly anonymous?: boolean;
  /** Reply SURBs attached to the Connect when anonymous (default 20, as Nym). */
  readonly connectSurbs?: number;
  /** Reply SURBs attached to each Send when anonymous (default 3, as Nym). */
  readonly sendSurbs?: number;
  /** Largest Send payload (default 16 KiB). */
  readonly maxSendBytes?: number;
  /** Unacknowledged Sends before writes wait (default 16). */
  readonly sendWindow?: number;
  /** Received bytes held for a slow reader at most (default 8 MiB). */
  readonly maxBufferedBytes?: number;
  /** Error the connection after this long without a message from the requester (5 min). */
  readonly idleTimeoutMs?: number;
  /** Send an empty keepalive after this long without sending (default 60 s, as Nym). */
  readonly keepaliveMs?: number;
  /** Time and timers. */
  readonly clock?: Clock;
  /** Aborts the connection. */
  readonly signal?: AbortSignal;
}

/** An open connection through the exit. */
export interface ExitConnection {
  /** Our random connection id. */
  readonly connectionId: bigint;
  /** Bytes from the remote host; ends at its EOF. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the remote host; `close()` sends our EOF. */
  readonly writable: WritableStream<Uint8Array>;
  /**
   * Settles with the requester's first answer: resolves on data (or the connect announcement of
   * our requester), rejects with an {@linkcode ExitConnectionError} on a refusal (`refused`) or
   * a failed TCP connect (`unreachable`). Nym's requester announces nothing, so with it this
   * resolves only when the remote host sends something.
   */
  readonly opened: Promise<void>;
  /** Resolves when both directions are finished, rejects on an error. */
  readonly closed: Promise<void>;
  /** Ends the connection at once (sends our close, errors the streams). */
  abort(reason?: unknown): void;
}

class Dispatcher {
  readonly connections = new Map<bigint, (response: ExitResponse) => void>();
  readonly recent = new Set<bigint>();
  readonly #remove: () => void;

  constructor(client: ExitClient) {
    // The client's interception hook is internal wiring, not API: a MixnetClient registers it.
    this.#remove = wiringOf(client).intercept((message: ExitReceivedMessage) =>
      this.#handle(message)
    );
  }

  #handle(message: ExitReceivedMessage): boolean {
    if (this.connections.size === 0 && this.recent.size === 0) return false;
    let response: ExitResponse;
    try {
      response = decodeResponse(message.data);
    } catch (error) {
      if (error instanceof ExitProtocolError) return false;
      throw error;
    }
    if (response.kind !== "networkData" && response.kind !== "connectionError") return false;
    const deliver = this.connections.get(response.connectionId);
    if (deliver) {
      deliver(response);
      return true;
    }
    // Late messages of a finished connection (Nym's requester sends a second close).
    return this.recent.has(response.connectionId);
  }

  forget(id: bigint): void {
    this.connections.delete(id);
    this.recent.add(id);
    if (this.recent.size > 1024) this.recent.delete(this.recent.values().next().value!);
  }

  stop(): void {
    this.#remove();
  }
}

const dispatchers = new WeakMap<ExitClient, Dispatcher>();

function randomId(taken: Map<bigint, unknown>): bigint {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const id = new DataView(bytes.buffer).getBigUint64(0);
    if (!taken.has(id)) return id;
  }
}

/**
 * Opens a TCP connection to `target` (`host:port`) through the network requester at
 * `requester` (its Nym address). The host is resolved by the requester.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { openConnection } from "@nym/mixnet/exit";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * const connection = openConnection(client, requesterAddress, "example.com:80");
 * const writer = connection.writable.getWriter();
 * await writer.write(new TextEncoder().encode("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n"));
 * console.log(await new Response(connection.readable).text());
 * ```
 */
export function openConnection(
  client: ExitClient,
  requester: string,
  target: string,
  options: OpenConnectionOptions = {},
): ExitConnection {
  const anonymous = options.anonymous ?? true;
  const connectSurbs = options.connectSurbs ?? 20;
  const sendSurbs = options.sendSurbs ?? 3;
  const maxSendBytes = options.maxSendBytes ?? 16 * 1024;
  const sendWindow = options.sendWindow ?? 16;
  const maxBuffered = options.maxBufferedBytes ?? 8 << 20;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const keepaliveMs = options.keepaliveMs ?? 60_000;
  const clock = options.clock ?? systemClock;
  const to = Recipient.parse(requester).toString();

  let dispatcher = dispatchers.get(client);
  if (!dispatcher) dispatchers.set(client, dispatcher = new Dispatcher(client));
  const id = randomId(dispatcher.connections);
  const lane = `exit-${id}`;
  const inbound = new OrderedBuffer({ maxBytes: maxBuffered });
  let sendSeq = 0n;
  let readDone = false, writeDone = false, failed: Error | undefined;
  let firstAnswer = false;
  const inFlight: Promise<void>[] = [];
  let readController!: ReadableStreamDefaultController<Uint8Array>;
  let idleTimer: TimerHandle;
  let keepaliveTimer: TimerHandle;

  let resolveOpened!: () => void, rejectOpened!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  opened.catch(() => {});
  let resolveClosed!: () => void, rejectClosed!: (error: Error) => void;
  const closed = new Promise<void>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });
  closed.catch(() => {});

  const transmit = (bytes: Uint8Array, surbs: number): Promise<void> => {
    let handle: PromiseLike<void>;
    try {
      handle = client.send(to, bytes, { lane, replySurbs: anonymous ? surbs : 0 });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(handle);
  };

  const finish = () => {
    if (!readDone || !writeDone) return;
    clock.clearTimeout(idleTimer);
    clock.clearTimeout(keepaliveTimer);
    dispatcher!.forget(id);
    if (failed) rejectClosed(failed);
    else resolveClosed();
  };

  const fail = (error: Error) => {
    if (failed) return;
    failed = error;
    rejectOpened(error);
    if (!readDone) {
      readDone = true;
      try {
        readController.error(error);
      } catch {
        // already closed
      }
    }
    if (!writeDone) {
      writeDone = true;
      // Tell the requester we are done (our close), unless it refused us.
      if (!(error instanceof ExitConnectionError && error.kind === "refused")) sendClose();
    }
    finish();
  };

  const sendClose = () => {
    const bytes = encodeRequest({
      kind: "send",
      interfaceVersion: CURRENT_VERSION,
      socks5Version: CURRENT_VERSION,
      connectionId: id,
      localClosed: true,
      sequence: sendSeq++,
      data: new Uint8Array(),
    });
    return transmit(bytes, sendSurbs).catch(() => {});
  };

  // Nym's proxy runners send an empty Send after 60 s without data, so the requester's 5 min
  // idle timeout never ends a connection that is merely quiet.
  const armKeepalive = () => {
    clock.clearTimeout(keepaliveTimer);
    keepaliveTimer = clock.setTimeout(() => {
      if (writeDone || failed) return;
      const bytes = encodeRequest({
        kind: "send",
        interfaceVersion: CURRENT_VERSION,
        socks5Version: CURRENT_VERSION,
        connectionId: id,
        localClosed: false,
        sequence: sendSeq++,
        data: new Uint8Array(),
      });
      transmit(bytes, sendSurbs).catch(() => {});
      armKeepalive();
    }, keepaliveMs);
  };

  const armIdle = () => {
    clock.clearTimeout(idleTimer);
    idleTimer = clock.setTimeout(
      () => fail(new ExitConnectionError("timeout", "nothing from the network requester")),
      idleTimeoutMs,
    );
  };

  dispatcher.connections.set(id, (response) => {
    if (failed || readDone) return;
    armIdle();
    if (response.kind === "connectionError") {
      return fail(new ExitConnectionError("refused", response.message));
    }
    if (response.kind !== "networkData") return;
    const rejected = inbound.write(response.sequence, response.data, response.localClosed);
    if (rejected === "full" || rejected === "tooFarAhead") {
      return fail(new ExitConnectionError("tooMuchData", `requester overran us (${rejected})`));
    }
    const { data, closed: eof } = inbound.read();
    for (const chunk of data) {
      readController.enqueue(chunk);
    }
    if (!firstAnswer && (data.length > 0 || inbound.next > 0)) {
      firstAnswer = true;
      if (eof && data.length === 0 && inbound.next === 1) {
        rejectOpened(new ExitConnectionError("unreachable", `could not connect to ${target}`));
      } else resolveOpened();
    }
    if ((readController.desiredSize ?? 0) < -maxBuffered) {
      return fail(new ExitConnectionError("tooMuchData", "the reader fell too far behind"));
    }
    if (eof) {
      readDone = true;
      readController.close();
      finish();
    }
  });

  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      readController = controller;
    },
    cancel() {
      if (readDone) return;
      readDone = true;
      finish();
    },
  }, { highWaterMark: 0, size: (chunk: Uint8Array) => chunk.byteLength });

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (failed) throw failed;
      for (let at = 0; at < chunk.length; at += maxSendBytes) {
        while (inFlight.length >= sendWindow) await Promise.race(inFlight);
        if (failed) throw failed;
        const bytes = encodeRequest({
          kind: "send",
          interfaceVersion: CURRENT_VERSION,
          socks5Version: CURRENT_VERSION,
          connectionId: id,
          localClosed: false,
          sequence: sendSeq++,
          data: chunk.subarray(at, at + maxSendBytes),
        });
        armKeepalive();
        const p: Promise<void> = transmit(bytes, sendSurbs).then(
          () => void inFlight.splice(inFlight.indexOf(p), 1),
          (error) => {
            inFlight.splice(inFlight.indexOf(p), 1);
            fail(new ExitConnectionError("delivery", `send failed: ${error}`, { cause: error }));
          },
        );
        inFlight.push(p);
      }
    },
    async close() {
      if (failed) throw failed;
      writeDone = true;
      clock.clearTimeout(keepaliveTimer);
      await sendClose();
      await Promise.all(inFlight);
      finish();
    },
    abort(reason) {
      fail(new ExitConnectionError("aborted", `aborted: ${reason}`, { cause: reason }));
    },
  });

  // The Connect: no data, no sequence number; the first Send is sequence 0.
  transmit(
    encodeRequest({
      kind: "connect",
      interfaceVersion: CURRENT_VERSION,
      socks5Version: CURRENT_VERSION,
      connectionId: id,
      remoteAddress: target,
      returnAddress: anonymous ? undefined : Recipient.parse(client.address),
    }),
    connectSurbs,
  ).catch((error) =>
    fail(new ExitConnectionError("delivery", `connect failed: ${error}`, { cause: error }))
  );
  armIdle();
  armKeepalive();

  const abort = (reason?: unknown) =>
    fail(new ExitConnectionError("aborted", `aborted: ${reason}`, { cause: reason }));
  if (options.signal) {
    if (options.signal.aborted) abort(options.signal.reason);
    else {options.signal.addEventListener("abort", () => abort(options.signal!.reason), {
        once: true,
      });}
  }
  return { connectionId: id, readable, writable, opened, closed, abort };
}
