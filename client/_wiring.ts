// How connect(), the stream layer and tests reach a client's internals without them being
// public API: a registry keyed by the client object, filled by its constructor.
import type { GatewayLink, MixnetClientEvents, ReceivedMessage } from "./mixnet_client.ts";

/** The internal hooks of a client. */
export interface ClientWiring {
  /** Connects the core to its gateway and starts the traffic streams (once). */
  attach(gateway: GatewayLink): void;
  /** Handles one message the gateway pushed. */
  receive(bytes: Uint8Array): void;
  /** Emits an event to the client's listeners. */
  emit<K extends keyof MixnetClientEvents>(type: K, event: MixnetClientEvents[K]): void;
  /** Sees every received message first; returning true consumes it. */
  intercept(handler: (message: ReceivedMessage) => boolean): () => void;
  /**
   * Adds work that `disconnect()` waits for (within its timeout) before the client stops, such as
   * stream closes in flight; returns a remover.
   */
  beforeClose(hook: () => Promise<unknown>): () => void;
}

const registry = new WeakMap<object, Partial<ClientWiring>>();

/** Registers the hooks of `client` (its constructor does; test doubles may too). */
export function wire(client: object, wiring: Partial<ClientWiring>): void {
  registry.set(client, wiring);
}

/** The hooks of `client`; throws for an object that is not a client. */
export function wiringOf(client: object): ClientWiring {
  const wiring = registry.get(client);
  if (!wiring) throw new TypeError("not a MixnetClient (or a registered test double)");
  return wiring as ClientWiring;
}
