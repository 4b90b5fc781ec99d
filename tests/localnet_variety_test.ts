// The localnet's variety options and their CLI flags: gateway kinds as announced by the
// directory, printed by `localnet`, and refused when unknown.
import type { CliIo } from "../cli/cli_io.ts";
import { main } from "../cli/main.ts";
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
