// The localnet directory serves nym-api's endpoints and JSON shapes over real loopback HTTP.
import { assert, assertEquals } from "./_assert.ts";
import { startDirectory, toWasmFriendlyTopology } from "../localnet/directory/mod.ts";
import {
  decodeKeyRotationInfo,
  decodeNodesPage,
  decodeRewardedSet,
  decodeSkimmedNode,
} from "../topology/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { makeNetwork, makeNode } from "./_topology_fixtures.ts";

// Response bodies are inspected field by field, hence `any`.
// deno-lint-ignore no-explicit-any
type Json = any;

async function get(
  base: string,
  path: string,
): Promise<{ status: number; type: string; body: Json }> {
  const response = await fetch(new URL(path, base));
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.json(),
  };
}

Deno.test("the directory answers the five requests of the official client with JSON", async () => {
  await using directory = startDirectory(makeNetwork(1, 1));
  for (
    const path of [
      "v2/unstable/nym-nodes/skimmed/entry-gateways?page=0&output=bincode",
      "v1/epoch/key-rotation-info",
      "v1/nym-nodes/rewarded-set",
      "v2/unstable/nym-nodes/skimmed/mixnodes/active?page=0",
      "v2/unstable/nym-nodes/skimmed/entry-gateways?page=0",
    ]
  ) {
    const res = await get(directory.url, path);
    assertEquals(res.status, 200, path);
    assertEquals(res.type, "application/json", path);
  }
});

Deno.test("a skimmed node has exactly nym-api's fields and values", async () => {
  const data = makeNetwork(1, 1);
  await using directory = startDirectory(data);
  const res = await get(directory.url, "v2/unstable/nym-nodes/skimmed/entry-gateways");
  const gateway = data.nodes.find((n) => n.nodeId === 100)!;
  assertEquals(res.body.nodes.data, [{
    node_id: 100,
    ed25519_identity_pubkey: toBase58(gateway.identityKey),
    ip_addresses: ["127.0.0.1"],
    mix_port: 20100,
    x25519_sphinx_pubkey: toBase58(gateway.sphinxKey),
    role: "EntryGateway",
    supported_roles: { mixnode: false, entry: true, exit_nr: true, exit_ipr: true },
    entry: { hostname: null, ws_port: 30100, wss_port: null },
    performance: "1",
  }]);
  const mixes = await get(directory.url, "v2/unstable/nym-nodes/skimmed/mixnodes/active");
  assertEquals(mixes.body.nodes.data.map((n: { role: unknown }) => n.role), [
    { Mixnode: { layer: 1 } },
    { Mixnode: { layer: 2 } },
    { Mixnode: { layer: 3 } },
  ]);
  assertEquals(mixes.body.nodes.data[0].entry, null);
});

Deno.test("listing metadata carries the epoch, the rotation id and a fresh interval", async () => {
  const data = makeNetwork(1, 1);
  await using directory = startDirectory({
    ...data,
    keyRotation: {
      currentAbsoluteEpochId: 1441,
      validityEpochs: 24,
      initialEpochId: 1,
      currentEpochStart: new Date("2026-05-16T09:00:00Z"),
      epochDurationSecs: 3600,
    },
  });
  const active = await get(directory.url, "v2/unstable/nym-nodes/skimmed/mixnodes/active");
  assertEquals(active.body.metadata, {
    status: {
      fresh: {
        id: 2,
        epochs_in_interval: 720,
        current_epoch_start: "2026-05-16T09:00:00.000Z",
        current_epoch_id: 1,
        epoch_length: { secs: 3600, nanos: 0 },
        total_elapsed_epochs: 1441,
      },
    },
    absolute_epoch_id: 1441,
    rotation_id: 60,
    refreshed_at: "2026-01-02 03:04:05.678 +00:00:00",
  });
  const all = await get(directory.url, "v2/unstable/nym-nodes/skimmed");
  assertEquals(all.body.metadata.status, null);
  const info = await get(directory.url, "v1/epoch/key-rotation-info");
  assertEquals(info.body, {
    key_rotation_state: { validity_epochs: 24, initial_epoch_id: 1 },
    current_absolute_epoch_id: 1441,
    current_epoch_start: "2026-05-16T09:00:00.000Z",
    epoch_duration: { secs: 3600, nanos: 0 },
    progress: {
      current_key_rotation_id: 60,
      current_rotation_starting_epoch: 1441,
      current_rotation_ending_epoch: 1464,
    },
  });
  const decoded = decodeKeyRotationInfo(info.body);
  assertEquals(decoded.currentKeyRotationId, 60);
});

Deno.test("the rewarded set is served as nym-api's RewardedSetResponse", async () => {
  const data = makeNetwork(2, 1);
  await using directory = startDirectory(data);
  const res = await get(directory.url, "v1/nym-nodes/rewarded-set");
  assertEquals(res.body, {
    epoch_id: 100,
    entry_gateways: [100],
    exit_gateways: [100],
    layer1: [1, 2],
    layer2: [3, 4],
    layer3: [5, 6],
    standby: [],
  });
  assertEquals(decodeRewardedSet(res.body).layer3, [5, 6]);
});

Deno.test("listings page with page and per_page and report total, page and size", async () => {
  const data = makeNetwork(3, 1); // 9 mixnodes
  await using directory = startDirectory(data);
  const base = "v2/unstable/nym-nodes/skimmed/mixnodes/active";
  const ids: number[] = [];
  for (let page = 0; page < 4; page++) {
    const res = await get(directory.url, `${base}?page=${page}&per_page=4`);
    const expectedSize = [4, 4, 1, 0][page];
    assertEquals(res.body.nodes.pagination, { total: 9, page, size: expectedSize });
    assertEquals(res.body.nodes.data.length, expectedSize);
    ids.push(...res.body.nodes.data.map((n: { node_id: number }) => n.node_id));
  }
  assertEquals(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const everything = await get(directory.url, base);
  assertEquals(everything.body.nodes.pagination, { total: 9, page: 0, size: 9 });
  const beyond = await get(directory.url, `${base}?page=1`);
  assertEquals(beyond.body.nodes.pagination, { total: 9, page: 1, size: 0 });
});

Deno.test("defaultPerPage pages requests that give no per_page", async () => {
  await using directory = startDirectory({ ...makeNetwork(2, 1), defaultPerPage: 5 });
  const res = await get(directory.url, "v2/unstable/nym-nodes/skimmed?page=1");
  assertEquals(res.body.nodes.pagination, { total: 7, page: 1, size: 2 });
});

Deno.test("listings select nodes as nym-api does", async () => {
  const data = makeNetwork(1, 2);
  data.nodes.push(makeNode(50, false)); // bonded, not in the rewarded set
  data.nodes.push(makeNode(51, false)); // standby
  data.rewardedSet.standby = [51];
  data.rewardedSet.exitGateways = [101];
  data.rewardedSet.entryGateways = [100];
  data.nodes.find((n) => n.nodeId === 101)!.supportedRoles = {
    mixnode: false,
    entry: true,
    exitNr: true,
    exitIpr: false,
  };
  await using directory = startDirectory(data);
  const ids = async (path: string) =>
    (await get(directory.url, `v2/unstable/nym-nodes/skimmed${path}`)).body.nodes.data
      .map((n: { node_id: number }) => n.node_id);
  assertEquals(await ids("/mixnodes/active"), [1, 2, 3, 51]);
  assertEquals(await ids("/mixnodes/all"), [1, 2, 3, 50, 51]);
  assertEquals(await ids("/entry-gateways"), [100, 101]);
  assertEquals(await ids("/exit-gateways"), [100]);
  assertEquals(await ids(""), [1, 2, 3, 50, 51, 100, 101]);
  assertEquals(await ids("?role=active-mixnode"), [1, 2, 3, 51]);
  assertEquals(await ids("?role=gateway"), [100, 101]);
  const roles = (await get(directory.url, "v2/unstable/nym-nodes/skimmed")).body.nodes.data
    .map((n: { role: unknown }) => n.role);
  assertEquals(roles.slice(3), ["Inactive", "Standby", "EntryGateway", "ExitGateway"]);
});

Deno.test("the deprecated v1 listings use the v1 envelope", async () => {
  await using directory = startDirectory(makeNetwork(1, 1));
  const res = await get(directory.url, "v1/unstable/nym-nodes/skimmed/entry-gateways/all");
  assertEquals(Object.keys(res.body), ["status", "refreshed_at", "nodes"]);
  assertEquals(res.body.nodes.data[0].node_id, 100);
  const mixes = await get(directory.url, "v1/unstable/nym-nodes/skimmed/mixnodes/active");
  assertEquals(mixes.body.nodes.pagination.total, 3);
});

Deno.test("unknown paths, other methods and bad parameters get JSON errors", async () => {
  await using directory = startDirectory(makeNetwork(1, 1));
  const missing = await get(directory.url, "v3/nothing");
  assertEquals(missing.status, 404);
  assertEquals(missing.type, "application/json");
  assertEquals(missing.body.path, "/v3/nothing");
  for (
    const query of ["page=-1", "page=x", "per_page=0", "page=4294967296", "role=mixnode"]
  ) {
    const res = await get(directory.url, `v2/unstable/nym-nodes/skimmed?${query}`);
    assertEquals(res.status, 400, query);
    assertEquals(res.type, "application/json");
  }
  const post = await fetch(new URL("v1/nym-nodes/rewarded-set", directory.url), {
    method: "POST",
    body: "{}",
  });
  assertEquals(post.status, 405);
  assertEquals((await post.json()).message, "method POST not allowed");
});

Deno.test("update() changes what is served and bumps refreshed_at", async () => {
  const data = makeNetwork(1, 1);
  await using directory = startDirectory(data);
  directory.update({
    nodes: [...data.nodes, makeNode(7, false)],
    rewardedSet: { ...data.rewardedSet, layer1: [1, 7] },
    keyRotation: { currentAbsoluteEpochId: 125 },
  });
  let rejected = false;
  try {
    directory.update({ keyRotation: { validityEpochs: 0 } });
  } catch (error) {
    rejected = error instanceof RangeError;
  }
  assert(rejected, "a key-rotation clock with 0 validity epochs is refused");
  const res = await get(directory.url, "v2/unstable/nym-nodes/skimmed/mixnodes/active");
  const page = decodeNodesPage(res.body);
  assertEquals(page.data.map((n) => n.nodeId), [1, 2, 3, 7]);
  assertEquals(page.metadata.rotationId, 5);
  assertEquals(page.metadata.absoluteEpochId, 125);
  assert(page.metadata.refreshedAt.getTime() > data.refreshedAt!.getTime());
});

Deno.test("every served node decodes with the topology decoders", async () => {
  const data = makeNetwork(2, 2);
  data.nodes[0].ipAddresses = ["::1", "127.0.0.1"];
  data.nodes[1].performance = "0.42";
  await using directory = startDirectory(data);
  const res = await get(directory.url, "v2/unstable/nym-nodes/skimmed");
  const page = decodeNodesPage(res.body);
  assertEquals(page.data.length, data.nodes.length);
  for (const [i, node] of page.data.entries()) {
    assertEquals(node.identityKey, data.nodes[i].identityKey);
    assertEquals(node.sphinxKey, data.nodes[i].sphinxKey);
  }
  assertEquals(page.data[0].ipAddresses, ["::1", "127.0.0.1"]);
  assertEquals(page.data[1].performancePercent, 42);
  assertEquals(decodeSkimmedNode(res.body.nodes.data[6]).entry?.wsPort, 30100);
});

Deno.test("the WasmFriendlyNymTopology rendering has the official casing and a numeric Map", () => {
  const data = makeNetwork(1, 1);
  data.nodes.push(makeNode(60, false, { ipAddresses: [] })); // no IP: left out
  data.rewardedSet.layer1.push(60);
  data.nodes.find((n) => n.nodeId === 100)!.entry = {
    hostname: "gw.local",
    wsPort: 9001,
    wssPort: 9443,
  };
  const topology = toWasmFriendlyTopology(data);
  assertEquals(Object.keys(topology), ["metadata", "rewardedSet", "nodeDetails"]);
  assertEquals(topology.metadata, {
    key_rotation_id: 4,
    absolute_epoch_id: 100,
    refreshed_at: "2026-01-02T03:04:05.678Z",
  });
  assertEquals(topology.rewardedSet.layer1, [1, 60]);
  assert(topology.nodeDetails instanceof Map);
  assertEquals([...topology.nodeDetails.keys()], [1, 2, 3, 100]);
  const gateway = data.nodes.find((n) => n.nodeId === 100)!;
  assertEquals(topology.nodeDetails.get(100), {
    nodeId: 100,
    mixHost: "127.0.0.1:20100",
    entry: {
      ip_addresses: ["127.0.0.1"],
      clients_ws_port: 9001,
      hostname: "gw.local",
      clients_wss_port: 9443,
    },
    identityKey: toBase58(gateway.identityKey),
    sphinxKey: toBase58(gateway.sphinxKey),
    supportedRoles: { mixnode: false, mixnet_entry: true, mixnet_exit: true },
  });
  assertEquals(topology.nodeDetails.get(1)?.entry, null);
});
