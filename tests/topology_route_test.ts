// Route choice, Sphinx hops, gateway WebSocket URLs and gateway choice over a topology.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import {
  buildTopology,
  chooseGatewayByLatency,
  chooseGatewayUniform,
  gatewayCandidates,
  nodeSphinxAddress,
  NymApiClient,
  randomRoute,
  routeHops,
  type RoutingNode,
  type Topology,
  TopologyError,
  wsEntryUrls,
} from "../topology/mod.ts";
import { buildPacket, decodeNodeAddress, processPacket } from "../sphinx/mod.ts";
import { makeNetwork, nodeSecrets } from "./_topology_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

function node(nodeId: number, extra: Partial<RoutingNode> = {}): RoutingNode {
  return {
    nodeId,
    identityKey: new Uint8Array(32).fill(nodeId),
    sphinxKey: new Uint8Array(32).fill(nodeId + 1),
    mixHost: `10.0.0.${nodeId}:1789`,
    supportedRoles: { mixnode: true, mixnetEntry: false, mixnetExit: false },
    performance: 100,
    ...extra,
  };
}

const gatewayNode = (nodeId: number, extra: Partial<RoutingNode> = {}) =>
  node(nodeId, {
    supportedRoles: { mixnode: false, mixnetEntry: true, mixnetExit: true },
    entry: { ipAddresses: [`10.0.0.${nodeId}`], hostname: null, wsPort: 9000, wssPort: null },
    ...extra,
  });

/** 5 mixnodes per layer (ids 11-15, 21-25, 31-35), id 19 rewarded without details, gateway 40. */
function fiveByThree(): Topology {
  const layer = (base: number) => [1, 2, 3, 4, 5].map((i) => base + i);
  return buildTopology({
    metadata: { keyRotationId: 4, absoluteEpochId: 100, refreshedAt: new Date(0) },
    rewardedSet: {
      epochId: 100,
      entryGateways: [40],
      exitGateways: [40],
      layer1: [...layer(10), 19],
      layer2: layer(20),
      layer3: layer(30),
      standby: [],
    },
    nodes: [...layer(10), ...layer(20), ...layer(30)].map((id) => node(id)).concat(gatewayNode(40)),
  });
}

Deno.test("routes pick every node of each layer uniformly, then the egress gateway", () => {
  const topology = fiveByThree();
  const random = seededRandom(42);
  const counts = new Map<number, number>();
  const draws = 5000;
  for (let i = 0; i < draws; i++) {
    const route = randomRoute(topology, new Uint8Array(32).fill(40), random);
    assertEquals(route.length, 4);
    assertEquals(route[3].nodeId, 40);
    for (const [hop, n] of route.slice(0, 3).entries()) {
      assertEquals(Math.floor(n.nodeId / 10), hop + 1, "hop from its own layer");
      counts.set(n.nodeId, (counts.get(n.nodeId) ?? 0) + 1);
    }
  }
  assertEquals(counts.size, 15, "every mixnode was picked");
  assert(!counts.has(19), "a rewarded id without details is never picked");
  for (const [id, count] of counts) {
    // Expected 1000 each; a fair die stays well within ±15% at this sample size.
    assert(Math.abs(count - draws / 5) < draws / 5 * 0.15, `node ${id} picked ${count} times`);
  }
});

Deno.test("the same seed gives the same routes", () => {
  const topology = fiveByThree();
  const pick = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from(
      { length: 20 },
      () => randomRoute(topology, new Uint8Array(32).fill(40), random).map((n) => n.nodeId).join(),
    );
  };
  assertEquals(pick(1), pick(1));
  assert(pick(1).join() !== pick(2).join());
});

Deno.test("the egress is found by identity among all nodes", () => {
  const topology = fiveByThree();
  const random = seededRandom(3);
  // A mixnode may be the egress by default (ignore_egress_epoch_role = true) ...
  const route = randomRoute(topology, new Uint8Array(32).fill(22), random);
  assertEquals(route[3].nodeId, 22);
  // ... but not when egress roles are enforced.
  assertThrows(
    () =>
      randomRoute(topology, new Uint8Array(32).fill(22), random, { ignoreEgressEpochRole: false }),
    TopologyError,
    (e) => e.kind === "invalid-egress",
  );
  assertEquals(
    randomRoute(topology, new Uint8Array(32).fill(40), random, { ignoreEgressEpochRole: false })[3]
      .nodeId,
    40,
  );
  assertThrows(
    () => randomRoute(topology, new Uint8Array(32).fill(99), random),
    TopologyError,
    (e) => e.kind === "unknown-node",
  );
  assertThrows(
    () => randomRoute(topology, new Uint8Array(31).fill(40), random),
    TopologyError,
    (e) => e.kind === "unknown-node",
  );
});

Deno.test("routes over unusable topologies fail with typed errors", () => {
  const random = seededRandom(5);
  const base = {
    metadata: { keyRotationId: 0, absoluteEpochId: 0, refreshedAt: new Date(0) },
    rewardedSet: {
      epochId: 0,
      entryGateways: [40],
      exitGateways: [],
      layer1: [11],
      layer2: [21],
      layer3: [31, 32],
      standby: [],
    },
  };
  const noThird = buildTopology({ ...base, nodes: [node(11), node(21), gatewayNode(40)] });
  assertThrows(
    () => randomRoute(noThird, new Uint8Array(32).fill(40), random),
    TopologyError,
    (e) => e.kind === "no-mixnodes" && e.message.includes("layer 3"),
  );
  const emptySet = buildTopology({
    ...base,
    rewardedSet: { ...base.rewardedSet, entryGateways: [], layer1: [], layer2: [], layer3: [] },
    nodes: [gatewayNode(40)],
  });
  assertThrows(
    () => randomRoute(emptySet, new Uint8Array(32).fill(40), random),
    TopologyError,
    (e) => e.kind === "empty-topology",
  );
});

Deno.test("a route from our directory carries a Sphinx packet hop by hop to the gateway", async () => {
  const data = makeNetwork(2, 1);
  await using directory = startDirectory(data);
  const topology = await new NymApiClient({ urls: directory.url }).fetchTopology();
  const gateway = data.nodes.find((n) => n.nodeId === 100)!;
  const route = randomRoute(topology, gateway.identityKey, seededRandom(9));
  const destination = new Uint8Array(32).fill(0xdd);
  let packet = buildPacket({
    route: routeHops(route),
    delays: [0n, 0n, 0n, 0n],
    destination,
    plaintext: new TextEncoder().encode("hello gateway"),
  });
  for (const [i, hop] of route.entries()) {
    const result = processPacket(packet, nodeSecrets(hop.nodeId).sphinx);
    if (i < 3) {
      assert(result.kind === "forward", `hop ${i} forwards`);
      assertEquals(decodeNodeAddress(result.nextHop).hostPort, route[i + 1].mixHost);
      packet = result.packet;
    } else {
      assert(result.kind === "final");
      assertEquals(result.destination, destination);
      assertEquals(new TextDecoder().decode(result.plaintext), "hello gateway");
    }
  }
});

Deno.test("a node's Sphinx address is its mix socket address padded to 32 bytes", () => {
  const v4 = nodeSphinxAddress({ mixHost: "127.0.0.1:1789" });
  assertEquals(v4, Uint8Array.of(4, 0x06, 0xfd, 127, 0, 0, 1, ...new Uint8Array(25)));
  const v6 = nodeSphinxAddress({ mixHost: "[::1]:1790" });
  assertEquals(v6.length, 32);
  assertEquals(decodeNodeAddress(v6).hostPort, "[::1]:1790");
  for (const mixHost of ["gw.example:1789", "127.0.0.1", "1.2.3.4:70000", ""]) {
    assertThrows(() => nodeSphinxAddress({ mixHost }), TopologyError, (e) => e.kind === "address");
  }
  const hops = routeHops([node(1), node(2)]);
  assertEquals(hops.map((h) => h.publicKey[0]), [2, 3]);
});

Deno.test("gateway WebSocket URLs follow Nym's rules", () => {
  const entry = (e: Partial<NonNullable<RoutingNode["entry"]>>) =>
    gatewayNode(4, {
      entry: { ipAddresses: ["10.0.0.4"], hostname: null, wsPort: 9000, wssPort: null, ...e },
    });
  assertEquals(wsEntryUrls(entry({})), { primary: "ws://10.0.0.4:9000" });
  assertEquals(wsEntryUrls(entry({ ipAddresses: ["10.0.0.4", "10.0.0.5", "10.0.0.6"] })), {
    primary: "ws://10.0.0.4:9000",
    fallback: "ws://10.0.0.5:9000",
  });
  // Plain ws:// by default, even when wss is offered.
  const withTls = entry({ hostname: "gw.example", wssPort: 9443 });
  assertEquals(wsEntryUrls(withTls), {
    primary: "ws://gw.example:9000",
    fallback: "ws://10.0.0.4:9000",
  });
  assertEquals(wsEntryUrls(withTls, { forceTls: true }), { primary: "wss://gw.example:9443" });
  assertEquals(wsEntryUrls(withTls, { noHostname: true }), { primary: "ws://10.0.0.4:9000" });
  const dual = entry({ ipAddresses: ["10.0.0.4", "2001:db8::4"] });
  assertEquals(wsEntryUrls(dual, { preferIpv6: true }), {
    primary: "ws://[2001:db8::4]:9000",
    fallback: "ws://10.0.0.4:9000",
  });
  assertThrows(
    () => wsEntryUrls(entry({ hostname: "gw.example" }), { forceTls: true }),
    TopologyError,
    (e) => e.kind === "no-tls",
  );
  assertThrows(
    () => wsEntryUrls(entry({ wssPort: 9443 }), { forceTls: true }),
    TopologyError,
    (e) => e.kind === "no-tls",
  );
  assertThrows(() => wsEntryUrls(node(1)), TopologyError, (e) => e.kind === "no-entry");
  assertThrows(
    () => wsEntryUrls(entry({ ipAddresses: [] })),
    TopologyError,
    (e) => e.kind === "no-entry",
  );
});

Deno.test("gateway candidates are filtered by entry details, role, performance and TLS", () => {
  const nodes = [
    gatewayNode(1),
    gatewayNode(2, { performance: 49 }),
    gatewayNode(3, { supportedRoles: { mixnode: true, mixnetEntry: true, mixnetExit: false } }),
    node(4), // no entry details
    gatewayNode(5, {
      entry: { ipAddresses: ["10.0.0.5"], hostname: "gw5", wsPort: 9000, wssPort: 9443 },
    }),
  ];
  assertEquals(gatewayCandidates(nodes).map((n) => n.nodeId), [1, 5]);
  assertEquals(gatewayCandidates(nodes, { ignoreEpochRoles: true }).map((n) => n.nodeId), [
    1,
    3,
    5,
  ]);
  assertEquals(gatewayCandidates(nodes, { minPerformance: 0 }).map((n) => n.nodeId), [1, 2, 5]);
  assertEquals(gatewayCandidates(nodes, { forceTls: true }).map((n) => n.nodeId), [5]);
});

Deno.test("uniform gateway choice reaches every candidate", () => {
  const candidates = [1, 2, 3, 4].map((id) => gatewayNode(id));
  const random = seededRandom(11);
  const counts = new Map<number, number>();
  for (let i = 0; i < 2000; i++) {
    const id = chooseGatewayUniform(candidates, random).nodeId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assertEquals([...counts.keys()].sort(), [1, 2, 3, 4]);
  for (const count of counts.values()) assert(Math.abs(count - 500) < 100, `count ${count}`);
  assertThrows(
    () => chooseGatewayUniform([], random),
    TopologyError,
    (e) => e.kind === "no-gateway",
  );
});

Deno.test("latency-based choice weighs gateways by 1/latency and skips failed measurements", async () => {
  const candidates = [1, 2, 3, 4].map((id) => gatewayNode(id));
  const latency: Record<number, number> = { 1: 10, 2: 40 };
  const measure = (n: RoutingNode) => {
    if (n.nodeId === 3) return Promise.reject(new Error("connection refused"));
    if (n.nodeId === 4) return Promise.resolve(Number.NaN);
    return Promise.resolve(latency[n.nodeId]);
  };
  const random = seededRandom(17);
  const counts = new Map<number, number>();
  for (let i = 0; i < 2000; i++) {
    const chosen = await chooseGatewayByLatency(candidates, measure, random);
    assertEquals(chosen.latencyMs, latency[chosen.node.nodeId]);
    counts.set(chosen.node.nodeId, (counts.get(chosen.node.nodeId) ?? 0) + 1);
  }
  assertEquals([...counts.keys()].sort(), [1, 2]);
  // Weights 1/10 : 1/40, so gateway 1 wins 80% of the draws.
  const share = counts.get(1)! / 2000;
  assert(share > 0.75 && share < 0.85, `share of the fast gateway ${share}`);

  await assertRejects(
    () => chooseGatewayByLatency(candidates, () => Promise.reject(new Error("down")), random),
    TopologyError,
    (e) => e.kind === "no-gateway",
  );
  await assertRejects(
    () => chooseGatewayByLatency([], measure, random),
    TopologyError,
    (e) => e.kind === "no-gateway",
  );
  // A 0 ms measurement keeps a finite weight.
  const instant = await chooseGatewayByLatency([candidates[0]], () => Promise.resolve(0), random);
  assertEquals(instant.latencyMs, 0);
});

Deno.test("latency measurements run at most `concurrency` at a time", async () => {
  const candidates = Array.from({ length: 10 }, (_, i) => gatewayNode(i + 1));
  let active = 0, peak = 0, measured = 0;
  const measure = async () => {
    active++;
    peak = Math.max(peak, active);
    for (let i = 0; i < 3; i++) await Promise.resolve();
    active--;
    measured++;
    return 5;
  };
  await chooseGatewayByLatency(candidates, measure, seededRandom(1), { concurrency: 3 });
  assertEquals(peak, 3);
  assertEquals(measured, 10);
});
