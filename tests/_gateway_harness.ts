// Shared helpers for the gateway tests: a gateway server with captured events, logs and forwarded
// packets, clients over Deno's WebSocket with a controllable clock, and a raw WebSocket peer.
import { seededRandom } from "./_fixtures/mod.ts";
import {
  GatewayClient,
  type GatewayClientOptions,
  type GatewayKeyStorage,
  MemoryGatewayKeyStorage,
  type MixPacket,
  type WebSocketConstructor,
} from "../gateway/mod.ts";
import {
  type GatewayServer,
  type GatewayServerEvent,
  type GatewayServerOptions,
  startGatewayServer,
} from "../localnet/gateway/mod.ts";
import { encodeNodeAddress } from "../sphinx/mod.ts";

export interface Harness {
  readonly server: GatewayServer;
  readonly events: GatewayServerEvent[];
  readonly warnings: string[];
  readonly forwarded: MixPacket[];
  /** The gateway's (and the clients') clock, ms since the epoch; tests move it. */
  now: number;
  waitFor<T extends GatewayServerEvent["type"]>(
    type: T,
    predicate?: (event: Extract<GatewayServerEvent, { type: T }>) => boolean,
  ): Promise<Extract<GatewayServerEvent, { type: T }>>;
  /** Resolves with the `n`-th event of `type` (matching `predicate`), counting past ones. */
  waitForNth<T extends GatewayServerEvent["type"]>(
    type: T,
    n: number,
    predicate?: (event: Extract<GatewayServerEvent, { type: T }>) => boolean,
  ): Promise<Extract<GatewayServerEvent, { type: T }>>;
  client(options?: Partial<GatewayClientOptions>): GatewayClient;
  close(): Promise<void>;
}

export const START_MS = 1_800_000_000_000;

export async function harness(options: Partial<GatewayServerOptions> = {}): Promise<Harness> {
  const random = seededRandom(7);
  const events: GatewayServerEvent[] = [];
  const warnings: string[] = [];
  const forwarded: MixPacket[] = [];
  const waiters: {
    match: (e: GatewayServerEvent) => boolean;
    resolve: (e: GatewayServerEvent) => void;
  }[] = [];
  const clients: GatewayClient[] = [];
  const h: Harness = {
    server: undefined as unknown as GatewayServer,
    events,
    warnings,
    forwarded,
    now: START_MS,
    waitFor<T extends GatewayServerEvent["type"]>(
      type: T,
      predicate?: (event: Extract<GatewayServerEvent, { type: T }>) => boolean,
    ): Promise<Extract<GatewayServerEvent, { type: T }>> {
      type E = Extract<GatewayServerEvent, { type: T }>;
      const match = (e: GatewayServerEvent) => e.type === type && (!predicate || predicate(e as E));
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen as E);
      return new Promise<E>((resolve) => waiters.push({ match, resolve: (e) => resolve(e as E) }));
    },
    waitForNth(type, n, predicate) {
      let seen = 0;
      return h.waitFor(type, (e) => (!predicate || predicate(e)) && ++seen >= n);
    },
    client(clientOptions = {}) {
      const client = new GatewayClient({
        url: h.server.url,
        gatewayIdentity: h.server.identityKey,
        identitySecretKey: random(32),
        keyStorage: new MemoryGatewayKeyStorage(),
        WebSocket,
        clock: {
          now: () => h.now,
          setTimeout: (fn, ms) => setTimeout(fn, ms),
          clearTimeout: (t) => clearTimeout(t as number),
        },
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await h.server.close();
    },
  };
  (h as { server: GatewayServer }).server = await startGatewayServer({
    identitySecretKey: random(32),
    forward: (packet) => forwarded.push(packet),
    onEvent: (event) => {
      events.push(event);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].match(event)) waiters.splice(i, 1)[0].resolve(event);
      }
    },
    logger: {
      debug: () => {},
      info: () => {},
      warn: (m) => warnings.push(m),
      error: (m) => warnings.push(`ERROR ${m}`),
    },
    now: () => h.now,
    ...options,
  });
  return h;
}

/** A regular-size packet to 127.0.0.1:1789 filled with `fill`. */
export function testPacket(fill = 1, keyRotation: 0 | 1 | 2 = 2): MixPacket {
  return {
    nextHop: encodeNodeAddress("127.0.0.1:1789"),
    packet: new Uint8Array(2413).fill(fill),
    keyRotation,
    packetType: 0,
  };
}

/** Shares one key storage and identity between several clients (same client, new connection). */
export function sameClient(): { identitySecretKey: Uint8Array; keyStorage: GatewayKeyStorage } {
  return {
    identitySecretKey: crypto.getRandomValues(new Uint8Array(32)),
    keyStorage: new MemoryGatewayKeyStorage(),
  };
}

/** A WebSocket whose instances the test can reach, to send raw frames on a client's socket. */
export function spyWebSocket(): { Ctor: WebSocketConstructor; sockets: WebSocket[] } {
  const sockets: WebSocket[] = [];
  class Spy extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { Ctor: Spy, sockets };
}

/** A raw WebSocket peer: send anything, read messages in order, see how it closed. */
export class RawPeer {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #messages: (string | Uint8Array)[] = [];
  #waiter: ((m: string | Uint8Array | undefined) => void) | undefined;
  #ended = false;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.opened = new Promise((resolve) => this.socket.onopen = () => resolve());
    this.closed = new Promise((resolve) => {
      this.socket.onclose = (event) => {
        this.#ended = true;
        this.#waiter?.(undefined);
        resolve(event);
      };
    });
    this.socket.onmessage = (event) => {
      const data = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w(data);
      } else this.#messages.push(data);
    };
  }

  /** The next message, or undefined once closed. */
  next(): Promise<string | Uint8Array | undefined> {
    const queued = this.#messages.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiter = resolve);
  }

  async nextText(): Promise<string> {
    const m = await this.next();
    if (typeof m !== "string") throw new Error(`expected a text message, got ${m}`);
    return m;
  }

  send(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  async close(): Promise<void> {
    if (this.socket.readyState < 2) this.socket.close();
    await this.closed;
  }
}

/** Collects pushed messages; `next()` waits for the next one. */
export class Received {
  readonly all: Uint8Array[] = [];
  #taken = 0;
  #waiter: (() => void) | undefined;

  readonly onMessage = (message: Uint8Array): void => {
    this.all.push(message);
    this.#waiter?.();
  };

  async next(): Promise<Uint8Array> {
    while (this.#taken >= this.all.length) {
      await new Promise<void>((resolve) => this.#waiter = resolve);
      this.#waiter = undefined;
    }
    return this.all[this.#taken++];
  }
}
