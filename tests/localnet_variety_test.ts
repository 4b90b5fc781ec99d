// The localnet's variety options and their CLI flags: gateway kinds as announced by the
// directory, printed by `localnet`, and refused when unknown.
import type { CliIo } from "../cli/cli_io.ts";
import { main } from "../cli/main.ts";
import { connect } from "../client/connect.ts";
import { LOCALNET_GATEWAY_KINDS, startLocalnet } from "../localnet/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

function testIo(): CliIo & {
  lines: string[];
  errors: string[];
  stop(): void;
  line(p: string): Promise<string>;
} {
  const controller = new AbortController();
  const lines: string[] = [];
  const errors: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  return {
    lines,
    errors,
    isTerminal: false,
    signal: controller.signal,
    env: () => undefined,
    print(line) {
      lines.push(line);
      for (const w of waiters.splice(0)) {
        if (line.startsWith(w.prefix)) w.resolve(line);
        else waiters.push(w);
      }
    },
    writeError: (text) => void errors.push(text),
    stop: () => controller.abort(),
    line(prefix) {
      const found = lines.find((l) => l.startsWith(prefix));
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ prefix, resolve }));
    },
  };
}

Deno.test("gateway kinds are applied by index and the rest are current", async () => {
  await using net = await startLocalnet({
    gateways: 3,
    gatewayKinds: ["nym-node-1.22", "unresolvable-hostname"],
    logger: "silent",
  });
  assertEquals(net.gateways.map((g) => g.kind), [
    "nym-node-1.22",
    "unresolvable-hostname",
    "current",
  ]);
  const page = await (await fetch(new URL("v2/unstable/nym-nodes/skimmed", net.nymApiUrl)))
    .json();
  const hostnames = page.nodes.data
    .filter((n: { entry: unknown }) => n.entry)
    .map((n: { entry: { hostname: string | null } }) => n.entry.hostname);
  assertEquals(hostnames, [null, `gateway-${net.gateways[1].nodeId}.localnet.invalid`, null]);
});

Deno.test("startLocalnet refuses unknown kinds and more kinds than gateways", async () => {
  await assertRejects(
    () => startLocalnet({ gatewayKinds: ["nope" as "current"], logger: "silent" }),
    RangeError,
  );
  await assertRejects(
    () => startLocalnet({ gateways: 1, gatewayKinds: ["current", "backlog"], logger: "silent" }),
    RangeError,
  );
});

Deno.test("localnet --gateway-kinds starts one gateway per kind and prints each kind", async () => {
  const io = testIo();
  const done = main([
    "localnet",
    "--gateway-kinds",
    LOCALNET_GATEWAY_KINDS.join(","),
    "--backlog-delay-ms",
    "5",
  ], io);
  await io.line("nym-api ");
  // the gateway lines are printed right after the nym-api line, in the same turn
  const gateways = io.lines.filter((l) => l.startsWith("gateway "));
  assertEquals(gateways.map((l) => l.split(" ")[3] ?? "current"), [...LOCALNET_GATEWAY_KINDS]);
  io.stop();
  assertEquals(await done, 0);
});

Deno.test("localnet refuses an unknown gateway kind with a usage error", async () => {
  const io = testIo();
  assertEquals(await main(["localnet", "--gateway-kinds", "current,ancient"], io), 2);
  assert(io.errors.join("").includes('unknown kind "ancient"'), io.errors.join(""));
  assertEquals(
    await main(["localnet", "--gateways", "1", "--gateway-kinds", "current,backlog"], io),
    2,
  );
});

Deno.test("key rotation: two keys around a rotation, the old one purged an epoch later", async () => {
  const dropped: string[] = [];
  const expired: (() => void)[] = [];
  await using net = await startLocalnet({
    keyRotation: { validityEpochs: 2 },
    logger: (entry) => {
      if (entry.event === "packet.dropped.malformed") {
        dropped.push(entry.message);
        for (const resolve of expired.splice(0)) resolve();
      }
    },
  });
  const info = async () =>
    await (await fetch(new URL("v1/epoch/key-rotation-info", net.nymApiUrl))).json();
  const sphinxKeys = async () =>
    (await (await fetch(new URL("v2/unstable/nym-nodes/skimmed", net.nymApiUrl))).json())
      .nodes.data.map((n: { x25519_sphinx_pubkey: string }) => n.x25519_sphinx_pubkey);
  assertEquals(net.epoch, { epochId: 100, keyRotationId: 1 });
  assertEquals((await info()).progress.current_key_rotation_id, 1);
  const keysAt1 = await sphinxKeys();

  // a client whose topology is never refreshed keeps building packets for rotation 1
  const stale = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    topologyRefreshMs: 3_600_000,
  });
  try {
    net.advanceEpoch(); // 101: the rotation-2 keys are pre-announced, not yet published
    assertEquals(await sphinxKeys(), keysAt1);
    net.advanceEpoch(); // 102: rotation 2, the rotation-1 keys kept for this epoch
    assertEquals(net.epoch, { epochId: 102, keyRotationId: 2 });
    const now = await info();
    assertEquals(now.progress.current_key_rotation_id, 2);
    assertEquals(now.current_absolute_epoch_id, 102);
    const keysAt2 = await sphinxKeys();
    assert(keysAt2.every((k: string, i: number) => k !== keysAt1[i]), "every node rotated");
    await stale.send(stale.address, "during the overlap");
    assertEquals(dropped, []);

    net.advanceEpoch(); // 103: the rotation-1 keys are purged
    const gone = new Promise<void>((resolve) => expired.push(resolve));
    const lost = stale.send(stale.address, "after the purge");
    await gone;
    assert(dropped.length > 0);
    lost.delivered.catch(() => {}); // never acknowledged: its packets die at the first node

    // a client with the current topology gets through
    const fresh = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
    await fresh.send(fresh.address, "with rotation-2 keys");
    await fresh.disconnect();
  } finally {
    await stale.disconnect({ timeoutMs: 0 });
  }
});

Deno.test("advanceEpoch needs keyRotation", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  let threw = false;
  try {
    net.advanceEpoch();
  } catch {
    threw = true;
  }
  assert(threw);
  assertEquals(net.epoch.epochId, 100);
});

Deno.test("localnet --epoch-ms advances and prints the epoch and key rotation on a timer", async () => {
  const io = testIo();
  const done = main(["localnet", "--epoch-ms", "150", "--rotation-epochs", "1"], io);
  const api = (await io.line("nym-api ")).slice("nym-api ".length);
  const rotation = async () =>
    (await (await fetch(new URL("v1/epoch/key-rotation-info", api))).json()).progress
      .current_key_rotation_id;
  assertEquals(await rotation(), 1);
  // printed once the nodes and the directory moved on
  // (a later epoch may already have begun when the directory answers)
  assertEquals(await io.line("epoch 101 "), "epoch 101 key-rotation 2");
  assert(await rotation() >= 2);
  assertEquals(await io.line("epoch 102 "), "epoch 102 key-rotation 3");
  assert(await rotation() >= 3);
  io.stop();
  assertEquals(await done, 0);
  assertEquals(await main(["localnet", "--rotation-epochs", "3"], io), 2);
});
