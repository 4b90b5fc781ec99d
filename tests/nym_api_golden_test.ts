// nym-api JSON as Rust's serde writes it (golden fixtures under tests/fixtures/nym_api/, field
// order and formats of `nym-api/nym-api-requests/src/nym_nodes.rs`: a human-form
// `refreshed_at`, an 18-digit Decimal performance, a node from an older nym-api without
// `supported_roles`, IPv6 before IPv4): the topology decoders read them, and the localnet
// directory writes the same bytes for the same nodes.
import { defaultCrypto } from "../crypto/mod.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import {
  decodeKeyRotationInfo,
  decodeNodesPage,
  gatewayCandidates,
  toRoutingNode,
  wsEntryUrls,
} from "../topology/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

const read = (name: string): Promise<string> =>
  Deno.readTextFile(new URL(`./fixtures/nym_api/${name}`, import.meta.url));

Deno.test("the golden skimmed-nodes page decodes as nym-api meant it", async () => {
  const page = decodeNodesPage(JSON.parse(await read("skimmed_nodes_v2.json")));
  assertEquals(page.metadata.rotationId, 1067);
  assertEquals(page.metadata.absoluteEpochId, 25630);
  // time's Display form, nanoseconds cut to the millisecond a Date holds
  assertEquals(page.metadata.refreshedAt.toISOString(), "2026-11-30T14:05:09.123Z");
  const [mix, gateway, old] = page.data;
  const routing = toRoutingNode(gateway)!;
  assertEquals(mix.performance, "0.946843853820598006");
  assertEquals(mix.performancePercent, 94);
  assertEquals(mix.role, { kind: "mixnode", layer: 2 });
  // IPv6 first, as nym-api lists a node's addresses in the order it announced them
  assertEquals(gateway.ipAddresses, ["2001:db8::42", "203.0.113.42"]);
  assertEquals(wsEntryUrls(routing), {
    primary: "ws://gateway.example.org:9000",
    fallback: "ws://[2001:db8::42]:9000",
  });
  assertEquals(wsEntryUrls(routing, { noHostname: true }), {
    primary: "ws://[2001:db8::42]:9000",
    fallback: "ws://203.0.113.42:9000",
  });
  // no `supported_roles`: serde's default, every role false
  assertEquals(old.supportedRoles, { mixnode: false, entry: false, exitNr: false, exitIpr: false });
  assertEquals(old.role, { kind: "inactive" });
  assertEquals(old.performancePercent, 50);
});

Deno.test("the golden key-rotation info decodes", async () => {
  const info = decodeKeyRotationInfo(JSON.parse(await read("key_rotation_info.json")));
  assertEquals(info.currentKeyRotationId, 1067);
  assertEquals(info.validityEpochs, 24);
  assertEquals(info.initialEpochId, 22);
});

Deno.test("the localnet directory writes the golden bytes for the same nodes", async () => {
  const golden = await read("skimmed_nodes_v2.json");
  const expected = JSON.parse(golden);
  const c = defaultCrypto();
  const seed = (n: number) => new Uint8Array(32).fill(n);
  const directory = startDirectory({
    nodes: [
      {
        nodeId: 7,
        identityKey: c.ed25519PublicKey(seed(7)),
        sphinxKey: c.x25519PublicKey(seed(107)),
        ipAddresses: ["198.51.100.7"],
        mixPort: 1789,
        entry: null,
        supportedRoles: { mixnode: true, entry: false, exitNr: false, exitIpr: false },
        performance: "0.946843853820598006",
      },
      {
        nodeId: 42,
        identityKey: c.ed25519PublicKey(seed(42)),
        sphinxKey: c.x25519PublicKey(seed(142)),
        ipAddresses: ["2001:db8::42", "203.0.113.42"],
        mixPort: 1789,
        entry: { hostname: "gateway.example.org", wsPort: 9000, wssPort: 9001 },
        supportedRoles: { mixnode: false, entry: true, exitNr: true, exitIpr: true },
        performance: "1",
      },
    ],
    rewardedSet: {
      epochId: 25630,
      entryGateways: [42],
      exitGateways: [],
      layer1: [],
      layer2: [7],
      layer3: [],
    },
    keyRotation: { currentAbsoluteEpochId: 25630, validityEpochs: 24, initialEpochId: 22 },
    refreshedAt: new Date("2026-11-30T14:05:09.123Z"),
  });
  try {
    const response = await fetch(new URL("v2/unstable/nym-nodes/skimmed", directory.url));
    const text = await response.text();
    const ours = JSON.parse(text);
    // refreshed_at: the same human form (a Date holds milliseconds, Rust nanoseconds)
    const human = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+00:00:00$/;
    assert(human.test(ours.metadata.refreshed_at), ours.metadata.refreshed_at);
    assert(human.test(expected.metadata.refreshed_at));
    assertEquals(
      new Date(ours.metadata.refreshed_at.replace(" +00:00:00", "Z").replace(" ", "T")).getTime(),
      Date.parse("2026-11-30T14:05:09.123Z"),
    );
    // byte for byte, once the timestamp and the node our directory does not serve are set aside
    const strip = (page: typeof expected) => ({
      ...page,
      metadata: { ...page.metadata, refreshed_at: "" },
      nodes: {
        pagination: { ...page.nodes.pagination, total: 2, size: 2 },
        data: page.nodes.data.slice(0, 2),
      },
    });
    assertEquals(JSON.stringify(strip(ours)), JSON.stringify(strip(expected)));
    assertEquals(ours.nodes.pagination, { total: 2, page: 0, size: 2 });
    // and what it serves leads clients to the gateway through its hostname, then IPv6
    const page = decodeNodesPage(ours);
    const nodes = page.data.map(toRoutingNode).filter((n) => n !== undefined);
    assertEquals(gatewayCandidates(nodes).map((n) => n.nodeId), [42]);
  } finally {
    await directory.close();
  }
});
