// Faults on a localnet: loss at every mixnode, a mixnode killed and restarted mid-transfer.
// Expected each time: every message whose send promise resolved is delivered exactly once.
import { connect } from "../client/connect.ts";
import type { DeliveryHandle } from "../queue/mod.ts";
import { type Localnet, startLocalnet } from "../localnet/mod.ts";
import { systemRandom } from "../internal/random.ts";
import { assert, assertEquals } from "./_assert.ts";
import { MemoryStorage } from "../client/storage.ts";
import { Recipient } from "../message/mod.ts";

const traffic = {
  preset: "noCover" as const,
  averagePacketDelayMs: 2,
  averageAckDelayMs: 2,
  ackWaitAdditionMs: 250,
  maximumRetransmissions: 40,
};

interface Figures {
  sent: number;
  resolved: number;
  delivered: number;
  duplicates: number;
  packets: number;
}

/** Sends `count` messages of `size` bytes; collects what arrives until every handle settled. */
async function exchange(
  net: Localnet,
  count: number,
  size: number,
  during?: () => Promise<void>,
): Promise<Figures> {
  const alice = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[0].identity,
  });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic,
    gateway: net.gateways[1 % net.gateways.length].identity,
  });
  const seen = new Map<string, number>();
  let notify = () => {};
  const reading = (async () => {
    for await (const message of bob.messages) {
      const id = new TextDecoder().decode(message.data.subarray(0, 8));
      seen.set(id, (seen.get(id) ?? 0) + 1);
      notify();
    }
  })();
  try {
    const handles: DeliveryHandle[] = [];
    for (let i = 0; i < count; i++) {
      const body = systemRandom(size);
      body.set(new TextEncoder().encode(String(i).padStart(8, "0")));
      handles.push(alice.send(bob.address, body));
    }
    await during?.();
    const settled = await Promise.allSettled(handles.map((h) => h.delivered));
    const resolved = settled.map((s, i) =>
      s.status === "fulfilled" ? String(i).padStart(8, "0") : undefined
    )
      .filter((id): id is string => id !== undefined);
    // Every resolved message was acknowledged by bob's gateway, which pushed it to bob: wait
    // until each has been read.
    await new Promise<void>((resolve) => {
      notify = () => resolved.every((id) => seen.has(id)) && resolve();
      notify();
    });
    const packets = net.mixnodes.reduce((n, m) => n + m.node.stats.framesReceived, 0);
    return {
      sent: count,
      resolved: resolved.length,
      delivered: resolved.filter((id) => seen.get(id) === 1).length,
      duplicates: [...seen.values()].filter((n) => n > 1).length,
      packets,
    };
  } finally {
    await alice.disconnect();
    await bob.disconnect();
    await reading;
  }
}

function report(name: string, f: Figures): void {
  console.log(
    `${name}: sent ${f.sent}, resolved ${f.resolved}, delivered exactly once ${f.delivered}, ` +
      `duplicates ${f.duplicates}, mixnode frames ${f.packets}`,
  );
}

Deno.test("with 10 % packet loss at every mixnode, resolved messages arrive exactly once", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 2, gateways: 2, logger: "silent" });
  net.setFaults({ dropRate: 0.1 });
  const figures = await exchange(net, 20, 3000);
  report("10% loss", figures);
  assertEquals(figures.resolved, figures.sent);
  assertEquals(figures.delivered, figures.resolved);
  assertEquals(figures.duplicates, 0);
});

Deno.test("a mixnode killed and restarted mid-transfer loses nothing that resolved", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: "silent" });
  const figures = await exchange(net, 20, 5000, async () => {
    await net.killMixnode(1); // the only layer-2 node: every route is cut
    await net.restartMixnode(1);
  });
  report("mixnode restart", figures);
  assertEquals(figures.resolved, figures.sent);
  assertEquals(figures.delivered, figures.resolved);
  assertEquals(figures.duplicates, 0);
});

Deno.test("messages for an offline client are stored by its gateway and pushed when it returns", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const bobStorage = new MemoryStorage();
  const options = { nymApiUrl: net.nymApiUrl, traffic };
  const alice = await connect({ ...options, gateway: net.gateways[0].identity });
  const bobBefore = await connect({
    ...options,
    gateway: net.gateways[1].identity,
    storage: bobStorage,
  });
  const bobAddress = bobBefore.address;
  await bobBefore.disconnect();
  try {
    // Bob is offline; his gateway processes the packets, acknowledges them and stores them.
    await Promise.all([1, 2, 3].map((i) => alice.send(bobAddress, `while away ${i}`).delivered));
    assertEquals(net.gateways[1].server.storedMessages(Recipient.parse(bobAddress).identity), 3);
    const bob = await connect({ ...options, storage: bobStorage });
    assertEquals(bob.address, bobAddress);
    const got: string[] = [];
    for await (const message of bob.messages) {
      got.push(new TextDecoder().decode(message.data));
      if (got.length === 3) break;
    }
    assertEquals(got.sort(), ["while away 1", "while away 2", "while away 3"]);
    await bob.disconnect();
  } finally {
    await alice.disconnect();
  }
});

Deno.test("a stalled gateway is noticed by the liveness probe and the client comes back after", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const options = {
    nymApiUrl: net.nymApiUrl,
    traffic,
    gatewayTimeoutMs: 300,
    livenessIntervalMs: 100,
  };
  const alice = await connect({ ...options, gateway: net.gateways[0].identity });
  const bob = await connect({ ...options, gateway: net.gateways[1].identity });
  const reasons: string[] = [];
  alice.on("reconnecting", (e) => reasons.push(e.reason));
  try {
    const noticed = new Promise<void>((resolve) => alice.on("reconnecting", () => resolve()));
    net.stallGateway(0, true);
    await noticed;
    assert(reasons[0].startsWith("liveness probe failed"), reasons[0]);
    const handle = alice.send(bob.address, "sent while my gateway was stalled");
    const back = new Promise<void>((resolve) => alice.on("connected", () => resolve()));
    net.stallGateway(0, false);
    await back;
    await handle;
    const reader = bob.messages.getReader();
    assertEquals(
      new TextDecoder().decode((await reader.read()).value!.data),
      "sent while my gateway was stalled",
    );
    reader.releaseLock();
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
});
