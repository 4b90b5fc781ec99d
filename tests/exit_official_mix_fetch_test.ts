// The official @nymproject/mix-fetch@1.4.4 (Rust + Go wasm, npm) as an external judge of our
// network requester: it registers at our localnet gateway, and fetches through our requester
// (Connect with its return address, Sends, our NetworkData and closes) a GET, a 5,000-byte
// POST, a 200 KB body and 4 parallel requests.
//
// Never a refused target here: on a ConnectionError, mix-fetch 1.4.4's Go side panics
// ("todo: extract error message", go-mix-conn/internal/bridge/rust_bridge/rust_bridge.go) and
// the instance is dead for every later request — a known upstream bug, not ours.
import { assert, assertEquals } from "./_assert.ts";
import { body, sameBytes, startExitNet, startOrigin } from "./_exit_harness.ts";

interface MixFetchModule {
  createMixFetch(opts: Record<string, unknown>): Promise<{
    mixFetch(url: string, init: Record<string, unknown>): Promise<Response>;
    disconnectMixFetch(): Promise<void>;
  }>;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

async function loadOfficial(): Promise<{ module: MixFetchModule; restore(): void } | string> {
  const workers: Worker[] = [];
  const hadWindow = "window" in g;
  const OriginalWorker = g.Worker as typeof Worker;
  g.window = globalThis; // index.js keeps its instance on `window`
  g.Worker = class extends OriginalWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      const wrapper = new URL("./_official_mix_fetch_worker.js", import.meta.url);
      wrapper.searchParams.set("src", String(url));
      super(wrapper.href, { ...options, type: "module" });
      workers.push(this);
    }
  };
  const restore = () => {
    for (const worker of workers) worker.terminate();
    g.Worker = OriginalWorker;
    // index.js set window.onunload (disconnect on page unload) and kept its instance there.
    g.onunload = null;
    delete g.__mixFetchGlobal;
    if (!hadWindow) delete g.window;
  };
  try {
    // test-only dependency, pinned inline on purpose (never part of the library's import map)
    // deno-lint-ignore no-import-prefix
    const module = await import("npm:@nymproject/mix-fetch@1.4.4") as unknown as MixFetchModule;
    return { module, restore };
  } catch (error) {
    restore();
    return `cannot load npm:@nymproject/mix-fetch@1.4.4: ${error}`;
  }
}

Deno.test("the official mix-fetch 1.4.4 fetches through our network requester", async () => {
  const loaded = await loadOfficial();
  if (typeof loaded === "string") {
    console.log(`SKIPPING official mix-fetch test: ${loaded}`);
    return;
  }
  const connected: string[] = [];
  await using exit = await startExitNet(0, {
    onEvent: (event) => event.type === "connected" && connected.push(event.remote),
  });
  const origin = startOrigin();
  try {
    const mf = await loaded.module.createMixFetch({
      nymApiUrl: exit.net.nymApiUrl,
      preferredNetworkRequester: exit.exitClient.address,
      preferredGateway: exit.net.gateways[0].identity,
      forceTls: false,
      clientId: `judge-${crypto.randomUUID()}`,
      mixFetchOverride: { requestTimeoutMs: 30_000 },
      clientOverride: {
        traffic: { disableMainPoissonPacketDistribution: true, averagePacketDelayMs: 1 },
        coverTraffic: { disableLoopCoverTrafficStream: true },
        acknowledgements: { averageAckDelayMs: 1 },
      },
    });
    const base = `http://127.0.0.1:${origin.port}`;
    const init = { mode: "unsafe-ignore-cors" };
    try {
      const hello = await mf.mixFetch(`${base}/`, init);
      assertEquals(hello.status, 200);
      assertEquals(await hello.text(), "hello through the mixnet\n");

      const posted = await mf.mixFetch(`${base}/echo`, {
        ...init,
        method: "POST",
        body: new TextDecoder("latin1").decode(body(5000, 9).map((b) => 0x20 + (b % 90))),
      });
      assertEquals(posted.status, 200);
      assertEquals(posted.headers.get("x-length"), "5000");

      const big = await mf.mixFetch(`${base}/bytes/200000`, init);
      assertEquals(big.status, 200);
      assert(sameBytes(new Uint8Array(await big.arrayBuffer()), body(200_000)), "200 KB differs");

      const parallel = await Promise.all(
        [1, 2, 3, 4].map((i) => mf.mixFetch(`${base}/bytes/${1000 * i}`, init)),
      );
      for (const [i, response] of parallel.entries()) {
        assertEquals(response.status, 200);
        assert(sameBytes(new Uint8Array(await response.arrayBuffer()), body(1000 * (i + 1))));
      }
      // One connection per request (mix-fetch disables keep-alive), all through our requester.
      assertEquals(connected.length, 7);
    } finally {
      await mf.disconnectMixFetch().catch(() => {});
    }
  } finally {
    loaded.restore();
    await origin.close();
  }
});
