// A localnet restarted with a data folder comes back on the same ports, and a client whose
// gateway did move (its old port taken) finds it again through a fresh topology.
import { connect } from "../client/connect.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { assert, assertEquals, assertNotEquals, withDeadline } from "./_assert.ts";

Deno.test("a localnet restarted with the same dataDir keeps its nym-api and gateway ports", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "nym-localnet-ports-" });
  try {
    const first = await startLocalnet({ gateways: 2, dataDir, logger: "silent" });
    const before = { api: first.nymApiUrl, gateways: first.gateways.map((g) => g.wsUrl) };
    await first.close();
    await using second = await startLocalnet({ gateways: 2, dataDir, logger: "silent" });
    assertEquals(
      { api: second.nymApiUrl, gateways: second.gateways.map((g) => g.wsUrl) },
      before,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("gatewayPort puts the gateways on consecutive ports, and a taken one is an error", async () => {
  // A free pair of ports: bind two listeners on port 0, note the ports, release them.
  const probes = [Deno.listen({ hostname: "127.0.0.1", port: 0 })];
  const base = (probes[0].addr as Deno.NetAddr).port;
  probes[0].close();
  let net;
  try {
    net = await startLocalnet({ gateways: 2, gatewayPort: base, logger: "silent" });
  } catch (error) {
    // Another process took base or base + 1 meanwhile: nothing this test can check.
    if (error instanceof Deno.errors.AddrInUse) return;
    throw error;
  }
  try {
    assertEquals(net.gateways.map((g) => new URL(g.wsUrl).port), [`${base}`, `${base + 1}`]);
    let error: unknown;
    try {
      await startLocalnet({ gatewayPort: base, logger: "silent" });
    } catch (e) {
      error = e;
    }
    assert(error instanceof Deno.errors.AddrInUse, `AddrInUse, got ${error}`);
    assert((error as Error).message.includes(`port ${base} is already in use`));
  } finally {
    await net.close();
  }
});

Deno.test("a client finds its gateway again after it restarted on a new port", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "nym-localnet-moved-" });
  let blocker: Deno.Listener | undefined;
  try {
    const first = await startLocalnet({ dataDir, logger: "silent" });
    const client = await connect({
      nymApiUrl: first.nymApiUrl,
      traffic: "noCover",
      gatewayTimeoutMs: 500,
      livenessIntervalMs: 0,
    });
    const reasons: string[] = [];
    client.on("reconnecting", (event) => reasons.push(event.reason));
    const reconnected = new Promise<void>((resolve) => client.on("connected", () => resolve()));
    const oldUrl = new URL(first.gateways[0].wsUrl);
    await first.close();
    // Something else now holds the gateway's old port (it accepts TCP, never answers).
    blocker = Deno.listen({ hostname: "127.0.0.1", port: Number(oldUrl.port) });
    await using second = await startLocalnet({ dataDir, logger: "silent" });
    assertEquals(second.nymApiUrl, first.nymApiUrl, "the directory kept its port");
    assertNotEquals(second.gateways[0].wsUrl, first.gateways[0].wsUrl);
    try {
      await withDeadline(reconnected, 30_000, "the client reconnects to the moved gateway");
      await client.send(client.address, "found you");
      const reader = client.messages.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      assertEquals(new TextDecoder().decode(value!.data), "found you");
      // The reasons are words, not bare close codes.
      assert(reasons.length >= 2, `several attempts: ${reasons.join(" | ")}`);
      assert(reasons.every((r) => !/^connection closed \(\d+\)$/.test(r)), reasons.join(" | "));
      assert(reasons.some((r) => /gateway|refused|lost|timed out/.test(r)), reasons.join(" | "));
    } finally {
      await client.disconnect({ timeoutMs: 0 });
    }
  } finally {
    blocker?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("while its gateway is down, reconnect reasons say so in words and name the URL", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  const client = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    livenessIntervalMs: 0,
  });
  const reasons: string[] = [];
  const three = new Promise<void>((resolve) =>
    client.on("reconnecting", (event) => {
      if (reasons.push(event.reason) === 3) resolve();
    })
  );
  await net.killGateway(0);
  try {
    await withDeadline(three, 30_000, "three reconnect attempts");
    assertEquals(
      reasons[0],
      "the gateway is going away (restart or shutdown, code 1001): the gateway is shutting down",
    );
    for (const reason of reasons.slice(1)) {
      assert(
        reason.startsWith(
          `reconnect failed: cannot connect to the gateway at ${
            net.gateways[0].wsUrl
          }: refused or unreachable`,
        ),
        reason,
      );
    }
  } finally {
    await client.disconnect({ timeoutMs: 0 });
  }
});
