// connect() against gateways as varied as the real network's: older nym-nodes, gateways that
// enforce credentials, hostnames that do not resolve; the stored gateway is the one that worked.
import { connect } from "../client/connect.ts";
import { GatewayConnectError } from "../client/gateway_connect_error.ts";
import type { MixnetClient, ReceivedMessage } from "../client/mixnet_client.ts";
import { MemoryStorage } from "../client/storage.ts";
import { fromBase58, toBase58 } from "../internal/encoding.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { fetchTopology, NymApiClient, wsEntryUrls } from "../topology/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

async function next(client: MixnetClient): Promise<ReceivedMessage> {
  const reader = client.messages.getReader();
  const { value, done } = await reader.read();
  reader.releaseLock();
  assert(!done && value);
  return value;
}

const text = (m: ReceivedMessage): string => new TextDecoder().decode(m.data);

Deno.test("connect() works where every gateway answers the handshake as nym-node 1.22", async () => {
  await using net = await startLocalnet({
    gatewayKinds: ["nym-node-1.22", "nym-node-1.22"],
    logger: "silent",
  });
  const alice = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
  const bob = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
  try {
    await alice.send(bob.address, "hello from an old network", { replySurbs: 2 });
    const message = await next(bob);
    assertEquals(text(message), "hello from an old network");
    await bob.reply(message.senderTag!, "answered");
    assertEquals(text(await next(alice)), "answered");
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});

Deno.test("connect() moves past a gateway that demands credentials and stores the one that worked", async () => {
  await using net = await startLocalnet({
    gatewayKinds: ["enforce-credentials", "current"],
    logger: "silent",
  });
  const storage = new MemoryStorage();
  // a stored pick that no longer works (before, it was kept forever)
  await storage.set("gateway", fromBase58(net.gateways[0].identity));
  const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover", storage });
  try {
    assert(client.address.endsWith(`@${net.gateways[1].identity}`), client.address);
    assertEquals(toBase58((await storage.get("gateway"))!), net.gateways[1].identity);
    await client.send(client.address, "to myself");
    assertEquals(text(await next(client)), "to myself");
  } finally {
    await client.disconnect();
  }
});

Deno.test("a requested gateway that demands credentials fails connect() and stores nothing", async () => {
  await using net = await startLocalnet({
    gatewayKinds: ["enforce-credentials", "current"],
    logger: "silent",
  });
  const storage = new MemoryStorage();
  const error = await assertRejects(
    () =>
      connect({
        nymApiUrl: net.nymApiUrl,
        traffic: "noCover",
        storage,
        gateway: net.gateways[0].identity,
      }),
    GatewayConnectError,
  );
  assertEquals(error.failures.map((f) => [f.gateway, f.kind]), [
    [net.gateways[0].identity, "credentials-required"],
  ]);
  assert(error.message.includes("only accepting coconut credentials"), error.message);
  assertEquals(await storage.get("gateway"), undefined);
});

Deno.test("when every gateway refuses, connect() lists why each failed", async () => {
  await using net = await startLocalnet({
    gatewayKinds: ["enforce-credentials", "enforce-credentials", "enforce-credentials"],
    logger: "silent",
  });
  const storage = new MemoryStorage();
  const error = await assertRejects(
    () => connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover", storage }),
    GatewayConnectError,
  );
  assertEquals(
    error.failures.map((f) => f.gateway).sort(),
    net.gateways.map((g) => g.identity).sort(),
  );
  assert(error.failures.every((f) => f.kind === "credentials-required"));
  assertEquals(await storage.get("gateway"), undefined);
  // fewer attempts when asked
  const limited = await assertRejects(
    () => connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover", gatewayAttempts: 2 }),
    GatewayConnectError,
  );
  assertEquals(limited.failures.length, 2);
});

Deno.test("a gateway whose hostname does not resolve is reached at its IP address", async () => {
  await using net = await startLocalnet({
    gatewayKinds: ["unresolvable-hostname"],
    logger: "silent",
  });
  // the directory announces the hostname first, as nym-api does for a node with one
  const topology = await fetchTopology(new NymApiClient({ urls: [net.nymApiUrl] }));
  const node = [...topology.nodes.values()].find((n) => n.entry)!;
  const urls = wsEntryUrls(node);
  assert(urls.primary.includes(".localnet.invalid"), urls.primary);
  assertEquals(urls.fallback, net.gateways[0].wsUrl);

  const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
  try {
    await client.send(client.address, "via the IP");
    assertEquals(text(await next(client)), "via the IP");
  } finally {
    await client.disconnect();
  }
});
