// Shared by the interop tests that run the official Nym client, npm:@nymproject/nym-client-wasm
// @1.4.1 (Rust nym-client-wasm, commit b4046a89), against our localnet: loading it (with the
// fake-indexeddb polyfill it needs outside a browser), starting a full `NymClient` on our
// directory with cover traffic off, and a `NymNodeTester` with the key-seeding work-around.
// How each was established (the package build commit, the polyfill, the key-seeding quirk) is in
// tests/vectors/README.md and the comments below.
import type { Localnet } from "../../localnet/mod.ts";

/** The official `NymClient` methods the tests call (`nym_client_wasm.d.ts`). */
export interface OfficialClient {
  selfAddress(): string;
  send_regular_message(message: Uint8Array, recipient: string): Promise<unknown>;
  send_anonymous_message(
    message: Uint8Array,
    recipient: string,
    replySurbs: number,
  ): Promise<unknown>;
  send_reply(message: Uint8Array, senderTag: string): Promise<unknown>;
}

/** `NodeTestResult` of `NymNodeTester.test_node`. */
export interface NodeTestResult {
  readonly sent_packets: number;
  readonly received_packets: number;
  readonly received_acks: number;
  readonly duplicate_packets: number;
  readonly duplicate_acks: number;
  score(): number;
  log_details(): void;
}

/** The `NymNodeTester` methods the tests call. */
export interface OfficialNodeTester {
  test_node(mixnode: string, timeoutMs?: bigint, packets?: number): Promise<NodeTestResult>;
  disconnect_from_gateway(): Promise<unknown>;
}

interface Wasm {
  default(): Promise<unknown>;
  NymClient: new (
    onMessage: (message: Uint8Array, senderTag?: string) => void,
    options: unknown,
  ) => Promise<OfficialClient>;
  NymNodeTester: new (options: unknown) => Promise<OfficialNodeTester>;
}

let wasm: Wasm | undefined;
/** Why the official-client tests are skipped (the npm registry was unreachable), if they are. */
export let skipReason: string | undefined;
try {
  // test-only dependencies, pinned inline on purpose (never part of the library's import map)
  // deno-lint-ignore no-import-prefix
  await import("npm:fake-indexeddb@6.2.8/auto");
  // deno-lint-ignore no-import-prefix
  wasm = await import("npm:@nymproject/nym-client-wasm@1.4.1") as unknown as Wasm;
  await wasm.default();
} catch (error) {
  skipReason = `cannot load npm:@nymproject/nym-client-wasm@1.4.1: ${error}`;
  console.log(`SKIPPING official client interop tests: ${skipReason}`);
}

/** Rejects with `what` if `promise` has not settled within `ms`; the timer is always cleared. */
export function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A FIFO of values pushed by a callback, read in order with `next()`. */
export class Inbox<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  /** Called from the producer's callback. */
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  /** The next value, or a rejection naming `what` after `timeoutMs`. */
  next(what: string, timeoutMs = 10_000): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    const waiter = new Promise<T>((resolve) => this.#waiters.push(resolve));
    return within(waiter, timeoutMs, what);
  }

  /** Values received and not read yet. */
  get pending(): number {
    return this.#items.length;
  }
}

/** What the official client's `on_message(message, senderTag)` was called with. */
export interface OfficialMessage {
  readonly data: Uint8Array;
  readonly senderTag?: string;
}

/** Per-hop delays of 1 ms and no cover traffic keep the runs short (official-client.md §2). */
export const OFFICIAL_TEST_OVERRIDE = {
  traffic: { disableMainPoissonPacketDistribution: true, averagePacketDelayMs: 1 },
  coverTraffic: { disableLoopCoverTrafficStream: true },
  acknowledgements: { averageAckDelayMs: 1 },
  statsReporting: { enabled: false },
  topology: { disableRefreshing: true },
} as const;

/**
 * Starts the official `NymClient` on the localnet's directory, registered at gateway
 * `gateway` (index); its `on_message` calls land in the returned inbox.
 */
export async function startOfficialClient(
  net: Localnet,
  gateway = 0,
  override: Record<string, unknown> = OFFICIAL_TEST_OVERRIDE,
): Promise<{ client: OfficialClient; inbox: Inbox<OfficialMessage> }> {
  const inbox = new Inbox<OfficialMessage>();
  const client = await new wasm!.NymClient(
    (data, senderTag) => inbox.push({ data, senderTag }),
    {
      clientId: `interop-client-${crypto.randomUUID()}`,
      nymApiUrl: net.nymApiUrl,
      preferredGateway: net.gateways[gateway].identity,
      clientOverride: override,
    },
  );
  return { client, inbox };
}

/**
 * Creates a `NymNodeTester` on the localnet's topology, registered at gateway `gateway`.
 *
 * Work-around (official-client.md §2): the tester never generates its own keys, so a
 * `NymClient` using the tester's storage id (`_nym-node-tester-<id>`) creates and stores them
 * first, then fails on the unreachable nym-api it was given, as intended.
 */
export async function startNodeTester(net: Localnet, gateway = 0): Promise<OfficialNodeTester> {
  const id = `interop-tester-${crypto.randomUUID()}`;
  await new wasm!.NymClient(() => {}, {
    clientId: `_nym-node-tester-${id}`,
    nymApiUrl: "http://127.0.0.1:9/",
  }).catch(() => {});
  return await new wasm!.NymNodeTester({
    id,
    topology: net.wasmTopology(),
    gateway: net.gateways[gateway].identity,
  });
}
