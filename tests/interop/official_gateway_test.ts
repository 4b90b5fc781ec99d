// Interop: the official client, npm:@nymproject/nym-client-wasm@1.4.1 (Rust commit b4046a89),
// registers at OUR gateway (localnet/gateway) and re-authenticates with authenticateV2.
//
// What the official client does (read from nymtech/nym at b4046a89 and observed here):
// - it asks `supportedProtocol` (we answer 6, which it accepts), then registers with handshake
//   messages tagged protocol_version 3; like Nym's own gateway we adopt the client's proposal and
//   answer `register` with protocol_version 3, so it then sends ForwardSphinx (v1) frames;
// - the full NymClient registers on a first connection and authenticates (authenticateV2,
//   protocolVersion 4) on a second one; at 4 it still sends ForwardSphinx (v1) frames.
//   ForwardSphinxV2 needs a negotiated version of 5 or more, which the 1.4.1 client never
//   proposes (tests/gateway_session_test.ts covers V2 with our own client);
// - NymNodeTester.reconnect_to_gateway() re-authenticates with the legacy `authenticate`
//   request (its negotiated version 3 predates authenticateV2), which current Nym gateways, and
//   ours, refuse.
//
// The wasm client keeps background timers and intervals (its task loops) that it offers no API
// to stop, so the two tests below turn off the op sanitizer (only it: the resource sanitizer
// stays on, and every socket and server of our own is closed explicitly).
import { assert, assertEquals } from "../_assert.ts";
import { defaultCrypto } from "../../crypto/mod.ts";
import { toBase58 } from "../../internal/encoding.ts";
import { type GatewayServerEvent, startGatewayServer } from "../../localnet/gateway/mod.ts";
import type { MixPacket } from "../../gateway/mod.ts";

// deno-lint-ignore no-explicit-any
let wasm: any;
let skipReason: string | undefined;
try {
  // test-only dependencies, pinned inline on purpose (never part of the library's import map)
  // deno-lint-ignore no-import-prefix
  await import("npm:fake-indexeddb@6.2.8/auto");
  // deno-lint-ignore no-import-prefix
  wasm = await import("npm:@nymproject/nym-client-wasm@1.4.1");
  await wasm.default();
} catch (error) {
  skipReason = `cannot load npm:@nymproject/nym-client-wasm@1.4.1: ${error}`;
  console.log(`SKIPPING official client interop tests: ${skipReason}`);
}

const c = defaultCrypto();
const randomKey = () => crypto.getRandomValues(new Uint8Array(32));

interface Node {
  readonly id: number;
  readonly port: number;
  readonly identity: Uint8Array;
  readonly sphinxKey: Uint8Array;
}

async function gateway() {
  const events: GatewayServerEvent[] = [];
  const forwarded: MixPacket[] = [];
  const waiters: [(e: GatewayServerEvent) => boolean, () => void][] = [];
  const server = await startGatewayServer({
    identitySecretKey: randomKey(),
    forward: (packet) => forwarded.push(packet),
    onEvent: (event) => {
      events.push(event);
      for (const [match, resolve] of waiters) if (match(event)) resolve();
    },
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: (m) => console.error(m) },
  });
  const mixnodes: Node[] = [1, 2, 3].map((id) => ({
    id,
    port: 1790 + id,
    identity: c.ed25519PublicKey(randomKey()),
    sphinxKey: c.x25519PublicKey(randomKey()),
  }));
  const until = (match: (e: GatewayServerEvent) => boolean): Promise<void> =>
    events.some(match)
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push([match, resolve]));
  return { server, events, forwarded, mixnodes, until, sphinxKey: c.x25519PublicKey(randomKey()) };
}

type Gateway = Awaited<ReturnType<typeof gateway>>;

/** A `WasmFriendlyNymTopology` (official-client.md §1): nodeDetails must be a Map. */
function wasmTopology(g: Gateway) {
  const mixRoles = { mixnode: true, mixnet_entry: false, mixnet_exit: false };
  return {
    metadata: {
      key_rotation_id: 4,
      absolute_epoch_id: 100,
      refreshed_at: new Date().toISOString(),
    },
    rewardedSet: {
      epoch_id: 100,
      entry_gateways: [4],
      exit_gateways: [4],
      layer1: [1],
      layer2: [2],
      layer3: [3],
      standby: [],
    },
    nodeDetails: new Map<number, unknown>([
      ...g.mixnodes.map((n) =>
        [n.id, {
          nodeId: n.id,
          mixHost: `127.0.0.1:${n.port}`,
          entry: null,
          identityKey: toBase58(n.identity),
          sphinxKey: toBase58(n.sphinxKey),
          supportedRoles: mixRoles,
        }] as const
      ),
      [4, {
        nodeId: 4,
        mixHost: "127.0.0.1:1790",
        entry: {
          ip_addresses: ["127.0.0.1"],
          clients_ws_port: g.server.port,
          hostname: null,
          clients_wss_port: null,
        },
        identityKey: toBase58(g.server.identityKey),
        sphinxKey: toBase58(g.sphinxKey),
        supportedRoles: { mixnode: false, mixnet_entry: true, mixnet_exit: true },
      }],
    ]),
  };
}

/** The five nym-api endpoints the full client reads at start (official-client.md §2). */
function fakeNymApi(g: Gateway): Deno.HttpServer<Deno.NetAddr> {
  const now = new Date().toISOString();
  const skimmed = (id: number, port: number, identity: Uint8Array, sphinxKey: Uint8Array) => ({
    node_id: id,
    ed25519_identity_pubkey: toBase58(identity),
    ip_addresses: ["127.0.0.1"],
    mix_port: port,
    x25519_sphinx_pubkey: toBase58(sphinxKey),
    role: id === 4 ? "EntryGateway" : { Mixnode: { layer: id } },
    supported_roles: { mixnode: id !== 4, entry: id === 4, exit_nr: false, exit_ipr: false },
    entry: id === 4 ? { hostname: null, ws_port: g.server.port, wss_port: null } : null,
    performance: "1",
  });
  const page = (data: unknown[]) => ({
    metadata: { status: null, absolute_epoch_id: 100, rotation_id: 4, refreshed_at: now },
    nodes: { pagination: { total: data.length, page: 0, size: data.length }, data },
  });
  const bodies: Record<string, unknown> = {
    "/v2/unstable/nym-nodes/skimmed/entry-gateways": page([
      skimmed(4, 1790, g.server.identityKey, g.sphinxKey),
    ]),
    "/v2/unstable/nym-nodes/skimmed/mixnodes/active": page(
      g.mixnodes.map((n) => skimmed(n.id, n.port, n.identity, n.sphinxKey)),
    ),
    "/v1/nym-nodes/rewarded-set": {
      epoch_id: 100,
      entry_gateways: [4],
      exit_gateways: [4],
      layer1: [1],
      layer2: [2],
      layer3: [3],
      standby: [],
    },
    "/v1/epoch/key-rotation-info": {
      key_rotation_state: { validity_epochs: 24, initial_epoch_id: 4 },
      current_absolute_epoch_id: 100,
      current_epoch_start: now,
      epoch_duration: { secs: 3600, nanos: 0 },
      progress: {
        current_key_rotation_id: 4,
        current_rotation_starting_epoch: 100,
        current_rotation_ending_epoch: 123,
      },
    },
  };
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const body = bodies[new URL(request.url).pathname];
    return body === undefined ? new Response("not found", { status: 404 }) : Response.json(body);
  });
}

const NO_COVER_TRAFFIC = {
  traffic: { disableMainPoissonPacketDistribution: true },
  coverTraffic: { disableLoopCoverTrafficStream: true },
  statsReporting: { enabled: false },
  topology: { disableRefreshing: true },
};

Deno.test({
  name: "the official NymNodeTester registers at our gateway and its test packets reach forward",
  ignore: skipReason !== undefined,
  sanitizeOps: false, // see the header: the wasm client's timers outlive the test
  async fn() {
    const g = await gateway();
    const id = `interop-tester-${crypto.randomUUID()}`;
    // Work-around from official-client.md §2: the tester never generates its own keys, so a
    // NymClient with the tester's storage id creates them (and then fails on the dead nym-api).
    await new wasm.NymClient(() => {}, {
      clientId: `_nym-node-tester-${id}`,
      nymApiUrl: "http://127.0.0.1:9/",
    }).catch(() => {});
    const tester = await new wasm.NymNodeTester({
      id,
      topology: wasmTopology(g),
      gateway: toBase58(g.server.identityKey),
    });
    const registered = g.events.find((e) => e.type === "registered");
    assert(registered?.type === "registered", "the tester registered");
    assertEquals(registered.protocolVersion, 3);
    assert(g.events.some((e) => e.type === "bandwidthClaimed"), "the tester claimed bandwidth");

    const result = await tester.test_node(toBase58(g.mixnodes[1].identity), 300n, 3);
    assertEquals(result.sent_packets, 3);
    const forwarded = g.events.filter((e) => e.type === "forwarded");
    assertEquals(forwarded.length, 3);
    for (const event of forwarded) {
      assert(event.type === "forwarded");
      assertEquals(event.frameVersion, 1); // ForwardSphinx: the negotiated version is 3
      assertEquals(event.packet.packet.length, 2413);
      assertEquals(event.packet.keyRotation, 0);
      assertEquals(event.packet.nextHop, Uint8Array.of(4, 0x06, 0xff, 127, 0, 0, 1)); // mix1
    }

    // its reconnect uses the legacy `authenticate`, refused as by Nym's current gateways
    await tester.disconnect_from_gateway();
    await g.until((e) => e.type === "closed" && e.client !== undefined);
    let reconnectError: unknown;
    await tester.reconnect_to_gateway().catch((e: unknown) => reconnectError = e);
    assert(String(reconnectError).includes("legacy authentication"), String(reconnectError));
    await g.server.close();
  },
});

Deno.test({
  name: "the official NymClient registers, then re-authenticates with authenticateV2 and sends",
  ignore: skipReason !== undefined,
  sanitizeOps: false, // see the header: the wasm client's timers outlive the test
  async fn() {
    const g = await gateway();
    const api = fakeNymApi(g);
    const client = await new wasm.NymClient(() => {}, {
      clientId: `interop-client-${crypto.randomUUID()}`,
      nymApiUrl: `http://127.0.0.1:${api.addr.port}/`,
      preferredGateway: toBase58(g.server.identityKey),
      clientOverride: NO_COVER_TRAFFIC,
    });
    const self: string = client.selfAddress();
    assert(self.endsWith(`@${toBase58(g.server.identityKey)}`), self);

    const auth = g.events.filter((e) => e.type === "registered" || e.type === "authenticated");
    assertEquals(auth.map((e) => e.type), ["registered", "authenticated"]);
    assert(auth[0].type === "registered" && auth[1].type === "authenticated");
    assertEquals(auth[0].client, auth[1].client);
    assertEquals(toBase58(auth[0].client), self.split(".")[0]);
    assertEquals(auth[0].protocolVersion, 3);
    assertEquals(auth[1].protocolVersion, 4);
    assert(!g.events.some((e) => e.type === "rejected"), "nothing was refused");

    await client.send_regular_message(new TextEncoder().encode("hello localnet"), self);
    await g.until((e) => e.type === "forwarded");
    const forwarded = g.events.find((e) => e.type === "forwarded");
    assert(forwarded?.type === "forwarded");
    assertEquals(forwarded.client, auth[1].client);
    assertEquals(forwarded.frameVersion, 1); // ForwardSphinx: the negotiated version is 4
    assertEquals(forwarded.packet.packet.length, 2413);
    assertEquals(forwarded.packet.nextHop, Uint8Array.of(4, 0x06, 0xff, 127, 0, 0, 1)); // mix1
    await g.server.close();
    await api.shutdown();
  },
});
