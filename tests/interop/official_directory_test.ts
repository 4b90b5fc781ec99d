// The official Nym client (`@nymproject/nym-client-wasm@1.4.1`) reads its topology from our
// localnet directory: `currentNetworkTopology(url)` must return the nodes, keys and layers we
// serve, also when it has to page through our listings.
import { assert, assertEquals } from "../_assert.ts";
import { startDirectory, toWasmFriendlyTopology } from "../../localnet/directory/mod.ts";
import { toBase58 } from "../../internal/encoding.ts";
import { makeNetwork } from "../_topology_fixtures.ts";

type Official = { currentNetworkTopology(url: string): Promise<unknown> };

let official: Official | undefined;
let skipReason = "";
try {
  // deno-lint-ignore no-import-prefix
  await import("npm:fake-indexeddb@6.2.8/auto");
  // deno-lint-ignore no-import-prefix
  const wasm = await import("npm:@nymproject/nym-client-wasm@1.4.1");
  await wasm.default();
  official = wasm as unknown as Official;
} catch (error) {
  skipReason = `cannot load @nymproject/nym-client-wasm@1.4.1: ${error}`;
  console.log(`skipping official directory interop tests: ${skipReason}`);
}

// serde_wasm_bindgen writes `None` as `undefined`; our rendering uses `null`.
function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Map) {
    return [...value.entries()].sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([k, v]) => [k, normalize(v)]);
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object).sort().map((k) => [
        k,
        normalize((value as Record<string, unknown>)[k]),
      ]),
    );
  }
  return value;
}

const sorted = (ids: unknown) => [...(ids as number[])].sort((a, b) => a - b);

for (const defaultPerPage of [undefined, 1]) {
  Deno.test({
    name: `the official client reads the topology our directory serves${
      defaultPerPage ? ", one node per page" : ""
    }`,
    ignore: official === undefined,
    async fn() {
      const data = makeNetwork(2, 2);
      const requests: string[] = [];
      await using directory = startDirectory({
        ...data,
        defaultPerPage,
        onRequest: (url) => requests.push(url.pathname + url.search),
      });
      const topology = await official!.currentNetworkTopology(directory.url) as {
        metadata: { key_rotation_id: number; absolute_epoch_id: number; refreshed_at: string };
        rewardedSet: Record<string, number[]>;
        nodeDetails: Map<number, { identityKey: string; sphinxKey: string; mixHost: string }>;
      };

      assert(topology.nodeDetails instanceof Map, "nodeDetails is a Map");
      assertEquals(
        sorted([...topology.nodeDetails.keys()]),
        sorted(data.nodes.map((n) => n.nodeId)),
      );
      for (const node of data.nodes) {
        const got = topology.nodeDetails.get(node.nodeId)!;
        assertEquals(got.identityKey, toBase58(node.identityKey), `identity of ${node.nodeId}`);
        assertEquals(got.sphinxKey, toBase58(node.sphinxKey), `sphinx key of ${node.nodeId}`);
        assertEquals(got.mixHost, `127.0.0.1:${node.mixPort}`);
      }
      assertEquals(sorted(topology.rewardedSet.layer1), data.rewardedSet.layer1);
      assertEquals(sorted(topology.rewardedSet.layer2), data.rewardedSet.layer2);
      assertEquals(sorted(topology.rewardedSet.layer3), data.rewardedSet.layer3);
      assertEquals(sorted(topology.rewardedSet.entry_gateways), data.rewardedSet.entryGateways);
      assertEquals(topology.metadata.key_rotation_id, 4);
      assertEquals(topology.metadata.absolute_epoch_id, 100);
      // Our `refreshed_at` (nym-api's display format) was parsed, not replaced by the epoch.
      assertEquals(new Date(topology.metadata.refreshed_at).getTime(), data.refreshedAt!.getTime());

      // The whole object equals our own WasmFriendlyNymTopology rendering of the same data.
      const ours = toWasmFriendlyTopology(data);
      assertEquals(normalize(topology.nodeDetails), normalize(ours.nodeDetails));
      const rewarded = Object.fromEntries(
        Object.entries(topology.rewardedSet).map(([k, v]) => [k, Array.isArray(v) ? sorted(v) : v]),
      );
      assertEquals(normalize(rewarded), normalize(ours.rewardedSet));

      const listings = requests.filter((r) => r.includes("/skimmed/"));
      if (defaultPerPage === 1) {
        // 6 mixnodes and 2 gateways, one per page.
        assertEquals(listings.filter((r) => r.includes("mixnodes/active")).length, 6);
        assertEquals(listings.filter((r) => r.includes("entry-gateways")).length, 2);
      } else {
        assertEquals(listings.length, 2);
      }
    },
  });
}

Deno.test({
  name: "the official client rejects inconsistent metadata between our listings",
  ignore: official === undefined,
  async fn() {
    const data = makeNetwork(1, 1);
    // Page 1 of the mixnode listing comes from a later epoch: the official client must refuse.
    let served = 0;
    await using directory = startDirectory({
      ...data,
      defaultPerPage: 1,
      onRequest: (url) => {
        if (url.pathname.endsWith("mixnodes/active") && ++served === 2) {
          directory.update({ keyRotation: { currentAbsoluteEpochId: 124 } });
        }
      },
    });
    let message = "";
    try {
      await official!.currentNetworkTopology(directory.url);
    } catch (error) {
      message = String(error);
    }
    assert(/inconsisten/i.test(message), `expected an inconsistency error, got "${message}"`);
    assert(served >= 2);
  },
});

Deno.test({
  name: "the official NymClient picks its gateway from our listing and dials the advertised port",
  ignore: official === undefined,
  async fn() {
    // A WebSocket endpoint standing in for the gateway: it records the upgrade and hangs up, so
    // the client fails at registration, after it has decoded our (JSON, not bincode) listing.
    const upgrades: string[] = [];
    await using gatewayWs = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      upgrades.push(new URL(req.url).pathname);
      socket.onopen = () => socket.close();
      return response;
    });
    const data = makeNetwork(1, 1);
    const gateway = data.nodes.find((n) => n.nodeId === 100)!;
    gateway.entry = { hostname: null, wsPort: gatewayWs.addr.port, wssPort: null };
    const requests: string[] = [];
    await using directory = startDirectory({
      ...data,
      onRequest: (url) => requests.push(url.pathname + url.search),
    });
    const wasm = official as unknown as {
      NymClient: new (onMessage: () => void, opts: unknown) => Promise<unknown>;
    };
    let message = "";
    try {
      await new wasm.NymClient(() => {}, {
        clientId: `directory-interop-${crypto.randomUUID()}`,
        nymApiUrl: directory.url,
        clientOverride: {
          traffic: { disableMainPoissonPacketDistribution: true },
          coverTraffic: { disableLoopCoverTrafficStream: true },
          statsReporting: { enabled: false },
        },
      });
    } catch (error) {
      message = String(error);
    }
    assertEquals(
      requests[0],
      "/v2/unstable/nym-nodes/skimmed/entry-gateways?page=0&output=bincode",
    );
    assert(upgrades.length > 0, "the client connected to the gateway port we advertised");
    assert(message.includes(toBase58(gateway.identityKey)), `error names our gateway: ${message}`);
  },
});
