// Our nym-api client against our localnet directory over real loopback HTTP, plus stubbed
// fetches for the failure modes a real server cannot easily produce.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import { type FetchLike, NymApiClient, TopologyError } from "../topology/mod.ts";
import { ManualClock } from "./_manual_clock.ts";
import { makeNetwork, makeNode } from "./_topology_fixtures.ts";

Deno.test("fetchTopology returns the nodes, layers and metadata the directory serves", async () => {
  const data = makeNetwork(2, 2);
  await using directory = startDirectory(data);
  const client = new NymApiClient({ urls: directory.url });
  const topology = await client.fetchTopology();
  assertEquals(topology.layers, [[1, 2], [3, 4], [5, 6]]);
  assertEquals(topology.entryGateways, [100, 101]);
  assertEquals(topology.exitGateways, [100, 101]);
  assertEquals(topology.epochId, 100);
  assertEquals(topology.metadata.keyRotationId, 4);
  assertEquals(topology.metadata.absoluteEpochId, 100);
  assertEquals(topology.metadata.refreshedAt.getTime(), data.refreshedAt!.getTime());
  assertEquals(topology.keyRotation?.currentKeyRotationId, 4);
  assertEquals([...topology.nodes.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 100, 101]);
  for (const node of data.nodes) {
    const got = topology.nodes.get(node.nodeId)!;
    assertEquals(got.identityKey, node.identityKey);
    assertEquals(got.sphinxKey, node.sphinxKey);
    assertEquals(got.mixHost, `127.0.0.1:${node.mixPort}`);
    assertEquals(got.performance, 100);
  }
  assertEquals(topology.nodes.get(100)?.entry, {
    ipAddresses: ["127.0.0.1"],
    hostname: null,
    wsPort: 30100,
    wssPort: null,
  });
  assertEquals(topology.nodes.get(100)?.supportedRoles, {
    mixnode: false,
    mixnetEntry: true,
    mixnetExit: true,
  });
  assertEquals(topology.nodes.get(1)?.entry, undefined);
});

Deno.test("the client pages with per_page=1 through many nodes", async () => {
  const data = makeNetwork(20, 5); // 60 mixnodes, 5 gateways
  const requests: URL[] = [];
  await using directory = startDirectory({ ...data, onRequest: (url) => requests.push(url) });
  const client = new NymApiClient({ urls: directory.url, perPage: 1 });
  const topology = await client.fetchTopology({ includeKeyRotation: false });
  assertEquals(topology.nodes.size, 65);
  const mixPages = requests.filter((u) => u.pathname.endsWith("/mixnodes/active"));
  const gatewayPages = requests.filter((u) => u.pathname.endsWith("/entry-gateways"));
  assertEquals(mixPages.map((u) => u.searchParams.get("page")), [...Array(60).keys()].map(String));
  assertEquals(gatewayPages.length, 5);
  assert(requests.every((u) => !u.searchParams.has("output")), "JSON only: no output=bincode");
  assert(
    [...mixPages, ...gatewayPages].every((u) => u.searchParams.get("per_page") === "1"),
    "per_page is sent on every listing request",
  );
  assertEquals(requests.filter((u) => u.pathname.endsWith("key-rotation-info")).length, 0);
});

Deno.test("the client follows the server's page size when it sends none", async () => {
  await using directory = startDirectory({ ...makeNetwork(4, 1), defaultPerPage: 5 });
  const client = new NymApiClient({ urls: directory.url });
  const mixnodes = await client.getActiveMixnodes();
  assertEquals(mixnodes.nodes.map((n) => n.nodeId), [...Array(12).keys()].map((i) => i + 1));
});

/** A fetch that serves pages of `/mixnodes/active` built by `pageBody`, and 404 elsewhere. */
function pagedFetch(pageBody: (page: number) => unknown): FetchLike {
  return (input) => {
    const url = new URL(input);
    if (!url.pathname.endsWith("/mixnodes/active")) {
      return Promise.resolve(Response.json({ message: "not found" }, { status: 404 }));
    }
    return Promise.resolve(Response.json(pageBody(Number(url.searchParams.get("page")))));
  };
}

/** A client over a stub serving the directory's 2 pages of 3 mixnodes with our metadata. */
const twoPages = async (metadataOf: (page: number) => Record<string, unknown>) => {
  await using directory = startDirectory(makeNetwork(2, 1));
  const served = await Promise.all([0, 1].map(async (page) => {
    const url = `v2/unstable/nym-nodes/skimmed/mixnodes/active?per_page=3&page=${page}`;
    return await (await fetch(new URL(url, directory.url))).json();
  }));
  assertEquals(served[1].nodes.pagination, { total: 6, page: 1, size: 3 });
  return new NymApiClient({
    urls: "http://directory.invalid/",
    fetch: pagedFetch((page) => ({ ...served[page], metadata: metadataOf(page) })),
  });
};

Deno.test("pages with different metadata than page 0 are a metadata-mismatch", async () => {
  const metadata = (rotation: number, epoch = 100) => ({
    status: null,
    absolute_epoch_id: epoch,
    rotation_id: rotation,
    refreshed_at: "2026-01-01T00:00:00Z",
  });
  const rotated = await twoPages((page) => metadata(page === 0 ? 4 : 5));
  await assertRejects(
    () => rotated.getActiveMixnodes(),
    TopologyError,
    (e) => e.kind === "metadata-mismatch",
  );
  const newEpoch = await twoPages((page) => metadata(4, 100 + page));
  await assertRejects(
    () => newEpoch.getActiveMixnodes(),
    TopologyError,
    (e) => e.kind === "metadata-mismatch",
  );
  // Only `refreshed_at` differs: consistent.
  const refreshed = await twoPages((page) => ({
    ...metadata(4),
    refreshed_at: `2026-01-01T00:00:0${page}Z`,
  }));
  assertEquals((await refreshed.getActiveMixnodes()).nodes.length, 6);
});

Deno.test("mixnode and gateway listings with different metadata are a metadata-mismatch", async () => {
  const data = makeNetwork(1, 1);
  let listing = 0;
  await using directory = startDirectory({
    ...data,
    onRequest: (url) => {
      // The second listing request sees a new epoch.
      if (url.pathname.includes("/skimmed/") && ++listing === 2) {
        directory.update({ keyRotation: { currentAbsoluteEpochId: 101 } });
      }
    },
  });
  const client = new NymApiClient({ urls: directory.url });
  await assertRejects(
    () => client.fetchTopology(),
    TopologyError,
    (e) => e.kind === "metadata-mismatch",
  );
});

Deno.test("an empty page before the total is reached is a shape error, not a loop", async () => {
  const client = new NymApiClient({
    urls: "http://directory.invalid/",
    fetch: pagedFetch((page) => ({
      metadata: { status: null, absolute_epoch_id: 1, rotation_id: 0, refreshed_at: "" },
      nodes: { pagination: { total: 5, page, size: 0 }, data: [] },
    })),
  });
  await assertRejects(
    () => client.getActiveMixnodes(),
    TopologyError,
    (e) => e.kind === "shape" && e.message.includes("empty"),
  );
});

Deno.test("a dead nym-api URL fails over to a live one, which is then kept", async () => {
  const dead = startDirectory(makeNetwork(1, 1));
  const deadUrl = dead.url;
  await dead.close();
  await using live = startDirectory(makeNetwork(1, 1));
  const client = new NymApiClient({ urls: [deadUrl, live.url] });
  assertEquals(client.currentUrl, deadUrl);
  const topology = await client.fetchTopology();
  assertEquals(topology.nodes.size, 4);
  assertEquals(client.currentUrl, live.url);
  // With only the dead URL the failure is a typed network error.
  const lonely = new NymApiClient({ urls: deadUrl });
  await assertRejects(() => lonely.getRewardedSet(), TopologyError, (e) => e.kind === "network");
});

Deno.test("HTTP error statuses are http errors and fail over", async () => {
  await using live = startDirectory(makeNetwork(1, 1));
  const seen: string[] = [];
  const client = new NymApiClient({
    urls: ["http://broken.invalid/api", live.url],
    fetch: (input, init) => {
      seen.push(new URL(input).host);
      return input.startsWith("http://broken.invalid/")
        ? Promise.resolve(new Response("oops", { status: 503 }))
        : fetch(input, init);
    },
  });
  assertEquals((await client.getRewardedSet()).epochId, 100);
  assertEquals(seen[0], "broken.invalid");
  const only = new NymApiClient({ urls: "http://broken.invalid/", fetch: unavailable });
  const error = await assertRejects(() => only.getRewardedSet(), TopologyError);
  assertEquals([error.kind, error.status], ["http", 503]);
  const missing = new NymApiClient({ urls: live.url });
  await assertRejects(
    () => missing.getJson("/v9/nothing"),
    TopologyError,
    (e) => e.kind === "http" && e.status === 404,
  );
});

function unavailable(): Promise<Response> {
  return Promise.resolve(new Response("down", { status: 503 }));
}

Deno.test("base URLs keep their path prefix", async () => {
  const seen: string[] = [];
  const client = new NymApiClient({
    urls: "https://validator.example/api",
    fetch: (input) => {
      seen.push(input);
      return Promise.resolve(Response.json({
        epoch_id: 1,
        entry_gateways: [],
        exit_gateways: [],
        layer1: [],
        layer2: [],
        layer3: [],
        standby: [],
      }));
    },
  });
  await client.getRewardedSet();
  assertEquals(seen, ["https://validator.example/api/v1/nym-nodes/rewarded-set"]);
  assertEquals(client.urls, ["https://validator.example/api/"]);
});

/** A fetch that never answers but honours its abort signal. */
const hangingFetch: FetchLike = (_input, init) =>
  new Promise((_, reject) => {
    init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
  });

/** Lets queued promise reactions run (no timers involved). */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

Deno.test("a request that takes longer than the timeout is a timeout error", async () => {
  const clock = new ManualClock();
  const client = new NymApiClient({
    urls: "http://slow.invalid/",
    fetch: hangingFetch,
    timeoutMs: 2_000,
    clock,
  });
  let settled = false;
  const pending = client.getRewardedSet();
  pending.catch(() => {}).finally(() => (settled = true));
  clock.advance(1_999);
  await drainMicrotasks();
  assert(!settled, "not before the timeout");
  clock.advance(1);
  await assertRejects(() => pending, TopologyError, (e) => e.kind === "timeout");
  assertEquals(clock.pending, 0);
});

Deno.test("the timeout also covers a fetch that ignores its abort signal", async () => {
  const clock = new ManualClock();
  const hosts: string[] = [];
  let secondCall: () => void = () => {};
  const reachedSecond = new Promise<void>((resolve) => (secondCall = resolve));
  const client = new NymApiClient({
    urls: ["http://deaf.invalid/", "http://deaf2.invalid/"],
    fetch: (input) => {
      hosts.push(new URL(input).host);
      if (hosts.length === 2) secondCall();
      return new Promise(() => {}); // never settles, ignores the signal
    },
    timeoutMs: 500,
    clock,
  });
  const pending = client.getRewardedSet();
  clock.advance(500); // the first URL times out and the second one is tried
  await reachedSecond;
  clock.advance(500);
  await assertRejects(() => pending, TopologyError, (e) => e.kind === "timeout");
  assertEquals(hosts, ["deaf.invalid", "deaf2.invalid"]);
  assertEquals(clock.pending, 0);
});

Deno.test("an aborted signal rejects with aborted and does not fail over", async () => {
  let calls = 0;
  const client = new NymApiClient({
    urls: ["http://a.invalid/", "http://b.invalid/"],
    fetch: (input, init) => {
      calls++;
      return hangingFetch(input, init);
    },
  });
  const controller = new AbortController();
  const pending = client.fetchTopology({ signal: controller.signal });
  controller.abort();
  await assertRejects(() => pending, TopologyError, (e) => e.kind === "aborted");
  assertEquals(calls, 4); // 4 parallel requests on the first URL, none retried
});

Deno.test("nodes below the performance minimum are dropped", async () => {
  const data = makeNetwork(2, 2);
  data.nodes.find((n) => n.nodeId === 1)!.performance = "0.49";
  data.nodes.find((n) => n.nodeId === 3)!.performance = "0.5";
  data.nodes.find((n) => n.nodeId === 101)!.performance = "0.499999";
  await using directory = startDirectory(data);
  const client = new NymApiClient({ urls: directory.url });
  const topology = await client.fetchTopology();
  assertEquals([...topology.nodes.keys()].sort((a, b) => a - b), [2, 3, 4, 5, 6, 100]);
  assertEquals(topology.nodes.get(3)?.performance, 50);
  // The rewarded set is kept whole: layers still list the filtered node.
  assertEquals(topology.layers[0], [1, 2]);
  const strict = await client.fetchTopology({
    minMixnodePerformance: 51,
    minGatewayPerformance: 0,
  });
  assertEquals([...strict.nodes.keys()].sort((a, b) => a - b), [2, 4, 5, 6, 100, 101]);
});

Deno.test("a topology that is not minimally routable is rejected", async () => {
  const data = makeNetwork(1, 1);
  data.nodes.find((n) => n.nodeId === 2)!.performance = "0.1"; // layer 2's only node
  await using directory = startDirectory(data);
  const client = new NymApiClient({ urls: directory.url });
  await assertRejects(
    () => client.fetchTopology(),
    TopologyError,
    (e) => e.kind === "not-routable",
  );
  assertEquals((await client.fetchTopology({ minMixnodePerformance: 10 })).nodes.size, 4);

  directory.update({ rewardedSet: { ...data.rewardedSet, entryGateways: [], exitGateways: [] } });
  await assertRejects(
    () => client.fetchTopology({ minMixnodePerformance: 0 }),
    TopologyError,
    (e) => e.kind === "not-routable",
  );
});

Deno.test("nodes without an IP address are skipped", async () => {
  const data = makeNetwork(2, 1);
  data.nodes.find((n) => n.nodeId === 1)!.ipAddresses = [];
  await using directory = startDirectory(data);
  const topology = await new NymApiClient({ urls: directory.url }).fetchTopology();
  assert(!topology.nodes.has(1));
  assert(topology.nodes.has(2));
});

Deno.test("extended mode reads every bonded node from /skimmed", async () => {
  const data = makeNetwork(1, 1);
  data.nodes.push(makeNode(77, false)); // bonded, not rewarded
  const paths: string[] = [];
  await using directory = startDirectory({ ...data, onRequest: (u) => paths.push(u.pathname) });
  const client = new NymApiClient({ urls: directory.url });
  const topology = await client.fetchTopology({ extended: true });
  assert(topology.nodes.has(77));
  assert(paths.includes("/v2/unstable/nym-nodes/skimmed"));
  assert(!paths.some((p) => p.endsWith("/mixnodes/active")));
  const normal = await client.fetchTopology();
  assert(!normal.nodes.has(77));
});

Deno.test("bad client options are config errors", () => {
  for (
    const urls of [[], ["not a url"], ["ftp://x/"]] as string[][]
  ) {
    try {
      new NymApiClient({ urls });
      throw new Error("expected a config error");
    } catch (error) {
      assert(error instanceof TopologyError && error.kind === "config", String(error));
    }
  }
  for (const options of [{ timeoutMs: 0 }, { perPage: 0 }, { perPage: 1.5 }]) {
    try {
      new NymApiClient({ urls: "http://x/", ...options });
      throw new Error("expected a config error");
    } catch (error) {
      assert(error instanceof TopologyError && error.kind === "config", String(error));
    }
  }
});
