// Shared by the exit tests: a localnet with a network requester on its own client (loopback
// targets allowed, as `deno task localnet --network-requester`), user clients, and loopback
// HTTP origins serving deterministic bodies.
import { connect } from "../client/connect.ts";
import type { MixnetClient } from "../client/mixnet_client.ts";
import { type Localnet, startLocalnet } from "../localnet/mod.ts";
import {
  denoTransport,
  type NetworkRequester,
  type NetworkRequesterOptions,
  serveNetworkRequester,
} from "../exit/mod.ts";

/** Fast traffic: no cover, no Poisson delay, no per-hop delay, quick retransmissions. */
export const FAST_TRAFFIC = {
  preset: "noCover" as const,
  averagePacketDelayMs: 0,
  averageAckDelayMs: 0,
  ackWaitAdditionMs: 250,
  maximumRetransmissions: 40,
};

/** A localnet, a requester and `users` client(s). */
export interface ExitNet {
  readonly net: Localnet;
  readonly exitClient: MixnetClient;
  readonly requester: NetworkRequester;
  readonly users: MixnetClient[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts the whole setup; dispose it with `await using`. */
export async function startExitNet(
  users = 1,
  options: Partial<NetworkRequesterOptions> = {},
): Promise<ExitNet> {
  const net = await startLocalnet({ maxPerHopDelayMs: 0, logger: "silent" });
  const exitClient = await connect({ nymApiUrl: net.nymApiUrl, traffic: FAST_TRAFFIC });
  const requester = serveNetworkRequester(exitClient, {
    transport: denoTransport(),
    allowLocalIps: true,
    ...options,
  });
  const clients = await Promise.all(
    Array.from(
      { length: users },
      () => connect({ nymApiUrl: net.nymApiUrl, traffic: FAST_TRAFFIC }),
    ),
  );
  return {
    net,
    exitClient,
    requester,
    users: clients,
    async [Symbol.asyncDispose]() {
      await requester.close();
      await Promise.all(clients.map((c) => c.disconnect({ timeoutMs: 2000 })));
      await exitClient.disconnect({ timeoutMs: 2000 });
      await net.close();
    },
  };
}

/** `size` deterministic pseudo-random bytes. */
export function body(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A loopback HTTP origin: `GET /bytes/<n>` serves body(n); `POST /echo` echoes. */
export function startOrigin(): { port: number; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return { port: server.addr.port, close: () => server.shutdown() };
}

/** The request handler of {@linkcode startOrigin} (also served over TLS). */
export async function handler(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const bytes = /^\/bytes\/(\d+)$/.exec(url.pathname);
  if (bytes) return new Response(body(Number(bytes[1])) as Uint8Array<ArrayBuffer>);
  if (url.pathname === "/echo") {
    const data = new Uint8Array(await request.arrayBuffer());
    return new Response(data as Uint8Array<ArrayBuffer>, {
      headers: { "x-method": request.method, "x-length": String(data.length) },
    });
  }
  if (url.pathname === "/stream") {
    let i = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (i === 10) return controller.close();
          controller.enqueue(new TextEncoder().encode(`chunk ${i++}\n`));
        },
      }),
    );
  }
  return new Response("hello through the mixnet\n", {
    headers: { "access-control-allow-origin": "*" },
  });
}

/** Constant-time not needed: test equality of two byte arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
