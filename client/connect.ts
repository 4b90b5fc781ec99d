/**
 * `connect()`: builds a client from options and injected components: fetch the topology, pick
 * (or reuse) a gateway, register or authenticate there (moving on to another candidate when a
 * gateway refuses; {@linkcode GatewayConnectError} when none works), and start the traffic
 * streams.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { type Clock, systemClock } from "../internal/clock.ts";
import { fromBase58, toBase58 } from "../internal/encoding.ts";
import { type RandomBytes, systemRandom } from "../internal/random.ts";
import {
  GatewayClient,
  type GatewayProtocolError,
  keyRotationFromId,
  type WebSocketConstructor,
} from "../gateway/mod.ts";
import { Recipient } from "../message/mod.ts";
import {
  chooseGatewayByLatency,
  chooseGatewayUniform,
  fetchTopology,
  findNodeByIdentity,
  gatewayCandidates,
  NymApiClient,
  randomRoute,
  routeHops,
  type RoutingNode,
  type Topology,
  TopologyError,
  TopologyRefresher,
  wsEntryUrls,
} from "../topology/mod.ts";
import {
  candidateOrder,
  DEFAULT_GATEWAY_ATTEMPTS,
  firstWorkingGateway,
} from "./_gateway_candidates.ts";
import { ReconnectingGatewayLink } from "./gateway_link.ts";
import { MixnetClient, type MixnetClientEvents } from "./mixnet_client.ts";
import { wiringOf } from "./_wiring.ts";
import { requireWebSocket } from "./_validate.ts";
import { gatewayAddress } from "./_reconnect.ts";
import type { RouteSource } from "./route_source.ts";
import type { ReplyPersistence, ReplySnapshot } from "./reply_persistence.ts";
import { type ClientStorage, gatewayKeysIn, MemoryStorage } from "./storage.ts";
import { type TrafficConfig, trafficConfig, type TrafficPreset } from "./traffic.ts";
import { defaultWebSocket } from "../websocket/mod.ts";

/** Nym mainnet's nym-api endpoints, tried in a random order with failover. */
export const MAINNET_NYM_API_URLS: readonly string[] = Object.freeze([
  "https://validator.nymtech.net/api/",
  "https://nym-frontdoor.global.ssl.fastly.net/api/",
  "https://cdn1.media-platform.net/api/",
]);

/** Options of {@linkcode connect}. */
export interface ConnectOptions {
  /** nym-api base URL(s); Nym mainnet by default. A localnet's `nymApiUrl` goes here. */
  readonly nymApiUrl?: string | readonly string[];
  /** The gateway to use, by ed25519 identity (base58); otherwise the stored one or a random one. */
  readonly gateway?: string;
  /** A preset name, or a preset plus overrides. `default` by default. */
  readonly traffic?: TrafficPreset | (Partial<TrafficConfig> & { readonly preset?: TrafficPreset });
  /** Keys and gateway registration; in memory (a new identity per connect) by default. */
  readonly storage?: ClientStorage;
  /**
   * Where reply SURBs and reply keys are loaded from now and saved to at `disconnect()`, so
   * anonymous conversations survive a restart (none by default).
   */
  readonly replyPersistence?: ReplyPersistence;
  /**
   * How to pick a gateway when none is given or stored: `uniform` (default, as Nym's SDKs) or
   * `latency` (time to open a WebSocket to each candidate, then a random pick weighted by
   * 1/latency, as Nym's latency-based selection).
   */
  readonly gatewaySelection?: "uniform" | "latency";
  /** Use `wss://` to the gateway (needed from HTTPS pages). */
  readonly forceTls?: boolean;
  /** How long each gateway protocol step may take, in ms (default 5000, as Nym). */
  readonly gatewayTimeoutMs?: number;
  /** Gateway liveness probe interval in ms (default 5000; 0 turns it off). */
  readonly livenessIntervalMs?: number;
  /** Topology refresh interval in ms (default 5 minutes). */
  readonly topologyRefreshMs?: number;
  /**
   * The `WebSocket` constructor (default: `DenoWebSocket`, with TCP_NODELAY, in Deno;
   * `globalThis.WebSocket` elsewhere).
   */
  readonly WebSocket?: WebSocketConstructor;
  /** The `fetch` function (default `globalThis.fetch`). */
  readonly fetch?: typeof fetch;
  /** Time and timers. */
  readonly clock?: Clock;
  /** Random bytes (default: the platform CSPRNG). */
  readonly random?: RandomBytes;
  /** Primitive provider (default: native where available, else noble). */
  readonly crypto?: CryptoProvider;
  /**
   * Gateways tried before `connect()` gives up with {@linkcode GatewayConnectError} (default
   * 8): the stored one first, then random candidates. A requested `gateway` is the only one.
   */
  readonly gatewayAttempts?: number;
  /**
   * Aborts the connection attempt at any step (storage, topology, latency probe, gateway
   * handshake): `connect()` rejects with the signal's reason and leaves no socket or timer.
   */
  readonly signal?: AbortSignal;
}

/** The keys `connect()` reads and writes in its {@linkcode ClientStorage}. */
export const STORAGE_KEYS: Readonly<{
  identitySecretKey: string;
  encryptionSecretKey: string;
  ackKey: string;
  gateway: string;
}> = Object.freeze({
  identitySecretKey: "identity-secret-key",
  encryptionSecretKey: "encryption-secret-key",
  ackKey: "ack-key",
  gateway: "gateway",
});
/** Length of the identity and encryption secret keys. */
const SECRET_KEY_BYTES = 32;
/** Length of the ack key. */
const ACK_KEY_BYTES = 16;
/** How long a latency probe may take to open its WebSocket (Nym: 1.5 s). */
const LATENCY_PROBE_TIMEOUT_MS = 1500;

async function loadOrCreate(
  storage: ClientStorage,
  key: string,
  create: () => Uint8Array,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const stored = await untilAborted(storage.get(key), signal);
  if (stored) return stored;
  const fresh = create();
  await untilAborted(storage.set(key, fresh), signal);
  return fresh;
}

/** `work`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function resolveTraffic(traffic: ConnectOptions["traffic"]): TrafficConfig {
  if (traffic === undefined || typeof traffic === "string") return trafficConfig(traffic);
  const { preset, ...overrides } = traffic;
  return trafficConfig(preset, overrides);
}

/**
 * Connects to the Nym mixnet (or a localnet) and returns a running {@linkcode MixnetClient}.
 *
 * @example Against a local network
 * ```ts
 * import { connect } from "@nym/mixnet";
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * await using net = await startLocalnet({ logger: "silent" });
 * const client = await connect({ nymApiUrl: net.nymApiUrl });
 * await client.send(client.address, "hello, me");
 * const inbox = client.messages.getReader();
 * const { value } = await inbox.read();
 * console.log(new TextDecoder().decode(value!.data)); // "hello, me"
 * inbox.releaseLock();
 * await client.disconnect();
 * ```
 */
export async function connect(options: ConnectOptions = {}): Promise<MixnetClient> {
  options = { ...options, WebSocket: options.WebSocket ?? defaultWebSocket() };
  requireWebSocket(options.WebSocket);
  const crypto = options.crypto ?? defaultCrypto();
  const random = options.random ?? systemRandom;
  const clock = options.clock ?? systemClock;
  const storage = options.storage ?? new MemoryStorage();
  const traffic = resolveTraffic(options.traffic);
  const urls = typeof options.nymApiUrl === "string"
    ? [options.nymApiUrl]
    : options.nymApiUrl ?? shuffled(MAINNET_NYM_API_URLS, random);

  const { signal } = options;
  signal?.throwIfAborted();
  const secret = (): Uint8Array => random(SECRET_KEY_BYTES);
  const keys = STORAGE_KEYS;
  const identitySecretKey = await loadOrCreate(storage, keys.identitySecretKey, secret, signal);
  const encryptionSecretKey = await loadOrCreate(storage, keys.encryptionSecretKey, secret, signal);
  const ackKey = await loadOrCreate(storage, keys.ackKey, () => random(ACK_KEY_BYTES), signal);

  const api = new NymApiClient({ urls, fetch: options.fetch, clock });
  const initial = await fetchTopology(api, { signal: options.signal });

  // Gateways to try: the requested one only, or the stored one (if still in the topology)
  // then others; stored only once registration or authentication succeeded.
  const measure = (node: RoutingNode) =>
    openLatency(wsEntryUrls(node, { forceTls: options.forceTls }).primary, options, clock, signal);
  const stored = await untilAborted(storage.get(keys.gateway), signal);
  const order = await untilAborted(
    gatewayOrder(options, initial, stored, random, measure),
    signal,
  );

  // The refresher, gateway client and link call back into the client, which needs them first;
  // messages the gateway pushes before the client exists (its stored backlog) wait in `early`.
  const ref: { client?: MixnetClient; refresher?: TopologyRefresher } = {};
  const early: Uint8Array[] = [];
  const { node: gateway, value: link } = await firstWorkingGateway(order, async (node) => {
    const urls = wsEntryUrls(node, { forceTls: options.forceTls });
    const gatewayName = toBase58(node.identityKey);
    // Looked up again from a fresh topology when reconnecting fails: a gateway may have moved.
    const address = gatewayAddress(
      urls.primary,
      node.identityKey,
      () => ref.refresher?.refresh() ?? Promise.resolve(undefined),
      { forceTls: options.forceTls },
    );
    const gatewayClient = new GatewayClient({
      get url() {
        return address.url;
      },
      fallbackUrls: urls.fallback ? [urls.fallback] : [],
      gatewayIdentity: node.identityKey,
      identitySecretKey,
      keyStorage: gatewayKeysIn(storage),
      stepTimeoutMs: options.gatewayTimeoutMs,
      WebSocket: options.WebSocket,
      clock,
      crypto,
      random,
      onMessage: (message) =>
        ref.client ? wiringOf(ref.client).receive(message) : early.push(message),
      onClose: (event) => attemptLink.closed(event),
      onError: (error: GatewayProtocolError) => emitTo(ref.client, "error", { error }),
    });
    const attemptLink: ReconnectingGatewayLink = new ReconnectingGatewayLink({
      client: gatewayClient,
      clock,
      random,
      livenessIntervalMs: options.livenessIntervalMs,
      reresolve: () => address.refresh(),
      onConnected: () => emitTo(ref.client, "connected", { gateway: gatewayName }),
      onReconnecting: (attempt, delayMs, reason) =>
        emitTo(ref.client, "reconnecting", { attempt, delayMs, reason }),
    });
    // An abort during the handshake closes the socket, which fails `start()`.
    const closeOnAbort = (): void => void attemptLink.close();
    signal?.addEventListener("abort", closeOnAbort, { once: true });
    try {
      await untilAborted(attemptLink.start(), signal);
    } catch (error) {
      await attemptLink.close(); // no reconnect of a gateway we moved away from
      throw error;
    } finally {
      signal?.removeEventListener("abort", closeOnAbort);
    }
    return attemptLink;
  }, signal);
  try {
    await untilAborted(storage.set(keys.gateway, gateway.identityKey), signal);
  } catch (error) {
    await link.close();
    throw error;
  }

  const self = new Recipient(
    crypto.ed25519PublicKey(identitySecretKey),
    crypto.x25519PublicKey(encryptionSecretKey),
    gateway.identityKey,
  );

  const refresher = new TopologyRefresher({
    source: api,
    initial,
    intervalMs: options.topologyRefreshMs,
    clock,
    onEvent: (event) => {
      if (event.type === "refreshed") {
        const t = event.topology;
        emitTo(ref.client, "topology", {
          mixnodes: t.layers.reduce((n, l) => n + l.length, 0),
          gateways: new Set([...t.entryGateways, ...t.exitGateways]).size,
        });
      }
    },
  });
  const current = (): Topology => {
    const topology = refresher.topology;
    if (!topology) throw new TopologyError("empty-topology", "no usable topology");
    return topology;
  };
  const routes: RouteSource = {
    routeTo: (identity) => routeHops(randomRoute(current(), identity, random)),
    keyRotation: () => keyRotationFromId(current().metadata.keyRotationId),
    rotation: () => current().metadata,
    generation: () => current(), // each refresh is a new Topology object
  };

  ref.refresher = refresher;

  let replyState: ReplySnapshot | undefined;
  try {
    replyState = await options.replyPersistence?.load();
  } catch (error) {
    await link.close(); // a client that cannot start must not keep its gateway connection
    throw error;
  }
  const client = ref.client = new MixnetClient({
    self,
    encryptionSecretKey,
    ackKey,
    routes,
    traffic,
    crypto,
    random,
    clock,
    replyState,
    onDisconnect: async () => {
      refresher.stop();
      await options.replyPersistence?.save(client.replySnapshot());
    },
  });
  const wiring = wiringOf(client);
  for (const message of early.splice(0)) wiring.receive(message);
  wiring.attach(link);
  refresher.start();
  return client;
}

/** The gateways to try, in order (see {@linkcode ConnectOptions.gatewayAttempts}). */
async function gatewayOrder(
  options: ConnectOptions,
  topology: Topology,
  stored: Uint8Array | undefined,
  random: RandomBytes,
  measure: (node: RoutingNode) => Promise<number>,
): Promise<RoutingNode[]> {
  if (options.gateway) {
    const node = findNodeByIdentity(topology, fromBase58(options.gateway));
    if (!node) {
      throw new TopologyError("no-gateway", `gateway ${options.gateway} is not in the topology`);
    }
    return [node];
  }
  const all = gatewayCandidates(topology.nodes.values(), { forceTls: options.forceTls });
  const storedNode = stored ? findNodeByIdentity(topology, stored) : undefined;
  const first = storedNode ??
    (options.gatewaySelection === "latency"
      ? (await chooseGatewayByLatency(all, measure, random)).node
      : chooseGatewayUniform(all, random));
  return candidateOrder(first, all, random, options.gatewayAttempts ?? DEFAULT_GATEWAY_ATTEMPTS);
}

/** Milliseconds to open (then close) a WebSocket to `url`; rejects after 1.5 s, as Nym. */
function openLatency(
  url: string,
  options: ConnectOptions,
  clock: Clock,
  signal: AbortSignal | undefined,
): Promise<number> {
  const Ctor = options.WebSocket ??
    (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const started = performance.now();
    const ws = new Ctor(url);
    const done = (): void => {
      clock.clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      done();
      ws.close();
      reject(signal!.reason);
    };
    const timer = clock.setTimeout(() => {
      done();
      ws.close();
      reject(new Error(`no connection to ${url} within ${LATENCY_PROBE_TIMEOUT_MS} ms`));
    }, LATENCY_PROBE_TIMEOUT_MS);
    signal?.addEventListener("abort", onAbort, { once: true });
    ws.onopen = () => {
      done();
      resolve(performance.now() - started);
      ws.close(1000);
    };
    ws.onerror = (event) => {
      done();
      reject(new Error(`cannot connect to ${url}`, { cause: event }));
    };
  });
}

function emitTo<K extends keyof MixnetClientEvents>(
  client: MixnetClient | undefined,
  type: K,
  event: MixnetClientEvents[K],
): void {
  if (client) wiringOf(client).emit(type, event);
}

function shuffled(urls: readonly string[], random: RandomBytes): string[] {
  const out = [...urls];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(1)[0] % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
