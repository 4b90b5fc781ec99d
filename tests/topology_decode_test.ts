// Strict decoding of nym-api JSON: every malformed input is a typed TopologyError.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  decodeKeyRotationInfo,
  decodeNodesMetadata,
  decodeNodesPage,
  decodeRewardedSet,
  decodeSkimmedNode,
  NymApiClient,
  sameNodesMetadata,
  TopologyError,
} from "../topology/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { makeNode } from "./_topology_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const gateway = makeNode(4, true);
const validNode = (): Record<string, unknown> => ({
  node_id: 4,
  ed25519_identity_pubkey: toBase58(gateway.identityKey),
  ip_addresses: ["127.0.0.1", "::1"],
  mix_port: 1790,
  x25519_sphinx_pubkey: toBase58(gateway.sphinxKey),
  role: "EntryGateway",
  supported_roles: { mixnode: false, entry: true, exit_nr: true, exit_ipr: false },
  entry: { hostname: "gw.example", ws_port: 9000, wss_port: 9001 },
  performance: "0.87",
});
const validMetadata = () => ({
  status: null,
  absolute_epoch_id: 100,
  rotation_id: 4,
  refreshed_at: "2026-05-16 10:00:00.5 +00:00:00",
});
const validPage = () => ({
  metadata: validMetadata(),
  nodes: { pagination: { total: 1, page: 0, size: 1 }, data: [validNode()] },
});
const validKeyRotation = () => ({
  key_rotation_state: { validity_epochs: 24, initial_epoch_id: 0 },
  current_absolute_epoch_id: 100,
  current_epoch_start: "2026-05-16T10:00:00.25+02:00",
  epoch_duration: { secs: 3600, nanos: 0 },
  progress: {
    current_key_rotation_id: 4,
    current_rotation_starting_epoch: 96,
    current_rotation_ending_epoch: 119,
  },
});

// Test inputs are mutated field by field, hence `any`.
// deno-lint-ignore no-explicit-any
type Mutable = Record<string, any>;

function expectShape(fn: () => unknown, field?: string): void {
  assertThrows(
    fn,
    TopologyError,
    (e) => e.kind === "shape" && (!field || e.message.includes(field)),
  );
}

Deno.test("a valid SkimmedNodeV1 decodes field by field", () => {
  const node = decodeSkimmedNode(validNode());
  assertEquals(node.nodeId, 4);
  assertEquals(node.identityKey, gateway.identityKey);
  assertEquals(node.sphinxKey, gateway.sphinxKey);
  assertEquals(node.ipAddresses, ["127.0.0.1", "::1"]);
  assertEquals(node.mixPort, 1790);
  assertEquals(node.role, { kind: "entry-gateway" });
  assertEquals(node.supportedRoles, { mixnode: false, entry: true, exitNr: true, exitIpr: false });
  assertEquals(node.entry, { hostname: "gw.example", wsPort: 9000, wssPort: 9001 });
  assertEquals(node.performance, "0.87");
  assertEquals(node.performancePercent, 87);
});

Deno.test("serde defaults and aliases of SkimmedNodeV1 are honoured", () => {
  const node = validNode();
  delete node.supported_roles;
  delete node.entry;
  delete node.role;
  node.epoch_role = { Mixnode: { layer: 3 } };
  node.unknown_field = [1, 2, 3];
  const decoded = decodeSkimmedNode(node);
  assertEquals(decoded.supportedRoles, {
    mixnode: false,
    entry: false,
    exitNr: false,
    exitIpr: false,
  });
  assertEquals(decoded.entry, null);
  assertEquals(decoded.role, { kind: "mixnode", layer: 3 });
  for (
    const [role, kind] of [
      ["entry", "entry-gateway"],
      ["gateway", "entry-gateway"],
      ["ExitGateway", "exit-gateway"],
      ["exit", "exit-gateway"],
      ["Standby", "standby"],
      ["Inactive", "inactive"],
    ]
  ) {
    assertEquals(decodeSkimmedNode({ ...validNode(), role }).role, { kind });
  }
  const noWss = decodeSkimmedNode({ ...validNode(), entry: { hostname: null, ws_port: 9000 } });
  assertEquals(noWss.entry, { hostname: null, wsPort: 9000, wssPort: null });
});

Deno.test("performance is truncated to a whole percent exactly", () => {
  const cases: [string, number][] = [
    ["1", 100],
    ["1.000000000000000000", 100],
    ["0.5", 50],
    ["0.57", 57],
    ["0.29", 29],
    ["0.4999999", 49],
    ["0.999999999999999999", 99],
    ["0", 0],
    ["0.09", 9],
    ["00.7", 70],
  ];
  for (const [text, percent] of cases) {
    assertEquals(
      decodeSkimmedNode({ ...validNode(), performance: text }).performancePercent,
      percent,
      text,
    );
  }
});

Deno.test("malformed SkimmedNodeV1 fields are shape errors naming the field", () => {
  const bad: [string, unknown, string][] = [
    ["node_id", -1, "node_id"],
    ["node_id", 2 ** 32, "node_id"],
    ["node_id", "4", "node_id"],
    ["node_id", 1.5, "node_id"],
    ["node_id", undefined, "node_id"],
    ["mix_port", 65536, "mix_port"],
    ["mix_port", null, "mix_port"],
    ["ip_addresses", "127.0.0.1", "ip_addresses"],
    ["ip_addresses", ["256.0.0.1"], "ip_addresses[0]"],
    ["ip_addresses", ["127.0.0.1", "01.2.3.4"], "ip_addresses[1]"],
    ["ip_addresses", ["::g"], "ip_addresses[0]"],
    ["ip_addresses", ["[::1]"], "ip_addresses[0]"],
    ["ip_addresses", ["localhost"], "ip_addresses[0]"],
    ["ip_addresses", [7], "ip_addresses[0]"],
    ["ed25519_identity_pubkey", "0OIl", "ed25519_identity_pubkey"],
    ["ed25519_identity_pubkey", toBase58(new Uint8Array(31).fill(9)), "ed25519_identity_pubkey"],
    ["ed25519_identity_pubkey", toBase58(new Uint8Array(33).fill(9)), "ed25519_identity_pubkey"],
    ["ed25519_identity_pubkey", 42, "ed25519_identity_pubkey"],
    ["x25519_sphinx_pubkey", "", "x25519_sphinx_pubkey"],
    ["x25519_sphinx_pubkey", toBase58(new Uint8Array(16)), "x25519_sphinx_pubkey"],
    ["role", "Mixnode", "role"],
    ["role", { Mixnode: { layer: 256 } }, "role"],
    ["role", { Mixnode: {} }, "role"],
    ["role", { Mixnode: { layer: 1 }, extra: 1 }, "role"],
    ["role", undefined, "role"],
    ["supported_roles", { mixnode: 1, entry: true, exit_nr: true, exit_ipr: true }, "mixnode"],
    ["supported_roles", { mixnode: true }, "entry"],
    ["supported_roles", [], "supported_roles"],
    ["entry", { hostname: 5, ws_port: 9000 }, "entry.hostname"],
    ["entry", { hostname: null }, "entry.ws_port"],
    ["entry", { hostname: null, ws_port: 9000, wss_port: -1 }, "entry.wss_port"],
    ["entry", "ws://x", "entry"],
    ["performance", 0.5, "performance"],
    ["performance", "1.5", "performance"],
    ["performance", "1.01", "performance"],
    ["performance", "2", "performance"],
    ["performance", "-0.5", "performance"],
    ["performance", "0.", "performance"],
    ["performance", ".5", "performance"],
    ["performance", "0.5%", "performance"],
    ["performance", "0.1234567890123456789", "performance"],
    ["performance", "", "performance"],
    ["performance", undefined, "performance"],
  ];
  for (const [field, value, path] of bad) {
    const node = validNode();
    if (value === undefined) delete node[field];
    else node[field] = value;
    expectShape(() => decodeSkimmedNode(node), path);
  }
  expectShape(() => decodeSkimmedNode(null));
  expectShape(() => decodeSkimmedNode([validNode()]));
});

Deno.test("an identity key that is not an ed25519 point is rejected", () => {
  // y = 2 is not the y-coordinate of any Edwards25519 point.
  const notOnCurve = new Uint8Array(32);
  notOnCurve[0] = 2;
  expectShape(
    () => decodeSkimmedNode({ ...validNode(), ed25519_identity_pubkey: toBase58(notOnCurve) }),
    "not a valid ed25519",
  );
  // The same bytes are fine as an x25519 key, which Nym does not validate.
  const node = decodeSkimmedNode({ ...validNode(), x25519_sphinx_pubkey: toBase58(notOnCurve) });
  assertEquals(node.sphinxKey, notOnCurve);
});

Deno.test("page metadata decodes status, epoch, rotation and both timestamp formats", () => {
  const human = decodeNodesMetadata(validMetadata());
  assertEquals(human.refreshedAt.toISOString(), "2026-05-16T10:00:00.500Z");
  const offset = decodeNodesMetadata({
    ...validMetadata(),
    refreshed_at: "2026-05-16 12:00:00.25 +02:00:00",
  });
  assertEquals(offset.refreshedAt.toISOString(), "2026-05-16T10:00:00.250Z");
  const rfc = decodeNodesMetadata({ ...validMetadata(), refreshed_at: "2026-05-16T10:00:00Z" });
  assertEquals(rfc.refreshedAt.toISOString(), "2026-05-16T10:00:00.000Z");
  const early = decodeNodesMetadata({ ...validMetadata(), refreshed_at: "0050-03-01T00:00:00Z" });
  assertEquals(early.refreshedAt.getUTCFullYear(), 50);
  const leap = decodeNodesMetadata({ ...validMetadata(), refreshed_at: "2024-02-29T00:00:00Z" });
  assertEquals(leap.refreshedAt.toISOString(), "2024-02-29T00:00:00.000Z");
  // nym-api's deserializer falls back to the Unix epoch for any other string.
  const garbage = decodeNodesMetadata({ ...validMetadata(), refreshed_at: "yesterday" });
  assertEquals(garbage.refreshedAt.getTime(), 0);
  const noStatus: Record<string, unknown> = validMetadata();
  delete noStatus.status;
  assertEquals(decodeNodesMetadata(noStatus).status, null);
  assertEquals(decodeNodesMetadata({ ...validMetadata(), status: "no-updates" }).status, {
    kind: "no-updates",
  });
  const fresh = decodeNodesMetadata({
    ...validMetadata(),
    status: {
      fresh: {
        id: 0,
        epochs_in_interval: 720,
        current_epoch_start: "2026-05-16T10:00:00Z",
        current_epoch_id: 100,
        epoch_length: { secs: 3600, nanos: 0 },
        total_elapsed_epochs: 100,
      },
    },
  });
  assert(fresh.status?.kind === "fresh" && fresh.status.interval.totalElapsedEpochs === 100);
});

Deno.test("malformed page envelopes and metadata are shape errors", () => {
  const cases: [string, (page: Mutable) => void][] = [
    ["metadata", (p) => delete p.metadata],
    ["metadata", (p) => (p.metadata = "x")],
    ["absolute_epoch_id", (p) => (p.metadata.absolute_epoch_id = -5)],
    ["rotation_id", (p) => delete p.metadata.rotation_id],
    ["refreshed_at", (p) => (p.metadata.refreshed_at = 1700000000)],
    ["status", (p) => (p.metadata.status = "fresh")],
    ["status", (p) => (p.metadata.status = { stale: {} })],
    ["current_epoch_start", (p) => (p.metadata.status = {
      fresh: {
        id: 0,
        epochs_in_interval: 1,
        current_epoch_start: "2026-02-30T00:00:00Z",
        current_epoch_id: 0,
        epoch_length: { secs: 1, nanos: 0 },
        total_elapsed_epochs: 0,
      },
    })],
    ["nanos", (p) => (p.metadata.status = {
      fresh: {
        id: 0,
        epochs_in_interval: 1,
        current_epoch_start: "2026-01-30T00:00:00Z",
        current_epoch_id: 0,
        epoch_length: { secs: 1, nanos: 1e9 },
        total_elapsed_epochs: 0,
      },
    })],
    ["nodes", (p) => delete p.nodes],
    ["pagination", (p) => delete p.nodes.pagination],
    ["total", (p) => (p.nodes.pagination.total = "1")],
    ["page", (p) => (p.nodes.pagination.page = -1)],
    ["size", (p) => delete p.nodes.pagination.size],
    ["data", (p) => (p.nodes.data = {})],
    ["nodes.data[0].mix_port", (p) => (p.nodes.data[0].mix_port = "1789")],
  ];
  for (const [field, mutate] of cases) {
    const page = validPage();
    mutate(page);
    expectShape(() => decodeNodesPage(page), field);
  }
});

Deno.test("rewarded set and key-rotation info reject malformed input", () => {
  const set = {
    epoch_id: 7,
    entry_gateways: [4],
    exit_gateways: [],
    layer1: [1],
    layer2: [2],
    layer3: [3],
    standby: [],
  };
  assertEquals(decodeRewardedSet(set).epochId, 7);
  const { epoch_id: _, ...withoutEpoch } = set;
  assertEquals(decodeRewardedSet(withoutEpoch).epochId, 0);
  expectShape(() => decodeRewardedSet({ ...set, layer2: undefined }), "layer2");
  expectShape(() => decodeRewardedSet({ ...set, layer1: [1, "2"] }), "layer1[1]");
  expectShape(() => decodeRewardedSet({ ...set, standby: [-1] }), "standby[0]");
  expectShape(() => decodeRewardedSet({ ...set, epoch_id: "7" }), "epoch_id");
  expectShape(() => decodeRewardedSet([]));

  const info = decodeKeyRotationInfo(validKeyRotation());
  assertEquals(info.currentEpochStart.toISOString(), "2026-05-16T08:00:00.250Z");
  assertEquals(info.currentKeyRotationId, 4);
  assertEquals(info.epochDuration, { secs: 3600, nanos: 0 });
  const broken: [string, (v: Mutable) => void][] = [
    ["validity_epochs", (v) => (v.key_rotation_state.validity_epochs = 0)],
    ["key_rotation_state", (v) => delete v.key_rotation_state],
    ["current_epoch_start", (v) => (v.current_epoch_start = "2026-05-16 10:00:00.0 +00:00:00")],
    ["current_epoch_start", (v) => (v.current_epoch_start = "2026-05-16T25:00:00Z")],
    ["current_epoch_start", (v) => (v.current_epoch_start = "2023-02-29T00:00:00Z")],
    ["current_epoch_start", (v) => (v.current_epoch_start = "2026-05-16T10:00:00")],
    ["epoch_duration", (v) => (v.epoch_duration = 3600)],
    ["current_key_rotation_id", (v) => delete v.progress.current_key_rotation_id],
    ["progress", (v) => delete v.progress],
    ["current_absolute_epoch_id", (v) => (v.current_absolute_epoch_id = null)],
  ];
  for (const [field, mutate] of broken) {
    const value = validKeyRotation();
    mutate(value);
    expectShape(() => decodeKeyRotationInfo(value), field);
  }
});

Deno.test("metadata consistency compares status, epoch and rotation but not refreshed_at", () => {
  const a = decodeNodesMetadata(validMetadata());
  const later = decodeNodesMetadata({ ...validMetadata(), refreshed_at: "2030-01-01T00:00:00Z" });
  assert(sameNodesMetadata(a, later));
  assert(!sameNodesMetadata(a, decodeNodesMetadata({ ...validMetadata(), rotation_id: 5 })));
  assert(!sameNodesMetadata(a, decodeNodesMetadata({ ...validMetadata(), absolute_epoch_id: 1 })));
  assert(!sameNodesMetadata(a, decodeNodesMetadata({ ...validMetadata(), status: "no-updates" })));
});

/** A client whose every request is answered with `body`. */
function clientAnswering(body: string): NymApiClient {
  return new NymApiClient({
    urls: "http://directory.invalid/",
    fetch: () =>
      Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } })),
  });
}

Deno.test("bodies that are not JSON are json errors", async () => {
  for (const body of ["", "{", "<html>", "\u0000", "[1,]", "NaN"]) {
    await assertRejects(
      () => clientAnswering(body).getNodesPage("/v2/unstable/nym-nodes/skimmed", 0),
      TopologyError,
      (e) => e.kind === "json",
    );
  }
});

Deno.test("every truncation and random corruption of a page body is a typed error", async () => {
  const text = JSON.stringify(validPage());
  const kinds = new Map<string, number>();
  const check = async (body: string) => {
    try {
      await clientAnswering(body).getNodesPage("/v2/unstable/nym-nodes/skimmed", 0);
      kinds.set("ok", (kinds.get("ok") ?? 0) + 1);
    } catch (error) {
      if (!(error instanceof TopologyError)) throw new Error(`untyped error for ${body}: ${error}`);
      kinds.set(error.kind, (kinds.get(error.kind) ?? 0) + 1);
    }
  };
  for (let cut = 0; cut < text.length; cut++) await check(text.slice(0, cut));
  const random = seededRandom(7);
  const bytes = new TextEncoder().encode(text);
  for (let round = 0; round < 400; round++) {
    const copy = bytes.slice();
    const [pos, bit] = random(2);
    copy[(pos * 7 + round) % copy.length] ^= 1 << (bit % 7);
    await check(new TextDecoder().decode(copy));
  }
  // Truncations all fail as JSON; corruptions hit both the parser and the shape checks.
  assert((kinds.get("json") ?? 0) >= text.length, `kinds: ${[...kinds]}`);
  assert((kinds.get("shape") ?? 0) > 0, `kinds: ${[...kinds]}`);
  assertEquals([...kinds.keys()].filter((k) => !["json", "shape", "ok"].includes(k)), []);
});
